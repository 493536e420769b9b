// SetServingTcpOptions on a listening socket: every socket accept4 returns carries the options (what lets the accept
// path skip setsockopt per connection), and a single connection can be given them directly.

#include "server/tcp_options.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::server {
namespace {

int GetInt(int fd, int level, int option) {
  int value = -1;
  socklen_t length = sizeof(value);
  if (::getsockopt(fd, level, option, &value, &length) != 0) return -1;
  return value;
}

void ExpectServingOptions(int fd) {
  EXPECT_EQ(GetInt(fd, IPPROTO_TCP, TCP_NODELAY), 1);
  EXPECT_EQ(GetInt(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
  EXPECT_EQ(GetInt(fd, IPPROTO_TCP, TCP_KEEPIDLE), 180);
  EXPECT_EQ(GetInt(fd, IPPROTO_TCP, TCP_KEEPINTVL), 180);
}

TEST(SetServingTcpOptions, AcceptedSocketsInheritThemFromTheListener) {
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), length), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ASSERT_TRUE(SetServingTcpOptions(listener).ok());

  // Both before and after the options: a connection queued in the backlog before they were set is not covered,
  // so the listener sets them before listen() in production; these two connect after.
  for (int i = 0; i < 2; ++i) {
    const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(client, 0);
    ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), length), 0);
    const int accepted = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    ASSERT_GE(accepted, 0);
    ExpectServingOptions(accepted);
    // The client end has none of them: they come from the listener, not from the system's defaults.
    EXPECT_EQ(GetInt(client, IPPROTO_TCP, TCP_NODELAY), 0);
    EXPECT_EQ(GetInt(client, SOL_SOCKET, SO_KEEPALIVE), 0);
    ::close(accepted);
    ::close(client);
  }
  ::close(listener);
}

TEST(SetServingTcpOptions, SetsThemOnOneConnection) {
  const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SetServingTcpOptions(fd).ok());
  ExpectServingOptions(fd);
  ::close(fd);
}

TEST(SetServingTcpOptions, NamesTheOptionThatFailed) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const absl::Status status = SetServingTcpOptions(pipe_fds[0]);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(status.message(), ::testing::HasSubstr("setsockopt(TCP_NODELAY, 1) on fd"));
  EXPECT_THAT(status.message(), ::testing::HasSubstr("Socket operation on non-socket"));
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

}  // namespace
}  // namespace apiserve::server
