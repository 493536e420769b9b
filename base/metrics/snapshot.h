#ifndef APISERVE_BASE_METRICS_SNAPSHOT_H_
#define APISERVE_BASE_METRICS_SNAPSHOT_H_

// base::metrics snapshots: what a scrape sees. Registry::Gather() and collectors produce FamilySnapshots;
// WriteTextFormat() turns them into the Prometheus text exposition format. Plain values, no threading concerns.
//
//   FamilySnapshot f{"apiserver_tls_handshake_errors_total", "Number of requests dropped ...", MetricType::kCounter};
//   f.samples.push_back({"", {}, 3});
//   f.samples.push_back({"", {{"kind", "timeout"}}, 1});   // labels in the order they are written

#include <string>
#include <utility>
#include <vector>

namespace apiserve::base::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };

// Labels are (name, value) pairs in exposition order. Values are raw; the writer escapes them.
using Labels = std::vector<std::pair<std::string, std::string>>;

// Sample is one line: `<family name><suffix>{labels} value`. Histograms use the suffixes "_bucket" (with an "le"
// label), "_sum" and "_count"; counters and gauges use "".
struct Sample {
  std::string suffix;
  Labels labels;
  double value = 0;
};

struct FamilySnapshot {
  std::string name;
  std::string help;
  MetricType type = MetricType::kCounter;
  std::vector<Sample> samples;
};

}  // namespace apiserve::base::metrics

#endif  // APISERVE_BASE_METRICS_SNAPSHOT_H_
