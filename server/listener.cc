#include "server/listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/logger.h"
#include "server/socket_address.h"
#include "server/tcp_options.h"

namespace apiserve::server {
namespace {

bool IsUnspecified(const std::string& address) {
  return address.empty() || address == "0.0.0.0" || address == "::" || address == "[::]";
}

bool IsTemporaryAcceptError(int status) {
  return status == UV_EMFILE || status == UV_ENFILE || status == UV_ENOBUFS || status == UV_ENOMEM ||
         status == UV_ECONNABORTED;
}

std::string HostPort(const std::string& host, int port) {
  return host.find(':') != std::string::npos ? absl::StrCat("[", host, "]:", port) : absl::StrCat(host, ":", port);
}

// ListenSocket creates a non-blocking listening socket on `address`; returns the descriptor or a negative errno.
int ListenSocket(const sockaddr* address, socklen_t length, bool reuse_port, int backlog) {
  const int fd = ::socket(address->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int one = 1;
  int zero = 0;
  // Go sets SO_REUSEADDR on Linux listeners; [::] listens dual-stack whatever net.ipv6.bindv6only says.
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      (reuse_port && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) ||
      (address->sa_family == AF_INET6 && ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) != 0) ||
      // Before listen(), so no connection can queue without them; accept4 copies them into each connection.
      !SetServingTcpOptions(fd).ok() || ::bind(fd, address, length) != 0 || ::listen(fd, backlog) != 0) {
    const int error = errno;
    ::close(fd);
    return -error;
  }
  return fd;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Listener>> Listener::Bind(EventLoop* loop, const ListenOptions& options,
                                                         ConnectionContext* context, ConnectionSet* connections) {
  std::unique_ptr<Listener> listener(new Listener());
  listener->context_ = context;
  listener->connections_ = connections;

  std::string host = options.bind_address;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  sockaddr_storage address{};
  const bool unspecified = IsUnspecified(host);
  if (unspecified) host = "::";
  int family = AF_INET6;
  if (uv_ip6_addr(host.c_str(), options.port, reinterpret_cast<sockaddr_in6*>(&address)) != 0) {
    family = AF_INET;
    if (uv_ip4_addr(host.c_str(), options.port, reinterpret_cast<sockaddr_in*>(&address)) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("invalid listen address: \"", options.bind_address, "\""));
    }
  }
  const std::string shown = HostPort(options.bind_address.empty() ? "0.0.0.0" : options.bind_address, options.port);

  int fd = family == AF_INET6 ? ListenSocket(reinterpret_cast<sockaddr*>(&address), sizeof(sockaddr_in6),
                                             options.reuse_port, options.backlog)
                              : ListenSocket(reinterpret_cast<sockaddr*>(&address), sizeof(sockaddr_in),
                                             options.reuse_port, options.backlog);
  if (fd < 0 && unspecified && (fd == -EAFNOSUPPORT || fd == -EADDRNOTAVAIL)) {
    sockaddr_in any4{};
    uv_ip4_addr("0.0.0.0", options.port, &any4);
    family = AF_INET;
    fd = ListenSocket(reinterpret_cast<sockaddr*>(&any4), sizeof(any4), options.reuse_port, options.backlog);
  }
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("failed to create listener: failed to listen on ", shown, ": ", uv_strerror(fd)));
  }
  auto socket = std::make_shared<const Socket>(fd);
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    return absl::InternalError(
        absl::StrCat("failed to create listener: getsockname on ", shown, ": ", uv_strerror(-errno)));
  }
  listener->port_ = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);  // same offset for in6
  listener->address_ =
      unspecified && family == AF_INET6 ? absl::StrCat("[::]:", listener->port_) : HostPort(host, listener->port_);
  listener->SetLocalIfSpecific(bound);
  if (absl::Status started = listener->Start(loop, std::move(socket)); !started.ok()) return started;
  return listener;
}

absl::StatusOr<std::unique_ptr<Listener>> Listener::Adopt(EventLoop* loop, int fd, ConnectionContext* context,
                                                          ConnectionSet* connections) {
  auto socket = std::make_shared<const Socket>(fd);  // owns `fd` from here, whatever happens next
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    return absl::InternalError(
        absl::StrCat("failed to create listener: getsockname on inherited fd ", fd, ": ", uv_strerror(-errno)));
  }
  std::unique_ptr<Listener> listener(new Listener());
  listener->context_ = context;
  listener->connections_ = connections;
  if (bound.ss_family != AF_INET6 && bound.ss_family != AF_INET) {
    return absl::InvalidArgumentError(
        absl::StrCat("failed to create listener: inherited fd ", fd, " is not an IPv4 or IPv6 socket"));
  }
  listener->port_ = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);  // same offset for in6
  listener->address_ = FormatAddress(bound);
  listener->SetLocalIfSpecific(bound);
  // Listening already: connections may be queued (the one that activated us) without the serving options, so an
  // adopted socket's connections get them one by one.
  listener->options_per_connection_ = true;
  if (absl::Status started = listener->Start(loop, std::move(socket)); !started.ok()) return started;
  return listener;
}

absl::StatusOr<std::unique_ptr<Listener>> Listener::Join(EventLoop* loop, const Listener& shared,
                                                         ConnectionContext* context, ConnectionSet* connections) {
  if (shared.socket_ == nullptr) return absl::FailedPreconditionError("Listener::Join: the listener is closed");
  std::unique_ptr<Listener> listener(new Listener());
  listener->context_ = context;
  listener->connections_ = connections;
  listener->port_ = shared.port_;
  listener->address_ = shared.address_;
  listener->options_per_connection_ = shared.options_per_connection_;
  listener->local_known_ = shared.local_known_;
  listener->local_ = shared.local_;
  if (absl::Status started = listener->Start(loop, shared.socket_); !started.ok()) return started;
  return listener;
}

