#include "server/listener.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/logger.h"

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

  auto try_bind = [&](int fam, const sockaddr* addr) -> int {
    if (int rc = uv_tcp_init_ex(loop->uv_loop(), &listener->tcp_, static_cast<unsigned>(fam)); rc != 0) return rc;
    listener->tcp_.data = listener.get();
    if (options.reuse_port) {
      uv_os_fd_t fd;
      uv_fileno(reinterpret_cast<uv_handle_t*>(&listener->tcp_), &fd);
      int one = 1;
      if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
        LOG(WARNING) << "failed to set SO_REUSEPORT on " << shown;
      }
    }
    int rc = uv_tcp_bind(&listener->tcp_, addr, 0);
    if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener->tcp_), options.backlog, &OnConnection);
    return rc;
  };
  auto close_handle = [&] {
    // The handle lives in the Listener; run the loop's close callback before the Listener is freed.
    uv_close(reinterpret_cast<uv_handle_t*>(&listener->tcp_), nullptr);
    uv_run(loop->uv_loop(), UV_RUN_NOWAIT);
  };

  int rc = try_bind(family, reinterpret_cast<sockaddr*>(&address));
  if (rc != 0 && unspecified && (rc == UV_EAFNOSUPPORT || rc == UV_EADDRNOTAVAIL)) {
    close_handle();
    sockaddr_in any4{};
    uv_ip4_addr("0.0.0.0", options.port, &any4);
    family = AF_INET;
    rc = try_bind(AF_INET, reinterpret_cast<sockaddr*>(&any4));
  }
  if (rc != 0) {
    close_handle();
    return absl::UnavailableError(
        absl::StrCat("failed to create listener: failed to listen on ", shown, ": ", uv_strerror(rc)));
  }
  sockaddr_storage bound{};
  int length = sizeof(bound);
  uv_tcp_getsockname(&listener->tcp_, reinterpret_cast<sockaddr*>(&bound), &length);
  listener->port_ = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);  // same offset for in6
  listener->loop_ = loop;
  listener->backlog_ = options.backlog;
  listener->tcp_open_ = true;
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(&listener->tcp_), &fd) == 0) {
    listener->spare_fd_ = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  }
  uv_timer_init(loop->uv_loop(), &listener->backoff_timer_);
  listener->backoff_timer_.data = listener.get();
  listener->address_ =
      unspecified && family == AF_INET6 ? absl::StrCat("[::]:", listener->port_) : HostPort(host, listener->port_);
  return listener;
}

Listener::~Listener() = default;

void Listener::OnConnection(uv_stream_t* server, int status) {
  auto* self = static_cast<Listener*>(server->data);
  if (self->closing_) return;
  if (status == 0) {
    int error = 0;
    if (Connection::Accept(server, self->context_, self->connections_, &error)) {
      self->in_error_burst_ = false;
      return;
    }
    status = error;
  }
  if (IsTemporaryAcceptError(status)) {
    if (!self->in_error_burst_) {
      LOG(ERROR) << "http: Accept error: " << uv_strerror(status) << "; retrying";
      self->in_error_burst_ = true;
      self->backoff_ms_ = 0;
    }
    if (status != UV_ECONNABORTED) self->Pause();  // libuv would call accept again at once
    return;
  }
  LOG(FATAL) << "Stopped listening on " << self->address_ << " due to error: " << uv_strerror(status);
}

void Listener::Pause() {
  if (paused_ || closing_ || spare_fd_ < 0) return;
  paused_ = true;
  backoff_ms_ = backoff_ms_ == 0 ? 5 : std::min<int64_t>(backoff_ms_ * 2, 1000);  // Go's tempDelay
  tcp_open_ = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), [](uv_handle_t* handle) {
    auto* self = static_cast<Listener*>(handle->data);
    if (self->closing_) return;
    uv_timer_start(
        &self->backoff_timer_, [](uv_timer_t* timer) { static_cast<Listener*>(timer->data)->Resume(); },
        static_cast<uint64_t>(self->backoff_ms_), 0);
  });
}

void Listener::Resume() {
  if (closing_) return;
  const int fd = ::fcntl(spare_fd_, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) {  // still no descriptor to spare: wait longer
    backoff_ms_ = std::min<int64_t>(backoff_ms_ * 2, 1000);
    uv_timer_start(
        &backoff_timer_, [](uv_timer_t* timer) { static_cast<Listener*>(timer->data)->Resume(); },
        static_cast<uint64_t>(backoff_ms_), 0);
    return;
  }
  uv_tcp_init(loop_->uv_loop(), &tcp_);
  tcp_.data = this;
  tcp_open_ = true;
  paused_ = false;
  int rc = uv_tcp_open(&tcp_, fd);
  if (rc != 0) {
    ::close(fd);
  } else {
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&tcp_), backlog_, &OnConnection);
  }
  if (rc != 0) LOG(FATAL) << "Stopped listening on " << address_ << " due to error: " << uv_strerror(rc);
}

void Listener::Close(std::function<void()> on_closed) {
  if (closing_) return;
  closing_ = true;
  on_closed_ = std::move(on_closed);
  if (spare_fd_ >= 0) ::close(spare_fd_);
  spare_fd_ = -1;
  uv_timer_stop(&backoff_timer_);
  auto done = [](uv_handle_t* handle) {
    auto* self = static_cast<Listener*>(handle->data);
    if (self->on_closed_) self->on_closed_();
  };
  if (tcp_open_) {
    tcp_open_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&backoff_timer_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), done);  // after the timer's close callback (FIFO)
  } else {
    uv_close(reinterpret_cast<uv_handle_t*>(&backoff_timer_), done);
  }
}

}  // namespace apiserve::server
