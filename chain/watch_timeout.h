#ifndef APISERVE_CHAIN_WATCH_TIMEOUT_H_
#define APISERVE_CHAIN_WATCH_TIMEOUT_H_

// WatchTimeout: how long a watch may stay open, kube's rule (endpoints/handlers/get.go ListResource): the request's
// `?timeoutSeconds=N` when positive; otherwise, with --min-request-timeout > 0, a random duration in
// [min, 2·min) so watches started together do not all end together; otherwise no limit (InfiniteDuration).

#include "absl/time/time.h"
#include "http/request.h"

namespace apiserve::chain {

absl::Duration WatchTimeout(const http::Request& request, absl::Duration min_request_timeout);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_WATCH_TIMEOUT_H_
