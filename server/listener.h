#ifndef APISERVE_SERVER_LISTENER_H_
#define APISERVE_SERVER_LISTENER_H_

// server::Listener: a listening TCP socket on one loop, handing accepted sockets to Connection::Accept.
//
// Unspecified bind addresses ("", "0.0.0.0", "::") listen dual-stack on [::] as kube does (falling back to 0.0.0.0
// where IPv6 is unavailable). SO_REUSEPORT is set when `reuse_port` (several loops share the port, or
// --permit-port-sharing). libuv always sets SO_REUSEADDR on TCP listeners, as Go does on Linux.
//
// Accept errors: EMFILE, ENFILE, ENOBUFS, ENOMEM and ECONNABORTED are temporary: logged once per burst. libuv
// retries accept at once after reporting one (its EMFILE reserve descriptor is shared by the loop and lost to any
// thread that takes the freed slot first), which spins the loop, so on a temporary error other than ECONNABORTED the
// listener pauses: it closes its libuv handle (a spare descriptor keeps the socket and its backlog) and reopens it
// after a back-off that doubles from 5 ms to 1 s, as Go's Serve does. Any other error, unless the listener is
// closing, is fatal: `Stopped listening on <addr> due to error: <err>`.
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
  Listener() = default;
  static void OnConnection(uv_stream_t* server, int status);
  // Pause closes the libuv handle and retries after the back-off; Resume reopens it from spare_fd_.
  void Pause();
  void Resume();

  uv_tcp_t tcp_;
  uv_timer_t backoff_timer_;
  EventLoop* loop_ = nullptr;
  int backlog_ = 0;
  int spare_fd_ = -1;      // dup of the listening socket: keeps it (and its backlog) while tcp_ is closed
  bool tcp_open_ = false;  // tcp_ is initialized and not closed
  bool paused_ = false;
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
