#include "server/secure_server.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/poll_until.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/handler.h"
#include "http/response.h"
#include "http1/codec.h"
#include "http2/test_client.h"
#include "server/codecs.h"
#include "server/serving_metrics.h"
#include "server/test_tls.h"

namespace apiserve::server {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

CodecFactory Http1Only() {
  return [](absl::string_view, const http::CodecContext& context) -> std::unique_ptr<http::ServerCodec> {
    return std::make_unique<http1::Codec>(context, http1::Options());
  };
}

class SecureServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ctx = MakeTestServerSslCtx(/*http2=*/false);
    ASSERT_THAT(ctx, IsOk());
    ctx_ = *std::move(ctx);
  }

  absl::StatusOr<std::unique_ptr<SecureServer>> Start(ServingOptions options) {
    options.bind_address = "127.0.0.1";
    options.port = 0;
    return SecureServer::Serve(options, ctx_.get(), handler_, Http1Only());
  }

  // Get returns the response to GET `path` from the server on `port` (HttpsGet), or fails the test.
  static HttpResponse Get(int port, const std::string& path, uint16_t max_tls_version = 0) {
    absl::StatusOr<HttpResponse> response = HttpsGet(port, path, max_tls_version);
    EXPECT_THAT(response, IsOk()) << path;
    return response.ok() ? *std::move(response) : HttpResponse();
  }
  // Hello is what the handler answers to `path` over TLS 1.3.
  static std::string Hello(const std::string& path) { return absl::StrCat("hello ", path, " over TLSv1.3"); }

  bssl::UniquePtr<SSL_CTX> ctx_;
  http::HandlerPtr handler_ = http::HandlerFunc([](http::RequestPtr request, http::ResponseWriter writer) {
    writer
        .Send(
            http::TextResponse(200, absl::StrCat("hello ", request->path, " over ", request->connection->tls_version)))
        .IgnoreError();
  });
};

// The listener sets them once (server/tcp_options.h); each connection inherits them: no Nagle delay, and kube's
// keepalive — first probe after 3 minutes idle, then every 3 minutes (Go's SetKeepAlivePeriod sets both).
TEST_F(SecureServerTest, AcceptedConnectionsCarryKubesTcpOptions) {
  auto server = Start(ServingOptions());
  ASSERT_THAT(server, IsOk());
  EXPECT_EQ(ServerEndTcpOptions((*server)->port()), "nodelay=1 keepalive=1 idle=180 interval=180");
}

// The connection's addresses, as a handler sees them: the peer's from accept4, the local one from the listener
// when it is bound to one IP, else from the socket (a wildcard listener: the address the client dialled).
TEST_F(SecureServerTest, HandlersSeeThePeerAndLocalAddresses) {
  handler_ = http::HandlerFunc([](http::RequestPtr request, http::ResponseWriter writer) {
    writer
        .Send(http::TextResponse(200, absl::StrCat("remote=", request->connection->remote_address,
                                                   " local=", request->connection->local_address, ";")))
        .IgnoreError();
  });
  for (const char* bind : {"127.0.0.1", "0.0.0.0"}) {
    ServingOptions options;
    options.bind_address = bind;
    options.port = 0;
    auto server = SecureServer::Serve(options, ctx_.get(), handler_, Http1Only());
    ASSERT_THAT(server, IsOk()) << bind;
    const int fd = ConnectTcp((*server)->port());
    ASSERT_GE(fd, 0) << bind;
    sockaddr_in client{};
    socklen_t length = sizeof(client);
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&client), &length), 0);
    TlsClient tls(fd);
    ASSERT_TRUE(tls.Handshake()) << bind;
    ASSERT_TRUE(tls.Write("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(tls.ReadUntil(";")) << bind;
    EXPECT_THAT(tls.received(), HasSubstr(absl::StrCat("remote=127.0.0.1:", ntohs(client.sin_port),
                                                       " local=127.0.0.1:", (*server)->port(), ";")))
        << bind;
  }
}

