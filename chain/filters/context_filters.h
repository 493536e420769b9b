#ifndef APISERVE_CHAIN_FILTERS_CONTEXT_FILTERS_H_
#define APISERVE_CHAIN_FILTERS_CONTEXT_FILTERS_H_

// Filters that only annotate the request (kube's WithMuxAndDiscoveryComplete, WithRequestInfo,
// WithRequestReceivedTimestamp).

#include <functional>

#include "chain/request_info.h"
#include "http/handler.h"
#include "lifecycle/signal.h"

namespace apiserve::chain {

// MuxIncompleteMarker is attached to requests that arrived before MuxAndDiscoveryComplete; only the terminal
// not-found handler reads it (503 instead of 404).
struct MuxIncompleteMarker {};

// WithMuxAndDiscoveryComplete marks requests that arrive before `complete` fired. `complete` is borrowed.
http::HandlerPtr WithMuxAndDiscoveryComplete(http::HandlerPtr next, const lifecycle::Signal* complete);

// LongRunningPredicate decides whether a request is long-running beyond kube's built-in rules (per-route flag).
using LongRunningPredicate = std::function<bool(const http::Request&, const RequestInfo&)>;

// WithRequestInfo attaches a RequestInfo (see ParseRequestInfo); `extra_long_running` may add routes.
http::HandlerPtr WithRequestInfo(http::HandlerPtr next, LongRunningPredicate extra_long_running = nullptr);

// WithRequestReceivedTimestamp stamps Request::received_time on the request's clock if the codec did not
// (http::StampReceivedTime: hand-built requests only, the codecs stamp every request they parse).
http::HandlerPtr WithRequestReceivedTimestamp(http::HandlerPtr next);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_FILTERS_CONTEXT_FILTERS_H_
