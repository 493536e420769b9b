#ifndef APISERVE_CHAIN_FILTERS_MAX_IN_FLIGHT_H_
#define APISERVE_CHAIN_FILTERS_MAX_IN_FLIGHT_H_

// WithMaxInFlightLimit (--max-requests-inflight 400, --max-mutating-requests-inflight 200; 0 = unlimited): two
// pools of concurrently running non-long-running requests, read-only and mutating. Over its pool's limit a request
// gets 429, `Retry-After: 1`, `Too many requests, please try again later.\n`. Requests of system:masters are not
// limited in kube; without authentication here, every request counts. One atomic per request, no lock.

#include <atomic>
#include <cstdint>

#include "http/handler.h"

namespace apiserve::chain {

struct InFlightCounters {
  std::atomic<int64_t> readonly{0};
  std::atomic<int64_t> mutating{0};
};

// `counters` is borrowed (shared with metrics: apiserver_current_inflight_requests).
http::HandlerPtr WithMaxInFlightLimit(http::HandlerPtr next, int64_t max_readonly, int64_t max_mutating,
                                      InFlightCounters* counters);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_FILTERS_MAX_IN_FLIGHT_H_