// curl against the server binary: tests/e2e/tls_test.cc.
TEST_F(SecureServerTest, ServesHttps) {
  auto server = Start(ServingOptions());
  ASSERT_THAT(server, IsOk());
  EXPECT_GT((*server)->port(), 0);
  EXPECT_EQ((*server)->address(), absl::StrCat("127.0.0.1:", (*server)->port()));
  const HttpResponse healthz = Get((*server)->port(), "/healthz");
  EXPECT_EQ(healthz.status, 200);
  EXPECT_EQ(healthz.body, Hello("/healthz"));
  const HttpResponse tls12 = Get((*server)->port(), "/x", TLS1_2_VERSION);
  EXPECT_EQ(tls12.status, 200);
  EXPECT_EQ(tls12.body, "hello /x over TLSv1.2");
  EXPECT_EQ((*server)->Counters().accepted, 2u);
}

TEST_F(SecureServerTest, TwoWorkersShareThePort) {
  ServingOptions options;
  options.workers = 2;
  auto server = Start(options);
  ASSERT_THAT(server, IsOk());
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Get((*server)->port(), "/w").body, Hello("/w"));
  EXPECT_EQ((*server)->Counters().accepted, 4u);
}

TEST_F(SecureServerTest, PortInUseIsNamed) {
  auto first = Start(ServingOptions());
  ASSERT_THAT(first, IsOk());
  ServingOptions options;
  options.bind_address = "127.0.0.1";
  options.port = (*first)->port();
  auto second = SecureServer::Serve(options, ctx_.get(), handler_, Http1Only());
  EXPECT_THAT(second, base::StatusIs(absl::StatusCode::kUnavailable,
                                     absl::StrCat("failed to create listener: failed to listen on 127.0.0.1:",
                                                  options.port, ": address already in use")));
}

// Issue 16 #2: with several workers and no --permit-port-sharing, no socket has SO_REUSEPORT, so a second server
// (another process, in real life) cannot join the port; it used to bind it silently and take part of the traffic.
TEST_F(SecureServerTest, SecondServerCannotJoinThePortWithoutPortSharing) {
  ServingOptions options;
  options.workers = 2;
  auto first = Start(options);
  ASSERT_THAT(first, IsOk());
  for (int workers : {1, 2}) {
    for (bool permit : {false, true}) {
      ServingOptions second_options;
      second_options.bind_address = "127.0.0.1";
      second_options.port = (*first)->port();
      second_options.workers = workers;
      second_options.permit_port_sharing = permit;
      auto second = SecureServer::Serve(second_options, ctx_.get(), handler_, Http1Only());
      EXPECT_THAT(second, base::StatusIs(absl::StatusCode::kUnavailable,
                                         absl::StrCat("failed to create listener: failed to listen on 127.0.0.1:",
                                                      second_options.port, ": address already in use")))
          << "workers=" << workers << " permit_port_sharing=" << permit;
    }
  }
  // Both loops still accept from the one socket.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Get((*first)->port(), "/still").body, Hello("/still"));
}

TEST_F(SecureServerTest, PortSharingLetsTwoServersBindWhenBothPermitIt) {
  ServingOptions options;
  options.workers = 2;
  options.permit_port_sharing = true;
  auto first = Start(options);
  ASSERT_THAT(first, IsOk());
  ServingOptions second_options = options;
  second_options.bind_address = "127.0.0.1";
  second_options.port = (*first)->port();
  auto second = SecureServer::Serve(second_options, ctx_.get(), handler_, Http1Only());
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ((*second)->port(), (*first)->port());
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Get((*first)->port(), "/shared").body, Hello("/shared"));
}

// With the shared socket, stopping to listen closes it on every loop: the port is free again at once.
TEST_F(SecureServerTest, StopListeningWithSeveralWorkersFreesThePort) {
  ServingOptions options;
  options.workers = 3;
  auto first = Start(options);
  ASSERT_THAT(first, IsOk());
  (*first)->StopListening();
  ASSERT_TRUE((*first)->listener_stopped().WaitFor(absl::Seconds(10)));
  ServingOptions again;
  again.bind_address = "127.0.0.1";
  again.port = (*first)->port();
  auto second = SecureServer::Serve(again, ctx_.get(), handler_, Http1Only());
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(Get(again.port, "/again").body, Hello("/again"));
}

