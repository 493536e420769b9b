#ifndef APISERVE_CHAIN_FILTERS_SHUTDOWN_FILTERS_H_
#define APISERVE_CHAIN_FILTERS_SHUTDOWN_FILTERS_H_

// The filters that implement graceful termination (reference §2.8 and its corrections):
//
// WithRetryAfter (only with --shutdown-send-retry-after): once `not_accepting` fired, every non-exempt request gets
// 429, `Retry-After: 5`, `Connection: close`, `The apiserver is shutting down, please try again later.\n`.
//
// WithWaitGroup: every non-long-running request is counted in `wait_group` while it runs (exempt ones too). Once the
// drain began, a new request gets 503 JSON with `Retry-After: 1` — unless exempt, then it is served untracked.
//
// Exempt: path prefixes /readyz, /livez, /healthz, /metrics, and User-Agent starting with "kube-apiserver/".

#include "chain/wait_group.h"
#include "chain/watch_tracker.h"
#include "http/handler.h"
#include "lifecycle/signal.h"

namespace apiserve::chain {

bool IsExemptFromShutdownRejection(const http::Request& request);

http::HandlerPtr WithRetryAfter(http::HandlerPtr next, const lifecycle::Signal* not_accepting);
http::HandlerPtr WithWaitGroup(http::HandlerPtr next, SafeWaitGroup* wait_group);

// WithWatchTerminationDuringShutdown (only with --shutdown-watch-termination-grace-period > 0): every `watch` request
// is counted in `watches` while it runs and gets its own shutting_down signal, which the tracker fires at a bounded
// rate at shutdown (WatchTracker::ReleaseAtRate). Once the drain began, a new watch gets the 503 of WithWaitGroup
// (no exemption).
http::HandlerPtr WithWatchTerminationDuringShutdown(http::HandlerPtr next, WatchTracker* watches);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_FILTERS_SHUTDOWN_FILTERS_H_
