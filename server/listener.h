#ifndef APISERVE_SERVER_LISTENER_H_
#define APISERVE_SERVER_LISTENER_H_

// server::Listener: a listening TCP socket on one loop, handing accepted sockets to Connection::Accept.
//
// Unspecified bind addresses ("", "0.0.0.0", "::") listen dual-stack on [::] as kube does (falling back to 0.0.0.0
// where IPv6 is unavailable). SO_REUSEPORT is set when `reuse_port` (several loops share the port, or
// --permit-port-sharing). libuv always sets SO_REUSEADDR on TCP listeners, as Go does on Linux.
//
// Accepting: the listener owns the socket and polls it (uv_poll_t) and calls accept4 itself, up to
// kAcceptsPerWakeup per readiness so one busy listener cannot starve the loop. libuv's own accept path is not used:
// on EMFILE it accepts and closes every pending connection (its "EMFILE trick"), resetting clients that a moment
// later could have been served. Here, as in Go's Serve, pending connections stay in the backlog: EMFILE, ENFILE,
// ENOBUFS and ENOMEM are temporary, logged once per burst, and the listener stops polling for a back-off that
// doubles from 5 ms to 1 s; ECONNABORTED is skipped. Any other error, unless the listener is closing, is fatal:
// `Stopped listening on <addr> due to error: <err>`.
//
// Threading: loop-affine. Create, start and close on the loop's thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/connection.h"
#include "server/event_loop.h"
#include "uv.h"

namespace apiserve::server {

struct ListenOptions {
  std::string bind_address = "0.0.0.0";
  int port = 6443;  // 0: any free port (read it back with port())
  bool reuse_port = false;
  int backlog = 1024;
};

class Listener {
 public:
  // Bind binds and listens. Errors name the address: "failed to listen on 0.0.0.0:6443: address already in use".
  static absl::StatusOr<std::unique_ptr<Listener>> Bind(EventLoop* loop, const ListenOptions& options,
                                                        ConnectionContext* context, ConnectionSet* connections);
  ~Listener();

  // Close stops accepting; `on_closed` runs on the loop once the socket is closed.
  void Close(std::function<void()> on_closed);

  int port() const { return port_; }
  // address is how kube logs it: "[::]:6443" or "127.0.0.1:6443".
  const std::string& address() const { return address_; }

 private:
  static constexpr int kAcceptsPerWakeup = 64;

  Listener() = default;
  static void OnReadable(uv_poll_t* poll, int status, int events);
  void AcceptPending();
  // Pause stops polling for the back-off; the timer restarts it.
  void Pause();

  int fd_ = -1;
  uv_poll_t poll_;
  uv_timer_t backoff_timer_;
  int handles_open_ = 0;
  int64_t backoff_ms_ = 0;
  ConnectionContext* context_ = nullptr;
  ConnectionSet* connections_ = nullptr;
  int port_ = 0;
  std::string address_;
  bool closing_ = false;
  bool in_error_burst_ = false;
  std::function<void()> on_closed_;
};

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_LISTENER_H_
