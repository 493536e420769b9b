#ifndef APISERVE_BASE_METRICS_REGISTRY_H_
#define APISERVE_BASE_METRICS_REGISTRY_H_

// base::metrics::Registry: named metric families (counters, gauges, histograms with labels) and collectors, gathered
// into snapshots at scrape time.
//
//   Registry& registry = Registry::Default();                 // what /metrics serves
//   CounterFamily* total = registry.AddCounter("apiserver_request_total", "Counter of ...", {"verb", "code"});
//   total->WithLabelValues({"GET", "200"})->Inc();            // WithLabelValues locks: cache its result
//
//   // Values that live elsewhere (other packages' counters) are read at scrape time by a collector:
//   CollectorHandle handle = registry.AddCollector([&](std::vector<FamilySnapshot>* out) { ... });
//
// Families and their series are never removed; pointers to them stay valid for the registry's life. A collector is
// removed when its handle is destroyed (which waits for a scrape that is running it). Collectors run under the
// registry's lock, on the scraping thread: they must be quick, must not block on an event loop, and must not call
// back into the registry. Thread-safe.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "base/metrics/metric.h"
#include "base/metrics/snapshot.h"
#include "base/mutex.h"

namespace apiserve::base::metrics {

// Family is the set of series of one metric name, one per combination of label values. Thread-safe.
template <typename Child>
class Family {
 public:
  Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
         std::vector<double> bounds = {})
      : name_(std::move(name)),
        help_(std::move(help)),
        type_(type),
        label_names_(std::move(label_names)),
        bounds_(std::move(bounds)) {}
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  // WithLabelValues returns the series for `values` (one per label name, in order), creating it. Takes a lock:
  // callers on the request path cache the pointer. Aborts if the number of values is wrong (a programming bug).
  Child* WithLabelValues(const std::vector<std::string>& values);
  Child* WithLabelValues(std::initializer_list<absl::string_view> values) {
    return WithLabelValues(std::vector<std::string>(values.begin(), values.end()));
  }

  const std::string& name() const { return name_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  const std::vector<double>& bounds() const { return bounds_; }

  // Collect appends this family's snapshot (series sorted by label values).
  void Collect(std::vector<FamilySnapshot>* out) const;

 private:
  std::unique_ptr<Child> NewChild() const;

  const std::string name_;
  const std::string help_;
  const MetricType type_;
  const std::vector<std::string> label_names_;
  const std::vector<double> bounds_;
  mutable Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Child>> children_ ABSL_GUARDED_BY(mu_);
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// Collector appends families (any order) whose values live outside the registry. Called at scrape time.
using Collector = std::function<void(std::vector<FamilySnapshot>* out)>;

class Registry;

// CollectorHandle keeps a collector registered; destroying (or Reset()) removes it. Move-only.
class CollectorHandle {
 public:
  CollectorHandle() = default;
  CollectorHandle(CollectorHandle&& other) noexcept : registry_(other.registry_), id_(other.id_) {
    other.registry_ = nullptr;
  }
  CollectorHandle& operator=(CollectorHandle&& other) noexcept;
  ~CollectorHandle() { Reset(); }
  void Reset();

 private:
  friend class Registry;
  CollectorHandle(Registry* registry, uint64_t id) : registry_(registry), id_(id) {}
  Registry* registry_ = nullptr;
  uint64_t id_ = 0;
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Default is the process-wide registry served at /metrics. Never destroyed.
  static Registry& Default();

  // AddCounter / AddGauge / AddHistogram create a family, or return the existing one of that name when its type,
  // labels (and bounds) match — so code that may run twice (two servers) registers idempotently. A name taken by a
  // different definition aborts: it is a programming bug. Names end in `_total` for counters by convention.
  CounterFamily* AddCounter(const std::string& name, const std::string& help, std::vector<std::string> labels);
  GaugeFamily* AddGauge(const std::string& name, const std::string& help, std::vector<std::string> labels);
  // `bounds`: ascending bucket upper bounds, without +Inf.
  HistogramFamily* AddHistogram(const std::string& name, const std::string& help, std::vector<std::string> labels,
                                std::vector<double> bounds);

  // AddCollector registers `collector` until the returned handle is destroyed.
  [[nodiscard]] CollectorHandle AddCollector(Collector collector);

  // Gather snapshots every family and runs every collector; the result is sorted by family name.
  std::vector<FamilySnapshot> Gather() const;

 private:
  friend class CollectorHandle;
  void RemoveCollector(uint64_t id);

  mutable Mutex mu_;
  std::map<std::string, std::unique_ptr<CounterFamily>> counters_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<GaugeFamily>> gauges_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<HistogramFamily>> histograms_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, Collector> collectors_ ABSL_GUARDED_BY(mu_);
  uint64_t next_collector_id_ ABSL_GUARDED_BY(mu_) = 1;
};

// ExponentialBuckets returns `count` bounds start, start*factor, ... (Prometheus' ExponentialBuckets).
std::vector<double> ExponentialBuckets(double start, double factor, int count);

}  // namespace apiserve::base::metrics

#endif  // APISERVE_BASE_METRICS_REGISTRY_H_
