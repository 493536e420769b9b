#ifndef APISERVE_SERVER_SECURE_SERVER_H_
#define APISERVE_SERVER_SECURE_SERVER_H_

// server::SecureServer: the seed's SecureServingInfo.Serve + RunServer: TLS listeners on `workers` event loops, each
// with its own connections, serving one handler. Serve() never blocks.
//
//   ASSIGN_OR_RETURN(auto server, SecureServer::Serve(options, ssl_ctx, handler, codecs));
//   LOG(INFO) << "Serving securely on " << server->address();
//   server->Shutdown(absl::Seconds(60));   // stop listening, drain, close what is left at the deadline
//   server->stopped().Wait();
//
// With workers > 1 the loops share one listening socket and each accepts from it (server/listener.h); only with
// permit_port_sharing does every loop bind its own SO_REUSEPORT socket. With an inherited socket
// (ServingOptions::inherited_fd, from socket activation) nothing is bound: every loop accepts from that one socket,
// permit_port_sharing or not, and address() is the socket's own.
// Thread-safe: every public method may be called from any thread except a loop thread of this server (the
// destructor joins them).

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "http/handler.h"
#include "lifecycle/signal.h"
#include "openssl/ssl.h"
#include "server/connection.h"
#include "server/event_loop.h"
#include "server/listener.h"

namespace apiserve::server {

struct ServingOptions {
  std::string bind_address = "0.0.0.0";
  int port = 6443;
  int workers = 1;
  // --permit-port-sharing: one SO_REUSEPORT socket per loop (any same-UID process may then join the port). Without
  // it no socket has SO_REUSEPORT, whatever `workers`, and a port another process holds is "address already in use".
  bool permit_port_sharing = false;
  // --max-connections: open connections across all loops; 0 is unlimited. Beyond it new connections are closed
  // at once.
  int64_t max_connections = 0;
  // inherited_fd, when >= 0, is a listening TCP socket to serve on instead of binding bind_address:port: systemd's
  // socket activation (server::TakeSocketActivationListener; options::SecureServingOptions::ApplyTo sets it). The
  // socket wins: the server listens where it is bound, reads its address back for "Serving securely on", and only
  // logs a warning when `port` differs from its port (a --secure-port left at its default cannot be told from one
  // given). Serve takes ownership of the descriptor, and closes it on failure too: serve such options once.
  int inherited_fd = -1;
  // --shutdown-drain-connections: halfway through --shutdown-delay-duration, server::Run calls DrainConnections, so
  // persistent connections move to other replicas while this one still listens. kube does
  // not do it; a TCP (passthrough) load balancer needs it for a rolling restart to lose nothing (DESIGN §11).
  bool drain_connections = true;
  ConnectionOptions connection;
};

class SecureServer {
 public:
  // Serve binds every listener and starts the loops. `ssl_ctx` is borrowed (shared read-only by all loops) and
  // must outlive the server; `handler` is shared. `shutting_down` (may be null) is handed to every request.
  // Errors: InvalidArgument for options, Unavailable naming the address when a listener cannot be created.
  static absl::StatusOr<std::unique_ptr<SecureServer>> Serve(const ServingOptions& options, SSL_CTX* ssl_ctx,
                                                             http::HandlerPtr handler, CodecFactory codec_factory,
                                                             TlsHooks tls = {},
                                                             lifecycle::Signal* shutting_down = nullptr);
  // Closes everything still open at once and joins the loops.
  ~SecureServer();
  SecureServer(const SecureServer&) = delete;
  SecureServer& operator=(const SecureServer&) = delete;

  int port() const { return port_; }
  // address as kube logs it in "Serving securely on <address>".
  const std::string& address() const { return address_; }

  // StopListening closes every listener (new connections are refused); listener_stopped() fires when all are closed.
  void StopListening();
  // DrainConnections asks every open connection, and every one accepted from now on, to move to another replica
  // (Connection::Drain: HTTP/1.1 `Connection: close` on the next response; HTTP/2 the GOAWAY shutdown notice;
  // both closed once idle for drain_idle_grace) without closing the listener or cutting off a request. Never blocks
  // (posts to the loops); idempotent.
  void DrainConnections();
  // Shutdown stops listening, asks every connection to close gracefully (HTTP/1.1: close when idle; HTTP/2: GOAWAY
  // in two phases), and closes whatever remains after `timeout`. stopped() fires when no connection is left.
  void Shutdown(absl::Duration timeout);

  lifecycle::Signal& listener_stopped() { return listener_stopped_; }
  lifecycle::Signal& stopped() { return stopped_; }

  // OpenConnections counts live connections on every loop (a snapshot taken on each loop).
  size_t OpenConnections();
  // Counters sums the per-loop connection counters (a snapshot taken on each loop).
  ConnectionCounters Counters();
  // ScrapeCounters sums the per-loop counters without visiting the loops: callable from any thread, a loop thread
  // included (the /metrics handler); each value may lag its loop by a few events.
  ConnectionCounters ScrapeCounters() const;
  std::vector<EventLoop*> loops();

 private:
  struct Worker;
  SecureServer() = default;
  // RunOnEachLoop runs `fn` on every loop and waits for all to finish.
  void RunOnEachLoop(const std::function<void(Worker&)>& fn);

  std::unique_ptr<ConnectionLimit> limit_;  // null: unlimited; outlives the workers' connections
  std::vector<std::unique_ptr<Worker>> workers_;
  http::HandlerPtr handler_;
  int port_ = 0;
  std::string address_;
  std::atomic<bool> listening_stopped_{false};
  std::atomic<bool> shutdown_started_{false};
  std::atomic<bool> drain_started_{false};
  std::atomic<int> listeners_open_{0};
  std::atomic<int> workers_with_connections_{0};
  lifecycle::Signal listener_stopped_{"ListenerStopped"};
  lifecycle::Signal stopped_{"ServerStopped"};
};

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_SECURE_SERVER_H_