absl::Status Listener::Start(EventLoop* loop, std::shared_ptr<const Socket> socket) {
  socket_ = std::move(socket);
  fd_ = socket_->fd;
  // uv_poll_init registers nothing when it fails; once it succeeded, the handle must be closed before the object
  // goes, which an error return here could not wait for. The two calls after it fail only on a programming error
  // (an uninitialized loop, a handle started twice): abort with the reason.
  if (int rc = uv_poll_init(loop->uv_loop(), &poll_, fd_); rc != 0) {
    return absl::InternalError(
        absl::StrCat("failed to create listener: cannot poll ", address_, ": uv_poll_init: ", uv_strerror(rc)));
  }
  poll_.data = this;
  if (int rc = uv_timer_init(loop->uv_loop(), &backoff_timer_); rc != 0) {
    LOG(FATAL) << "listener " << address_ << ": uv_timer_init: " << uv_strerror(rc);
  }
  backoff_timer_.data = this;
  handles_open_ = 2;
  if (int rc = uv_poll_start(&poll_, UV_READABLE, &OnReadable); rc != 0) {
    LOG(FATAL) << "listener " << address_ << ": uv_poll_start: " << uv_strerror(rc);
  }
  return absl::OkStatus();
}

Listener::Socket::~Socket() { ::close(fd); }

void Listener::SetLocalIfSpecific(const sockaddr_storage& bound) {
  if (bound.ss_family == AF_INET) {
    local_known_ = reinterpret_cast<const sockaddr_in&>(bound).sin_addr.s_addr != htonl(INADDR_ANY);
  } else if (bound.ss_family == AF_INET6) {
    const in6_addr& ip = reinterpret_cast<const sockaddr_in6&>(bound).sin6_addr;
    local_known_ = !IN6_IS_ADDR_UNSPECIFIED(&ip) && !IN6_IS_ADDR_V4MAPPED(&ip);
  }
  if (local_known_) local_ = bound;
}

Listener::~Listener() = default;  // after Close's callback, or when Bind/Join failed before opening a handle

void Listener::OnReadable(uv_poll_t* poll, int status, int /*events*/) {
  auto* self = static_cast<Listener*>(poll->data);
  if (self->closing_) return;
  if (status != 0) {
    LOG(FATAL) << "Stopped listening on " << self->address_ << " due to error: " << uv_strerror(status);
  }
  self->AcceptPending();
}

void Listener::AcceptPending() {
  for (int i = 0; i < kAcceptsPerWakeup && !closing_; ++i) {
    sockaddr_storage peer;
    socklen_t peer_length = sizeof(peer);
    const int fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&peer), &peer_length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      in_error_burst_ = false;
      if (options_per_connection_) {
        if (absl::Status set = SetServingTcpOptions(fd); !set.ok())
          LOG(WARNING) << "listener " << address_ << ": " << set;
      }
      KnownAddresses known;
      if (peer_length <= sizeof(peer)) known.peer = &peer;
      if (local_known_) known.local = &local_;
      Connection::Adopt(fd, context_, connections_, known);
      continue;
    }
    const int error = errno;
    if (error == EAGAIN || error == EWOULDBLOCK) return;
    if (error == EINTR || error == ECONNABORTED) continue;
    const int status = -error;
    if (!IsTemporaryAcceptError(status)) {
      LOG(FATAL) << "Stopped listening on " << address_ << " due to error: " << uv_strerror(status);
    }
    if (!in_error_burst_) {
      LOG(ERROR) << "http: Accept error: " << uv_strerror(status) << "; retrying";
      in_error_burst_ = true;
      backoff_ms_ = 0;
    }
    Pause();
    return;
  }
}

void Listener::Pause() {
  backoff_ms_ = backoff_ms_ == 0 ? 5 : std::min<int64_t>(backoff_ms_ * 2, 1000);  // Go's tempDelay
  uv_poll_stop(&poll_);                                                           // returns 0 on a poll handle
  const int rc = uv_timer_start(
      &backoff_timer_,
      [](uv_timer_t* timer) {
        auto* self = static_cast<Listener*>(timer->data);
        if (self->closing_) return;
        if (int error = uv_poll_start(&self->poll_, UV_READABLE, &OnReadable); error != 0) {
          LOG(FATAL) << "Stopped listening on " << self->address_ << " due to error: " << uv_strerror(error);
        }
      },
      static_cast<uint64_t>(backoff_ms_), 0);
  if (rc != 0) LOG(FATAL) << "Stopped listening on " << address_ << " due to error: " << uv_strerror(rc);
}

void Listener::Close(std::function<void()> on_closed) {
  if (closing_) return;
  closing_ = true;
  on_closed_ = std::move(on_closed);
  uv_poll_stop(&poll_);
  uv_timer_stop(&backoff_timer_);
  auto closed = [](uv_handle_t* handle) {
    auto* self = static_cast<Listener*>(handle->data);
    if (--self->handles_open_ > 0) return;
    self->socket_.reset();  // after the poll handle is gone, as libuv requires; the last one closes the socket
    self->fd_ = -1;
    if (self->on_closed_) self->on_closed_();
  };
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&backoff_timer_), closed);
}

}  // namespace apiserve::server
