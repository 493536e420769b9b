#ifndef APISERVE_CHAIN_FILTERS_NOT_FOUND_H_
#define APISERVE_CHAIN_FILTERS_NOT_FOUND_H_

// TerminalNotFoundHandler ends a delegation chain (kube's util/notfoundhandler): a request that arrived before
// MuxAndDiscoveryComplete (marked by WithMuxAndDiscoveryComplete) gets 503 with `Retry-After: 5` — the path may
// simply not be installed yet; any other gets Go's `404 page not found`. Paths that exist never reach it.

#include "http/handler.h"

namespace apiserve::chain {

http::HandlerPtr TerminalNotFoundHandler();

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_FILTERS_NOT_FOUND_H_