TEST_F(SecureServerTest, GarbageInsteadOfTlsIsCountedAndClosed) {
  auto server = Start(ServingOptions());
  ASSERT_THAT(server, IsOk());
  const int fd = ConnectTcp((*server)->port());
  ASSERT_GE(fd, 0);
  const std::string plain = "GET / HTTP/1.1\r\n\r\n";
  ASSERT_EQ(::write(fd, plain.data(), plain.size()), static_cast<ssize_t>(plain.size()));
  EXPECT_TRUE(RawReadsEof(fd)) << "the server closes a connection that does not speak TLS";
  ::close(fd);
  EXPECT_TRUE(base::PollUntil([&] { return (*server)->Counters().handshake_errors == 1; }));
  EXPECT_TRUE(base::PollUntil([&] { return (*server)->OpenConnections() == 0; }));
  EXPECT_EQ(Get((*server)->port(), "/still").body, Hello("/still"));
}

TEST_F(SecureServerTest, ShutdownStopsListeningAndFires) {
  auto server = Start(ServingOptions());
  ASSERT_THAT(server, IsOk());
  const int port = (*server)->port();
  EXPECT_EQ(Get(port, "/before").body, Hello("/before"));
  (*server)->Shutdown(absl::Seconds(5));
  ASSERT_TRUE((*server)->listener_stopped().WaitFor(absl::Seconds(10)));
  ASSERT_TRUE((*server)->stopped().WaitFor(absl::Seconds(10)));
  EXPECT_THAT(HttpsGet(port, "/after"), StatusIs(absl::StatusCode::kUnavailable,
                                                 absl::StrCat("connect to 127.0.0.1:", port, ": Connection refused")));
}

