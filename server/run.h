#ifndef APISERVE_SERVER_RUN_H_
#define APISERVE_SERVER_RUN_H_

// server::Run: kube's preparedGenericAPIServer.RunWithContext — serve a prepared chain until `stop` fires, then
// terminate gracefully through the lifecycle signals (reference §2.7; the timeline is in
// lifecycle/lifecycle_signals.h) without losing an accepted request.
//
//   lifecycle::Signal stop("stop");
//   lifecycle::StopOnOsSignals(&stop);
//   return server::Run(std::move(prepared), options, &stop);   // blocks; OK after a clean drain
//
// Order of events, default mode: ShutdownInitiated → (AfterShutdownDelayDuration, PreShutdownHooksStopped) →
// NotAcceptingNewRequest → HTTPServerStoppedListening → InFlightRequestsDrained. With
// --shutdown-send-retry-after: the listener stays open answering 429 until InFlightRequestsDrained, then
// HTTPServerStoppedListening. `[graceful-termination]` lines are logged at -v=1 with kube's wording.
//
// Returns the pre-shutdown hooks' aggregated error if they fail (kube returns it before draining), or the serving
// error (certificates, listen) at start. Post-start hook failures are fatal (exit 255).

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "chain/generic_server.h"
#include "lifecycle/signal.h"
#include "server/secure_server.h"

namespace apiserve::server {

// RunOptions says how to serve. When to stop — the shutdown delay, retry-after mode, the watch grace period and the
// request timeout (the HTTP shutdown timeout) — is read from the prepared server's chain::ServerConfig, the one
// place each of those settings lives.
struct RunOptions {
  ServingOptions serving;
  // TLS and protocols (see SecureServer::Serve). ssl_ctx is borrowed.
  SSL_CTX* ssl_ctx = nullptr;
  CodecFactory codec_factory;
  TlsHooks tls;
  // on_serving runs once the listeners are bound (before post-start hooks), e.g. to learn the port.
  std::function<void(SecureServer&)> on_serving;
};

absl::Status Run(chain::PreparedServer&& prepared, const RunOptions& options, lifecycle::Signal* stop);

// NotifySystemd sends "READY=1" to $NOTIFY_SOCKET if set (a datagram; no libsystemd). Returns the send error.
absl::Status NotifySystemd();

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_RUN_H_
