#include "server/socket_activation.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/handler.h"
#include "http/response.h"
#include "http1/codec.h"
#include "server/secure_server.h"
#include "server/test_tls.h"

namespace apiserve::server {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::HasSubstr;

// Holds(fd) matches an OK StatusOr<int> holding `fd`.
MATCHER_P(Holds, fd, absl::StrCat("is OK and holds ", fd)) {
  if (!arg.ok()) {
    *result_listener << "whose status is " << arg.status().ToString();
    return false;
  }
  *result_listener << "which holds " << *arg;
  return *arg == fd;
}

// A loopback TCP socket bound to a free port; listening when `listen` is true.
int TcpSocket(bool listen) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      (listen && ::listen(fd, 16) != 0)) {
    ADD_FAILURE() << "socket: " << std::strerror(errno);
  }
  return fd;
}

int PortOf(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

// Get sends `GET path` over TLS and HTTP/1.1 with Connection: close to 127.0.0.1:`port`; returns what came back, or
// "refused" when the connection could not be made.
std::string Get(int port, const std::string& path) {
  const int fd = ConnectTcp(port);
  if (fd < 0) return "refused";
  TlsClient client(fd, "http/1.1");
  if (!client.Handshake()) return "handshake failed";
  client.Write(absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  client.ReadToEnd();
  return client.received();
}

bool EnvUnset() {
  return ::getenv("LISTEN_PID") == nullptr && ::getenv("LISTEN_FDS") == nullptr &&
         ::getenv("LISTEN_FDNAMES") == nullptr;
}

// Each test puts its descriptor at fd 3, as a process manager would, and sets the environment; whatever the test
// process had at fd 3 is kept aside and put back.
class SocketActivationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_fd3_ = ::fcntl(kListenFdsStart, F_DUPFD_CLOEXEC, 10);  // -1 when fd 3 was not open
    ::close(kListenFdsStart);
  }
  void TearDown() override {
    if (own_fd3_) ::close(kListenFdsStart);
    if (saved_fd3_ >= 0) {
      ::dup2(saved_fd3_, kListenFdsStart);
      ::close(saved_fd3_);
    }
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDS");
    ::unsetenv("LISTEN_FDNAMES");
  }

  // PlaceAtFd3 moves `fd` to fd 3, which the test then owns (until Release).
  void PlaceAtFd3(int fd) {
    // Inheritable, as a process manager hands it over (dup2 clears FD_CLOEXEC; fd may already be 3).
    if (fd != kListenFdsStart) {
      ASSERT_EQ(::dup2(fd, kListenFdsStart), kListenFdsStart);
      ::close(fd);
    }
    ASSERT_EQ(::fcntl(kListenFdsStart, F_SETFD, 0), 0);
    own_fd3_ = true;
  }
  void Release() { own_fd3_ = false; }

  static void SetEnv(const std::string& pid, const std::string& fds) {
    ::setenv("LISTEN_PID", pid.c_str(), 1);
    ::setenv("LISTEN_FDS", fds.c_str(), 1);
    ::setenv("LISTEN_FDNAMES", "apiserver", 1);
  }
  static void SetEnvForUs(const std::string& fds = "1") { SetEnv(std::to_string(::getpid()), fds); }

  int saved_fd3_ = -1;
  bool own_fd3_ = false;
};

TEST_F(SocketActivationTest, WithoutListenPidNothingIsInherited) {
  ::setenv("LISTEN_FDS", "1", 1);
  EXPECT_THAT(TakeSocketActivationListener(), Holds(-1));
  EXPECT_TRUE(EnvUnset());
}

TEST_F(SocketActivationTest, ListenPidOfAnotherProcessIsNotForUs) {
  PlaceAtFd3(TcpSocket(/*listen=*/true));
  SetEnv(std::to_string(::getpid() + 1), "1");
  EXPECT_THAT(TakeSocketActivationListener(), Holds(-1));
  EXPECT_TRUE(EnvUnset());
  EXPECT_EQ(::fcntl(kListenFdsStart, F_GETFD) & FD_CLOEXEC, 0) << "fd 3 is not ours to touch";
}

TEST_F(SocketActivationTest, NoListenFdsOrZeroIsNotActivated) {
  ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
  EXPECT_THAT(TakeSocketActivationListener(), Holds(-1));
  SetEnvForUs("0");
  EXPECT_THAT(TakeSocketActivationListener(), Holds(-1));
  EXPECT_TRUE(EnvUnset());
}

TEST_F(SocketActivationTest, BadListenPidIsAnError) {
  for (const char* pid : {"", "abc", "-1", "+1", " 1", "1 ", "0", "0x10", "99999999999"}) {
    SCOPED_TRACE(pid);
    SetEnv(pid, "1");
    EXPECT_THAT(TakeSocketActivationListener(), StatusIs(absl::StatusCode::kInvalidArgument,
                                                         absl::StrCat("LISTEN_PID=\"", pid, "\" is not a process id")));
    EXPECT_TRUE(EnvUnset());
  }
}

TEST_F(SocketActivationTest, BadListenFdsIsAnError) {
  for (const char* fds : {"", "x", "-1", "+1", "1 ", "2147483647", "99999999999999999999"}) {
    SCOPED_TRACE(fds);
    SetEnvForUs(fds);
    EXPECT_THAT(TakeSocketActivationListener(),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         absl::StrCat("LISTEN_FDS=\"", fds, "\" is not a number of descriptors")));
    EXPECT_TRUE(EnvUnset());
  }
}

TEST_F(SocketActivationTest, ClosedFdIsAnError) {
  SetEnvForUs();
  EXPECT_THAT(TakeSocketActivationListener(),
              StatusIs(absl::StatusCode::kFailedPrecondition, "LISTEN_FDS=1: fd 3 is not open"));
  EXPECT_TRUE(EnvUnset());
}

