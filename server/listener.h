#ifndef APISERVE_SERVER_LISTENER_H_
#define APISERVE_SERVER_LISTENER_H_

// server::Listener: a listening TCP socket on one loop, handing accepted sockets to Connection::Accept.
//
// Unspecified bind addresses ("", "0.0.0.0", "::") listen dual-stack on [::] as kube does (falling back to 0.0.0.0
// where IPv6 is unavailable). SO_REUSEADDR is always set, as Go does on Linux listeners. SO_REUSEPORT is set only
// when `reuse_port` (--permit-port-sharing): it lets any process of the same user bind the port too and take part
// of its connections, so without that flag the loops of a server share one socket (Bind on one loop, Join on the
// others) and binding a port another process holds fails with "address already in use".
//
// Sharing one socket: every loop polls it with its own uv_poll_t and calls accept4. A new connection wakes every
// loop polling it (no EPOLLEXCLUSIVE through libuv: nested in the loop's epoll it wakes all the same); the losers'
// accept4 returns EAGAIN. A loop busy serving is not in epoll_wait, so the idle loops take the new connections.
// The socket closes when the last loop sharing it has closed its poll handle.
//
// Accepting: the listener owns the socket and polls it (uv_poll_t) and calls accept4 itself, up to
// kAcceptsPerWakeup per readiness so one busy listener cannot starve the loop. libuv's own accept path is not used:
// on EMFILE it accepts and closes every pending connection (its "EMFILE trick"), resetting clients that a moment
// later could have been served. Here, as in Go's Serve, pending connections stay in the backlog: EMFILE, ENFILE,
// ENOBUFS and ENOMEM are temporary, logged once per burst, and the listener stops polling for a back-off that
// doubles from 5 ms to 1 s; ECONNABORTED is skipped. Any other error, unless the listener is closing, is fatal:
// `Stopped listening on <addr> due to error: <err>`.
//
// Addresses: accept4 returns each connection's peer address, and a socket bound to one IP (not a wildcard) is every
// connection's local address, so a connection starts without getpeername or getsockname.
//
// Socket options: a bound socket gets the serving TCP options (server/tcp_options.h) before listen(), and every
// accepted socket inherits them, so accepting makes no setsockopt call.
//
// Adopting: a socket that is already listening (socket activation, server/socket_activation.h) is served as it is —
// no bind, no listen, none of its options changed — and shared between loops with Join like a bound one. Its
// connections get the serving TCP options one by one (some may have queued before we ran).
//
// Threading: loop-affine. Create, start and close on the loop's thread.

#include <sys/socket.h>

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
  // Bind binds and listens. Errors name the address: "failed to create listener: failed to listen on
  // 0.0.0.0:6443: address already in use" (Unavailable), InvalidArgument for an address that is not an IP.
  static absl::StatusOr<std::unique_ptr<Listener>> Bind(EventLoop* loop, const ListenOptions& options,
                                                        ConnectionContext* context, ConnectionSet* connections);
  // Adopt accepts on `fd`, a listening TCP socket made elsewhere (socket activation). The listener owns `fd` from
  // the call on and closes it with the last listener sharing it, or at once when Adopt fails. port() and address()
  // are read back from the socket (getsockname): "[::]:6443" for the IPv6 wildcard, else "<ip>:<port>". Internal
  // error naming the call if getsockname fails or libuv cannot poll it.
  static absl::StatusOr<std::unique_ptr<Listener>> Adopt(EventLoop* loop, int fd, ConnectionContext* context,
                                                         ConnectionSet* connections);
  // Join accepts on `shared`'s socket from `loop` too. `shared` may live on another loop (it must not be closing
  // while Join runs) and may close first: the socket stays open while a listener polls it. Internal error if libuv
  // cannot poll it.
  static absl::StatusOr<std::unique_ptr<Listener>> Join(EventLoop* loop, const Listener& shared,
                                                        ConnectionContext* context, ConnectionSet* connections);
  ~Listener();

  // Close stops accepting; `on_closed` runs on the loop once the socket is closed.
  void Close(std::function<void()> on_closed);

  int port() const { return port_; }
  // address is how kube logs it: "[::]:6443" or "127.0.0.1:6443".
  const std::string& address() const { return address_; }

 private:
  static constexpr int kAcceptsPerWakeup = 64;

  // Socket owns the listening descriptor; every listener polling it holds a reference and drops it once its poll
  // handle is closed.
  struct Socket {
    explicit Socket(int fd) : fd(fd) {}
    ~Socket();
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    const int fd;
  };

  Listener() = default;
  // Start polls `socket` on `loop`.
  absl::Status Start(EventLoop* loop, std::shared_ptr<const Socket> socket);
  static void OnReadable(uv_poll_t* poll, int status, int events);
  void AcceptPending();
  // Pause stops polling for the back-off; the timer restarts it.
  void Pause();
  // SetLocalIfSpecific records `bound` as every connection's local address unless it is a wildcard.
  void SetLocalIfSpecific(const sockaddr_storage& bound);

  std::shared_ptr<const Socket> socket_;  // null once closed
  int fd_ = -1;                           // socket_->fd
  uv_poll_t poll_;
  uv_timer_t backoff_timer_;
  int handles_open_ = 0;
  int64_t backoff_ms_ = 0;
  bool options_per_connection_ = false;  // adopted sockets: set the TCP options on each accepted connection
  // The socket's own address when it is bound to one IP (not a wildcard): every connection's local address.
  bool local_known_ = false;
  sockaddr_storage local_{};
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
