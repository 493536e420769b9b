#include "server/tcp_options.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace apiserve::server {
namespace {

absl::Status SetInt(int fd, int level, int option, const char* name, int value) {
  if (::setsockopt(fd, level, option, &value, sizeof(value)) == 0) return absl::OkStatus();
  const int error = errno;
  absl::Status status =
      absl::InternalError(absl::StrCat("setsockopt(", name, ", ", value, ") on fd ", fd, ": ", std::strerror(error)));
  errno = error;  // for callers that report errno
  return status;
}

}  // namespace

absl::Status SetServingTcpOptions(int fd) {
  const int period_seconds = static_cast<int>(absl::ToInt64Seconds(kKeepAlivePeriod));
  absl::Status status = SetInt(fd, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY", 1);
  if (status.ok()) status = SetInt(fd, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE", 1);
  if (status.ok()) status = SetInt(fd, IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE", period_seconds);
  if (status.ok()) status = SetInt(fd, IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL", period_seconds);
  return status;
}

}  // namespace apiserve::server