// Issue 20: at ShutdownInitiated the persistent connections move to other replicas while the listener stays open:
// a keep-alive connection's next response carries `Connection: close` and is served whole, and a connection
// accepted meanwhile is served once and closed.
class SecureServerDrainTest : public SecureServerTest {
 protected:
  std::unique_ptr<TlsClient> OpenClient(int port, const std::string& path) {
    auto client = std::make_unique<TlsClient>(ConnectTcp(port));
    EXPECT_TRUE(client->Handshake());
    EXPECT_TRUE(client->Write(absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: x\r\n\r\n")));
    EXPECT_TRUE(client->ReadUntil(absl::StrCat("hello ", path)));
    EXPECT_THAT(client->received(), Not(HasSubstr("Connection: close")));
    return client;
  }
};

TEST_F(SecureServerDrainTest, KeepAliveConnectionIsServedOnceMoreThenClosed) {
  ServingOptions options;
  options.connection.drain_idle_grace = absl::Minutes(1);
  auto server = Start(options);
  ASSERT_THAT(server, IsOk());
  const int port = (*server)->port();
  std::unique_ptr<TlsClient> kept = OpenClient(port, "/one");
  ASSERT_TRUE(base::PollUntil([&] { return (*server)->OpenConnections() == 1; }));

  (*server)->DrainConnections();
  ASSERT_TRUE(base::PollUntil([&] { return (*server)->Counters().drained == 1; }));
  ASSERT_TRUE(kept->Write("GET /two HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(kept->ReadToEnd());
  EXPECT_THAT(kept->received(), HasSubstr("hello /two"));
  EXPECT_THAT(kept->received(), HasSubstr("Connection: close\r\n"));

  // Still listening: a new connection is served, told to close, and counted as drained.
  const HttpResponse after = Get(port, "/after");  // a keep-alive request, as curl sends
  EXPECT_EQ(after.body, Hello("/after"));
  EXPECT_THAT(after.head, HasSubstr("\r\nConnection: close"));
  EXPECT_FALSE((*server)->listener_stopped().HasFired());
  EXPECT_TRUE(base::PollUntil([&] { return (*server)->OpenConnections() == 0; }));
  EXPECT_EQ((*server)->Counters().drained, 2u);
}

// An idle keep-alive connection is closed after the drain grace (not the idle timeout), the listener still open.
TEST_F(SecureServerDrainTest, IdleConnectionIsClosedAfterTheGraceWhileListening) {
  ServingOptions options;
  options.connection.drain_idle_grace = absl::Milliseconds(50);
  auto server = Start(options);
  ASSERT_THAT(server, IsOk());
  const int port = (*server)->port();
  std::unique_ptr<TlsClient> idle = OpenClient(port, "/idle");
  ASSERT_TRUE(base::PollUntil([&] { return (*server)->OpenConnections() == 1; }));

  (*server)->DrainConnections();
  EXPECT_TRUE(idle->ReadToEnd());
  EXPECT_TRUE(base::PollUntil([&] { return (*server)->OpenConnections() == 0; }));
  EXPECT_EQ((*server)->Counters().drained, 1u);
  EXPECT_EQ((*server)->Counters().idle_closes, 0u);
  EXPECT_EQ(Get(port, "/still").body, Hello("/still"));
}

// Goaways returns (last stream id, error code) of each whole GOAWAY frame in `frames`, the server's bytes from the
// start of an HTTP/2 connection (RFC 9113 §4.1: a 24-bit length, the type, flags, a stream id, then the payload;
// §6.8: GOAWAY's payload starts with the last stream id and the error code).
std::vector<std::pair<uint32_t, uint32_t>> Goaways(absl::string_view frames) {
  constexpr size_t kFrameHeader = 9;
  constexpr char kGoaway = 0x7;
  auto be = [](absl::string_view bytes, size_t n) {
    uint32_t value = 0;
    for (size_t i = 0; i < n; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
    return value;
  };
  std::vector<std::pair<uint32_t, uint32_t>> goaways;
  while (frames.size() >= kFrameHeader) {
    const size_t length = be(frames, 3);
    if (frames.size() < kFrameHeader + length) break;
    if (frames[3] == kGoaway && length >= 8) {
      goaways.emplace_back(be(frames.substr(kFrameHeader), 4) & 0x7fffffff, be(frames.substr(kFrameHeader + 4), 4));
    }
    frames.remove_prefix(kFrameHeader + length);
  }
  return goaways;
}

// HTTP/2: the drain sends the GOAWAY shutdown notice (last stream 2^31-1) and the connection keeps serving new
// streams; idle for the grace, it gets GOAWAY with the last stream id and closes. A real nghttp2 client session
// speaks over a TLS socket.
TEST_F(SecureServerDrainTest, Http2GetsTheNoticeThenTheFinalGoawayWhenIdle) {
  auto h2_ctx = MakeTestServerSslCtx(/*http2=*/true);
  ASSERT_THAT(h2_ctx, IsOk());
  ServingOptions options;
  options.bind_address = "127.0.0.1";
  options.port = 0;
  // Long enough for the client's next stream to arrive after the notice (under TSan too); the test waits it once.
  options.connection.drain_idle_grace = absl::Seconds(1);
  auto handler = http::HandlerFunc(
      [](http::RequestPtr, http::ResponseWriter writer) { writer.Send(http::TextResponse(200, "h2")).IgnoreError(); });
  auto server = SecureServer::Serve(options, h2_ctx->get(), handler, DefaultCodecFactory({}, {}));
  ASSERT_THAT(server, IsOk());

  TlsClient tls(ConnectTcp((*server)->port()), "h2");
  ASSERT_TRUE(tls.Handshake());
  ASSERT_EQ(tls.Alpn(), "h2");
  http2::TestClient h2;
  size_t fed = 0;
  // Feed gives the client session what arrived since the last feed and sends its answers (SETTINGS ACK).
  auto feed = [&] {
    const absl::string_view fresh = absl::string_view(tls.received()).substr(fed);
    EXPECT_EQ(h2.Receive(fresh), static_cast<ssize_t>(fresh.size()));
    fed = tls.received().size();
    const std::string out = h2.TakeOutput();
    return out.empty() || tls.Write(out);
  };
  auto pump_until = [&](const std::function<bool()>& done) {
    while (!done()) {
      if (!tls.ReadSome() || !feed()) return false;
    }
    return true;
  };
  ASSERT_EQ(h2.Get("/h2"), 1);
  ASSERT_TRUE(tls.Write(h2.TakeOutput()));
  ASSERT_TRUE(pump_until([&] { return h2.responses[1].closed; }));
  EXPECT_EQ(h2.responses[1].status, 200);
  EXPECT_EQ(h2.responses[1].body, "h2");
  EXPECT_TRUE(h2.goaways.empty());

  (*server)->DrainConnections();
  // nghttp2 opens no stream once it has read any GOAWAY, though the notice allows more: stream 3 is submitted
  // after the notice arrived and before the client session reads it.
  while (Goaways(tls.received()).empty()) ASSERT_TRUE(tls.ReadSome()) << "no GOAWAY notice";
  ASSERT_EQ(h2.Get("/h2"), 3);
  ASSERT_TRUE(tls.Write(h2.TakeOutput()));
  ASSERT_TRUE(feed());
  ASSERT_EQ(h2.goaways.size(), 1u);
  EXPECT_EQ(h2.goaways[0].last_stream_id, 2147483647);  // the notice
  EXPECT_EQ(h2.goaways[0].error_code, 0u);
  ASSERT_TRUE(pump_until([&] { return h2.responses[3].closed; }));
  EXPECT_EQ(h2.responses[3].status, 200);  // served after the notice
  EXPECT_EQ(h2.responses[3].body, "h2");

  // Idle for the grace: the final GOAWAY names stream 3, then the server closes. (nghttp2's client session does not
  // report the second GOAWAY to the test: the frames are read here.)
  while (tls.ReadSome()) {
  }
  EXPECT_TRUE(tls.closed());
  EXPECT_THAT(Goaways(tls.received()), ElementsAre(Pair(2147483647u, 0u), Pair(3u, 0u)));
  EXPECT_FALSE((*server)->listener_stopped().HasFired());
  EXPECT_EQ((*server)->Counters().drained, 1u);
}

// Without DrainConnections (--shutdown-drain-connections=false) a keep-alive connection stays as it was.
TEST_F(SecureServerDrainTest, WithoutDrainKeepAliveIsKept) {
  auto server = Start(ServingOptions());
  ASSERT_THAT(server, IsOk());
  std::unique_ptr<TlsClient> kept = OpenClient((*server)->port(), "/one");
  ASSERT_TRUE(kept->Write("GET /two HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(kept->ReadUntil("hello /two"));
  EXPECT_THAT(kept->received(), Not(HasSubstr("Connection: close")));
}

TEST_F(SecureServerTest, IdleConnectionsCloseAtTheIdleTimeout) {
  constexpr absl::Duration kIdle = absl::Milliseconds(300);
  ServingOptions options;
  options.connection.idle_timeout = kIdle;
  auto server = Start(options);
  ASSERT_THAT(server, IsOk());
  TlsClient client(ConnectTcp((*server)->port()));
  ASSERT_TRUE(client.Handshake());
  // An answered request leaves the connection open for the next. (That each answer restarts the idle clock, and the
  // rest of the timer policy, is ConnectionTimerTest's, on a fake clock.)
  for (const char* path : {"/a", "/b"}) {
    ASSERT_TRUE(client.Write(absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: x\r\n\r\n")));
    ASSERT_TRUE(client.ReadUntil(absl::StrCat("hello ", path))) << path;
  }
  const absl::Time last_answer = absl::Now();
  // Then idle: the server closes (close_notify, EOF) once the idle timeout has passed since the last answer.
  EXPECT_TRUE(client.ReadToEnd());
  const absl::Duration idle = absl::Now() - last_answer;
  EXPECT_GE(idle, kIdle - absl::Milliseconds(20));  // libuv's timers round to milliseconds
  EXPECT_LT(idle, kIdle + absl::Seconds(5));
  EXPECT_THAT(client.received(), Not(HasSubstr("Connection: close")));  // an idle close, not a response's
  ASSERT_TRUE(base::PollUntil([&] { return (*server)->OpenConnections() == 0; }));
  EXPECT_EQ((*server)->Counters().idle_closes, 1u);
  EXPECT_EQ((*server)->Counters().accepted, 1u);
}

TEST_F(SecureServerTest, SlowHandshakeIsClosedAtTheReadHeaderTimeout) {
  ServingOptions options;
  options.connection.read_header_timeout = absl::Milliseconds(100);
  auto server = Start(options);
  ASSERT_THAT(server, IsOk());
  // A TCP connection that never sends a ClientHello: the server closes it at the timeout.
  const int fd = ConnectTcp((*server)->port());
  ASSERT_GE(fd, 0);
  const absl::Time connected = absl::Now();
  EXPECT_TRUE(RawReadsEof(fd));
  EXPECT_GE(absl::Now() - connected, absl::Milliseconds(80));  // libuv's timers round to milliseconds
  ::close(fd);
  EXPECT_TRUE(base::PollUntil([&] { return (*server)->Counters().handshake_timeouts == 1; }));
  EXPECT_TRUE(base::PollUntil([&] { return (*server)->OpenConnections() == 0; }));
  EXPECT_EQ((*server)->Counters().handshake_errors, 0u);
}

// Regression: a client closing while we write used to kill the process with SIGPIPE (libuv writes with write(2)).
TEST_F(SecureServerTest, ServeIgnoresSigpipe) {
  ::signal(SIGPIPE, SIG_DFL);
  auto server = Start(ServingOptions());
  ASSERT_THAT(server, IsOk());
  struct sigaction action;
  ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &action), 0);
  EXPECT_EQ(action.sa_handler, SIG_IGN);
}

TEST_F(SecureServerTest, MaxConnectionsClosesTheExcess) {
  ServingOptions options;
  options.max_connections = 2;
  auto server = Start(options);
  ASSERT_THAT(server, IsOk());
  const int port = (*server)->port();
  // Two connections in their handshake: nothing is idle to evict.
  const int first = ConnectTcp(port);
  const int second = ConnectTcp(port);
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  ASSERT_TRUE(base::PollUntil([&] { return (*server)->OpenConnections() == 2; }));
  // The third is accepted and closed at once.
  EXPECT_THAT(HttpsGet(port, "/over"),
              StatusIs(absl::StatusCode::kUnavailable,
                       absl::StrCat("127.0.0.1:", port, " closed the connection in the TLS handshake")));
  EXPECT_TRUE(base::PollUntil([&] { return (*server)->Counters().refusals == 1; }));
  EXPECT_EQ((*server)->OpenConnections(), 2u);
  ::close(first);
  ::close(second);
  ASSERT_TRUE(base::PollUntil([&] { return (*server)->OpenConnections() == 0; }));
  EXPECT_EQ(Get(port, "/again").body, Hello("/again"));
}

// Issue 16 #3 across loops: with two workers the longest-idle connection may live on the other loop; a /healthz
// probe at the limit is still admitted and served, and exactly that connection is closed. Counted in /metrics.
TEST_F(SecureServerTest, AtMaxConnectionsAProbeIsServedByClosingTheLongestIdleConnection) {
  ServingOptions options;
  options.workers = 2;
  options.max_connections = 3;
  options.connection.idle_timeout = absl::Seconds(60);
  auto server = Start(options);
  ASSERT_THAT(server, IsOk());
  const int port = (*server)->port();
  std::vector<std::unique_ptr<TlsClient>> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(std::make_unique<TlsClient>(ConnectTcp(port)));
    ASSERT_TRUE(idle.back()->Handshake());
    const std::string path = absl::StrCat("/idle", i);
    ASSERT_TRUE(idle.back()->Write(absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: x\r\n\r\n")));
    ASSERT_TRUE(idle.back()->ReadUntil(absl::StrCat("hello ", path)));
    ::usleep(20 * 1000);  // idle-since is kept in milliseconds: keep the three apart
  }
  ASSERT_EQ((*server)->OpenConnections(), 3u);

  EXPECT_EQ(Get(port, "/healthz").body, Hello("/healthz"));
  EXPECT_TRUE(idle[0]->ReadToEnd()) << "the longest-idle connection is the one closed";
  for (int i = 1; i < 3; ++i) {
    const std::string path = absl::StrCat("/again", i);
    ASSERT_TRUE(idle[i]->Write(absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: x\r\n\r\n")));
    EXPECT_TRUE(idle[i]->ReadUntil(absl::StrCat("hello ", path))) << i;
  }
  EXPECT_TRUE(base::PollUntil([&] { return (*server)->Counters().evictions == 1; }));
  EXPECT_EQ((*server)->Counters().refusals, 0u);

  std::atomic<SecureServer*> current{server->get()};
  std::vector<base::metrics::FamilySnapshot> families;
  ServingCollector (&current)(&families);
  auto value = [&](const std::string& name) {
    for (const auto& family : families) {
      if (family.name == name && family.samples.size() == 1) return family.samples[0].value;
    }
    return -1.0;
  };
  EXPECT_EQ(value("apiserve_connections_evicted_total"), 1.0);
  EXPECT_EQ(value("apiserve_connections_refused_total"), 0.0);
}

}  // namespace
}  // namespace apiserve::server
