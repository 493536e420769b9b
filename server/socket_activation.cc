#include "server/socket_activation.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/logger.h"

namespace apiserve::server {
namespace {

// ParseDecimal accepts only ASCII digits (no sign, no space), at most `max`.
bool ParseDecimal(const char* text, int64_t max, int64_t* value) {
  const std::string s(text);
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(s, value) && *value <= max;
}

// SocketOption reads an int socket option of `fd`; returns false with errno set when getsockopt fails.
bool SocketOption(int fd, int level, int name, int* value) {
  socklen_t length = sizeof(*value);
  return ::getsockopt(fd, level, name, value, &length) == 0;
}

// CheckListeningTcpSocket returns why `fd` is not a listening TCP stream socket, or "" if it is.
std::string WhyNotListeningTcp(int fd) {
  int type = 0;
  if (!SocketOption(fd, SOL_SOCKET, SO_TYPE, &type)) {
    return errno == ENOTSOCK ? "not a socket" : absl::StrCat("getsockopt(SO_TYPE): ", std::strerror(errno));
  }
  if (type != SOCK_STREAM) return absl::StrCat("SO_TYPE=", type, ", not SOCK_STREAM");
  int domain = 0;
  if (!SocketOption(fd, SOL_SOCKET, SO_DOMAIN, &domain)) {
    return absl::StrCat("getsockopt(SO_DOMAIN): ", std::strerror(errno));
  }
  if (domain != AF_INET && domain != AF_INET6) return absl::StrCat("SO_DOMAIN=", domain, ", not AF_INET or AF_INET6");
  int protocol = 0;
  if (!SocketOption(fd, SOL_SOCKET, SO_PROTOCOL, &protocol)) {
    return absl::StrCat("getsockopt(SO_PROTOCOL): ", std::strerror(errno));
  }
  if (protocol != IPPROTO_TCP) return absl::StrCat("SO_PROTOCOL=", protocol, ", not IPPROTO_TCP");
  int listening = 0;
  if (!SocketOption(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening)) {
    return absl::StrCat("getsockopt(SO_ACCEPTCONN): ", std::strerror(errno));
  }
  if (listening == 0) return "not listening (SO_ACCEPTCONN=0)";
  return "";
}

absl::StatusOr<int> TakeListener() {
  const char* pid_text = ::getenv("LISTEN_PID");
  if (pid_text == nullptr) return -1;
  int64_t pid = 0;
  if (!ParseDecimal(pid_text, INT_MAX, &pid) || pid == 0) {
    return absl::InvalidArgumentError(absl::StrCat("LISTEN_PID=\"", pid_text, "\" is not a process id"));
  }
  if (pid != ::getpid()) return -1;  // meant for the process we inherited it from
  const char* fds_text = ::getenv("LISTEN_FDS");
  if (fds_text == nullptr) return -1;
  int64_t count = 0;
  if (!ParseDecimal(fds_text, INT_MAX - kListenFdsStart, &count)) {
    return absl::InvalidArgumentError(absl::StrCat("LISTEN_FDS=\"", fds_text, "\" is not a number of descriptors"));
  }
  if (count == 0) return -1;

  const std::string prefix = absl::StrCat("LISTEN_FDS=", count, ": ");
  const int last = kListenFdsStart + static_cast<int>(count) - 1;
  for (int fd = kListenFdsStart; fd <= last; ++fd) {
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags < 0) {
      if (errno == EBADF) return absl::FailedPreconditionError(absl::StrCat(prefix, "fd ", fd, " is not open"));
      return absl::InternalError(absl::StrCat(prefix, "fcntl(", fd, ", F_GETFD): ", std::strerror(errno)));
    }
    if (::fcntl(fd, F_SETFD, flags | FD_CLOEXEC) != 0) {
      return absl::InternalError(absl::StrCat(prefix, "fcntl(", fd, ", F_SETFD): ", std::strerror(errno)));
    }
  }
  const int fd = kListenFdsStart;
  if (const std::string why = WhyNotListeningTcp(fd); !why.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(prefix, "fd ", fd, " is not a listening TCP socket (", why, ")"));
  }
  const int status_flags = ::fcntl(fd, F_GETFL);
  if (status_flags < 0 || ::fcntl(fd, F_SETFL, status_flags | O_NONBLOCK) != 0) {
    return absl::InternalError(absl::StrCat(prefix, "fcntl(", fd, ", O_NONBLOCK): ", std::strerror(errno)));
  }
  if (last > fd) {
    LOG(WARNING) << "socket activation: " << prefix << "serving on fd " << fd << " only; fds " << fd + 1 << ".." << last
                 << " are left unused";
  }
  return fd;
}

}  // namespace

absl::StatusOr<int> TakeSocketActivationListener() {
  absl::Cleanup unset = [] {
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDS");
    ::unsetenv("LISTEN_FDNAMES");
  };
  return TakeListener();
}

}  // namespace apiserve::server
