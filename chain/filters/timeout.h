#ifndef APISERVE_CHAIN_FILTERS_TIMEOUT_H_
#define APISERVE_CHAIN_FILTERS_TIMEOUT_H_

// WithRequestTimeout (--request-timeout, default 1m0s): a non-long-running request not answered in time gets 504
// with kube's Timeout Status body; if its response head was already sent, the stream is aborted. The timer runs on
// the request's executor and is cancelled when the exchange completes.

#include "absl/time/time.h"
#include "http/handler.h"

namespace apiserve::chain {

http::HandlerPtr WithRequestTimeout(http::HandlerPtr next, absl::Duration timeout);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_FILTERS_TIMEOUT_H_
