#ifndef APISERVE_CHAIN_FILTERS_GOAWAY_H_
#define APISERVE_CHAIN_FILTERS_GOAWAY_H_

// WithProbabilisticGoaway (--goaway-chance, 0 to 0.02): with probability `chance`, an HTTP/2 request's response
// carries `Connection: close`, which the HTTP/2 codec turns into a graceful GOAWAY (the request and other streams
// finish; the client reconnects, possibly to another replica). HTTP/1.x requests are never touched.

#include <functional>

#include "http/handler.h"

namespace apiserve::chain {

// `decide` (tests) replaces the random draw: it returns true to send GOAWAY.
http::HandlerPtr WithProbabilisticGoaway(http::HandlerPtr next, double chance, std::function<bool()> decide = nullptr);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_FILTERS_GOAWAY_H_
