#ifndef APISERVE_LIFECYCLE_LIFECYCLE_SIGNALS_H_
#define APISERVE_LIFECYCLE_LIFECYCLE_SIGNALS_H_

// LifecycleSignals: the eight named signals of kube's graceful termination (lifecycle_signals.go), with the exact
// names kube logs.
//
// The shutdown timeline (default mode, --shutdown-send-retry-after=false):
//
//   SIGTERM ─▶ ShutdownInitiated ─── /readyz fails at once (check "shutdown"); pre-shutdown hooks start
//                 │                  (sequential, each bounded); everything else is still served
//                 ├─ after --shutdown-delay-duration ─▶ AfterShutdownDelayDuration
//                 └─ after the hooks return ──────────▶ PreShutdownHooksStopped
//   both ─▶ NotAcceptingNewRequest ─── the listener closes (new connections refused), HTTP/2 connections get GOAWAY,
//                 │                    idle HTTP/1.1 connections close; in-flight requests run on
//                 ├─▶ HTTPServerStoppedListening
//                 └─▶ InFlightRequestsDrained (non-long-running requests done; watches per the grace period)
//   ─▶ Run returns, exit 0.
//
// Retry-after mode (--shutdown-send-retry-after=true): at NotAcceptingNewRequest the listener stays open and every
// non-exempt request gets 429 (Retry-After: 5, Connection: close); after InFlightRequestsDrained the server stops
// with a 2 s timeout, so HTTPServerStoppedListening comes last.
//
// Independent of shutdown: HasBeenReady (first successful /readyz) and MuxAndDiscoveryComplete (every path
// installed; before it, the terminal not-found handler answers 503 instead of 404).

#include <memory>

#include "lifecycle/signal.h"

namespace apiserve::lifecycle {

struct LifecycleSignals {
  LifecycleSignals();

  Signal shutdown_initiated{"ShutdownInitiated"};
  Signal after_shutdown_delay_duration{"AfterShutdownDelayDuration"};
  Signal pre_shutdown_hooks_stopped{"PreShutdownHooksStopped"};
  // Fires by itself once both AfterShutdownDelayDuration and PreShutdownHooksStopped have fired.
  std::unique_ptr<Signal> not_accepting_new_request;
  Signal in_flight_requests_drained{"InFlightRequestsDrained"};
  Signal http_server_stopped_listening{"HTTPServerStoppedListening"};
  Signal has_been_ready{"HasBeenReady"};
  Signal mux_and_discovery_complete{"MuxAndDiscoveryComplete"};

  // ShuttingDown is the signal handed to requests so long-running ones can end cleanly (kube's
  // ServerShutdownSignal): NotAcceptingNewRequest.
  Signal& ShuttingDown() { return *not_accepting_new_request; }
};

}  // namespace apiserve::lifecycle

#endif  // APISERVE_LIFECYCLE_LIFECYCLE_SIGNALS_H_
