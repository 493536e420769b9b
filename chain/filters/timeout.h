#ifndef APISERVE_CHAIN_FILTERS_TIMEOUT_H_
#define APISERVE_CHAIN_FILTERS_TIMEOUT_H_

// WithRequestTimeout (--request-timeout, default 1m0s): a non-long-running request not answered in time gets 504
// with kube's Timeout Status body; if its response head was already sent, the stream is aborted. The deadline is
// kube's: the time the request was received (Request::received_time) plus the timeout.
//
// No timer per request: on each loop the filter keeps its requests in a deadline-ordered list (one timeout for all,
// so arrival order is deadline order) with one timer armed for the earliest; a request leaves the list when its
// exchange completes, and the timer is cancelled when the list empties. Called off the request's loop thread (tests
// driving a chain from their own thread), a request gets a timer of its own.

#include "absl/time/time.h"
#include "http/handler.h"

namespace apiserve::chain {

http::HandlerPtr WithRequestTimeout(http::HandlerPtr next, absl::Duration timeout);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_FILTERS_TIMEOUT_H_
