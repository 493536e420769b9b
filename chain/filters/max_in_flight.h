#ifndef APISERVE_CHAIN_FILTERS_MAX_IN_FLIGHT_H_
#define APISERVE_CHAIN_FILTERS_MAX_IN_FLIGHT_H_

// WithMaxInFlightLimit (--max-requests-inflight 400, --max-mutating-requests-inflight 200; 0 = unlimited): two
// pools of concurrently running non-long-running requests, read-only and mutating. Over its pool's limit a request
// gets 429, `Retry-After: 1`, `Too many requests, please try again later.\n`. Requests of system:masters are not
// limited (the authentication filter runs first). A request admitted raises its pool's watermark: two atomics per
// request, no lock.

#include <atomic>
#include <cstdint>

#include "http/handler.h"

namespace apiserve::chain {

// InFlightCounters: the requests each pool holds now, and kube's watermarks (filters/maxinflight.go): the most each
// pool held at once in the current period and in the last complete one. apiserver_current_inflight_requests reports
// Usage(), the larger of the two ("maximal number of currently used inflight request limit ... in last second").
// A period ends at RollInFlightWatermarks(), which the `max-in-flight-filter` post-start hook calls every second
// (chain/generic_server.h); until it runs, the period is everything since start. Every InFlightCounters registers
// itself for the roll at construction and leaves at destruction. Fields are atomics: safe from any thread.
struct InFlightCounters {
  InFlightCounters();
  ~InFlightCounters();
  InFlightCounters(const InFlightCounters&) = delete;
  InFlightCounters& operator=(const InFlightCounters&) = delete;

  std::atomic<int64_t> readonly{0};
  std::atomic<int64_t> mutating{0};
  std::atomic<int64_t> readonly_watermark{0};  // current period
  std::atomic<int64_t> mutating_watermark{0};
  std::atomic<int64_t> readonly_last_period{0};
  std::atomic<int64_t> mutating_last_period{0};

  int64_t ReadonlyUsage() const;
  int64_t MutatingUsage() const;
};

// RollInFlightWatermarks ends the current period of every live InFlightCounters: its watermarks become the last
// period's and start again from the requests held now (kube's startWatermarkMaintenance tick). Thread-safe.
void RollInFlightWatermarks();

// `counters` is borrowed (shared with metrics: apiserver_current_inflight_requests).
http::HandlerPtr WithMaxInFlightLimit(http::HandlerPtr next, int64_t max_readonly, int64_t max_mutating,
                                      InFlightCounters* counters);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_FILTERS_MAX_IN_FLIGHT_H_