TEST_F(SocketActivationTest, SocketThatDoesNotListenIsAnError) {
  PlaceAtFd3(TcpSocket(/*listen=*/false));
  SetEnvForUs();
  EXPECT_THAT(TakeSocketActivationListener(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "LISTEN_FDS=1: fd 3 is not a listening TCP socket (not listening (SO_ACCEPTCONN=0))"));
  EXPECT_TRUE(EnvUnset());
}

TEST_F(SocketActivationTest, UdpSocketIsAnError) {
  PlaceAtFd3(::socket(AF_INET, SOCK_DGRAM, 0));
  SetEnvForUs();
  EXPECT_THAT(TakeSocketActivationListener(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "LISTEN_FDS=1: fd 3 is not a listening TCP socket (SO_TYPE=2, not SOCK_STREAM)"));
}

TEST_F(SocketActivationTest, UnixSocketIsAnError) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  ::close(pair[1]);
  PlaceAtFd3(pair[0]);
  SetEnvForUs();
  EXPECT_THAT(TakeSocketActivationListener(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "LISTEN_FDS=1: fd 3 is not a listening TCP socket (SO_DOMAIN=1, not AF_INET or AF_INET6)"));
}

TEST_F(SocketActivationTest, PipeIsAnError) {
  int pipe[2];
  ASSERT_EQ(::pipe(pipe), 0);
  ::close(pipe[1]);
  PlaceAtFd3(pipe[0]);
  SetEnvForUs();
  EXPECT_THAT(TakeSocketActivationListener(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "LISTEN_FDS=1: fd 3 is not a listening TCP socket (not a socket)"));
}

TEST_F(SocketActivationTest, ListeningSocketIsTakenCloseOnExecAndNonBlocking) {
  PlaceAtFd3(TcpSocket(/*listen=*/true));  // inheritable and blocking
  SetEnvForUs();
  EXPECT_THAT(TakeSocketActivationListener(), Holds(kListenFdsStart));
  EXPECT_TRUE(EnvUnset());
  EXPECT_NE(::fcntl(kListenFdsStart, F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_NE(::fcntl(kListenFdsStart, F_GETFL) & O_NONBLOCK, 0);
  // Taken once: the environment is gone, so a second call finds nothing.
  EXPECT_THAT(TakeSocketActivationListener(), Holds(-1));
}

class ServeInheritedTest : public SocketActivationTest, public ::testing::WithParamInterface<bool> {};

// A SecureServer given the inherited socket serves on it from every loop (with --permit-port-sharing too), reports
// its real address, and closes it when it goes.
TEST_P(ServeInheritedTest, ServesOnTheInheritedSocket) {
  const int listening = TcpSocket(/*listen=*/true);
  const int port = PortOf(listening);
  PlaceAtFd3(listening);
  SetEnvForUs();
  absl::StatusOr<int> fd = TakeSocketActivationListener();
  ASSERT_THAT(fd, Holds(kListenFdsStart));

  auto ctx = MakeTestServerSslCtx(/*http2=*/false);
  ASSERT_THAT(ctx, IsOk());
  ServingOptions options;  // bind_address and port are the defaults: the inherited socket wins (with a warning)
  options.workers = 2;
  options.permit_port_sharing = GetParam();
  options.inherited_fd = *fd;
  http::HandlerPtr handler = http::HandlerFunc([](http::RequestPtr request, http::ResponseWriter writer) {
    writer.Send(http::TextResponse(200, absl::StrCat("inherited ", request->path))).IgnoreError();
  });
  auto codecs = [](absl::string_view, const http::CodecContext& context) -> std::unique_ptr<http::ServerCodec> {
    return std::make_unique<http1::Codec>(context, http1::Options());
  };
  Release();  // Serve owns it now
  auto server = SecureServer::Serve(options, ctx->get(), handler, codecs);
  ASSERT_THAT(server, IsOk());
  EXPECT_EQ((*server)->port(), port);
  EXPECT_EQ((*server)->address(), absl::StrCat("127.0.0.1:", port));
  for (int i = 0; i < 4; ++i) {
    const std::string response = Get(port, "/x");
    EXPECT_THAT(response, HasSubstr("HTTP/1.1 200"));
    EXPECT_THAT(response, HasSubstr("inherited /x"));
  }
  // The socket's own options are left alone, but its connections get the serving ones (server/tcp_options.h).
  EXPECT_EQ(ServerEndTcpOptions(port), "nodelay=1 keepalive=1 idle=180 interval=180");
  server->reset();  // closes the socket: the port refuses connections
  EXPECT_EQ(Get(port, "/x"), "refused");
}

INSTANTIATE_TEST_SUITE_P(PortSharing, ServeInheritedTest, ::testing::Bool());

TEST_F(SocketActivationTest, ServeClosesTheInheritedSocketWhenItFails) {
  const int listening = TcpSocket(/*listen=*/true);
  const int port = PortOf(listening);
  auto ctx = MakeTestServerSslCtx(/*http2=*/false);
  ASSERT_THAT(ctx, IsOk());
  ServingOptions options;
  options.workers = 0;  // invalid
  options.inherited_fd = listening;
  auto server =
      SecureServer::Serve(options, ctx->get(), http::HandlerFunc([](http::RequestPtr, http::ResponseWriter) {}),
                          [](absl::string_view, const http::CodecContext&) { return nullptr; });
  EXPECT_THAT(server, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(::fcntl(listening, F_GETFD), -1) << "closed";
  EXPECT_EQ(Get(port, "/x"), "refused");
}

}  // namespace
}  // namespace apiserve::server
