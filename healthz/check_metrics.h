#ifndef APISERVE_HEALTHZ_CHECK_METRICS_H_
#define APISERVE_HEALTHZ_CHECK_METRICS_H_

// CheckMetrics: the data behind kube's SLI metrics for health checks (component-base `slis`, served at
// /metrics/slis):
//
//   kubernetes_healthcheck{name,type}               gauge: 1 if the last run passed, 0 if it failed
//   kubernetes_healthchecks_total{name,type,status} counter: status is "success" or "error"
//
// `name` is the check name, `type` the endpoint name ("healthz", "livez", "readyz"). Only checks run by a root
// handler are recorded: excluded checks and per-check subpaths are not. The exporter reads Snapshot().
// Thread-safe: Record is called from every event loop. A handler resolves its Series once (SeriesFor locks); each
// probe then records with relaxed atomics, no lock and no lookup.

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "base/mutex.h"

namespace apiserve::healthz {

// CheckSample is one (name, type) series with both status counters.
struct CheckSample {
  std::string name;
  std::string type;
  int last_result = 0;  // kubernetes_healthcheck: 1 success, 0 error
  uint64_t success_total = 0;
  uint64_t error_total = 0;

  friend bool operator==(const CheckSample& a, const CheckSample& b) {
    return a.name == b.name && a.type == b.type && a.last_result == b.last_result &&
           a.success_total == b.success_total && a.error_total == b.error_total;
  }
};

class CheckMetrics {
 public:
  CheckMetrics() = default;
  CheckMetrics(const CheckMetrics&) = delete;
  CheckMetrics& operator=(const CheckMetrics&) = delete;

  // Global is the process-wide instance the handlers record into unless told otherwise. Never destroyed.
  static CheckMetrics& Global();

  // Series is one (name, type): it appears in Snapshot once it has recorded a run.
  class Series {
   public:
    void Record(bool success) {
      (success ? success_total_ : error_total_).fetch_add(1, std::memory_order_relaxed);
      last_result_.store(success ? 1 : 0, std::memory_order_relaxed);
    }

   private:
    friend class CheckMetrics;
    std::atomic<int> last_result_{0};
    std::atomic<uint64_t> success_total_{0};
    std::atomic<uint64_t> error_total_{0};
  };

  // SeriesFor returns the series of check `name` on endpoint `type`, creating it; the pointer stays valid for the
  // life of this object.
  Series* SeriesFor(absl::string_view name, absl::string_view type);

  // Record counts one run of check `name` on endpoint `type` (SeriesFor, then Series::Record).
  void Record(absl::string_view name, absl::string_view type, bool success) { SeriesFor(name, type)->Record(success); }

  // Snapshot returns every series that has recorded a run, sorted by (name, type).
  std::vector<CheckSample> Snapshot() const;

 private:
  mutable base::Mutex mu_;
  std::map<std::pair<std::string, std::string>, Series> series_ ABSL_GUARDED_BY(mu_);  // nodes never move
};

}  // namespace apiserve::healthz

#endif  // APISERVE_HEALTHZ_CHECK_METRICS_H_
