// The connection state machine driven directly: each test connects a TCP socket pair by hand (no Listener), hands
// the server end to Connection::Adopt on a real loop, and drives the other end with a blocking BoringSSL client,
// so every timeout, the shutdown path, client departure and write back-pressure are observed at the socket.
#include "server/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/mutex.h"
#include "base/poll_until.h"
#include "base/recycling_allocator.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/handler.h"
#include "http/response.h"
#include "http1/codec.h"
#include "lifecycle/signal.h"
#include "openssl/ssl.h"
#include "server/event_loop.h"
#include "server/test_tls.h"

namespace apiserve::server {
namespace {

using ::apiserve::base::IsOk;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ctx = MakeTestServerSslCtx(/*http2=*/false);
    ASSERT_THAT(ctx, IsOk());
    ssl_ctx_ = *std::move(ctx);
    ASSERT_THAT(loop_.Start(), IsOk());
    context_.loop = &loop_;
    context_.ssl_ctx = ssl_ctx_.get();
    context_.handler = handler_.get();
    context_.codec_factory = [](absl::string_view, const http::CodecContext& context) {
      return std::unique_ptr<http::ServerCodec>(std::make_unique<http1::Codec>(context, http1::Options()));
    };
    context_.options.read_header_timeout = absl::Milliseconds(300);
    context_.options.idle_timeout = absl::Milliseconds(300);
    context_.options.linger_timeout = absl::Milliseconds(100);
  }

  void TearDown() override {
    OnLoop([this] { connections_.CloseAll(); });
    loop_.Stop();
  }

  // Connect adopts the server end of a new pair on the loop and returns the client end.
  int Connect() {
    auto [server, client] = TcpPair();
    EXPECT_GE(server, 0);
    OnLoop([&, server = server] { Connection::Adopt(server, &context_, &connections_); });
    return client;
  }

  // OnLoop runs `fn` on the loop and waits for it.
  void OnLoop(std::function<void()> fn) {
    lifecycle::Signal done("on-loop");
    loop_.Post([&] {
      fn();
      done.Fire();
    });
    ASSERT_TRUE(done.WaitFor(absl::Seconds(10)));
  }

  size_t OpenConnections() {
    size_t n = 0;
    OnLoop([&] { n = connections_.size(); });
    return n;
  }

  // WaitForNoConnections polls until the loop has dropped every connection.
  bool WaitForNoConnections() {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (OpenConnections() > 0) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return true;
  }

  // The handler: "/hold" parks its writer for the test to answer; "/stream" streams until back-pressure; anything
  // else answers at once.
  struct Parked {
    base::Mutex mu;
    std::optional<http::ResponseWriter> writer ABSL_GUARDED_BY(mu);
    std::optional<http::CompletionReason> completed ABSL_GUARDED_BY(mu);
    lifecycle::Signal arrived{"parked"};
    lifecycle::Signal finished{"completed"};
  };
  std::shared_ptr<Parked> parked_ = std::make_shared<Parked>();
  std::atomic<int> refused_writes_{0};
  std::atomic<size_t> streamed_bytes_{0};

  http::HandlerPtr handler_ = http::HandlerFunc([this](http::RequestPtr request, http::ResponseWriter writer) {
    if (request->path == "/hold") {
      std::shared_ptr<Parked> parked = parked_;
      writer.OnComplete([parked](const http::Completion& done) {
        base::MutexLock lock(&parked->mu);
        parked->completed = done.reason;
        parked->finished.Fire();
      });
      base::MutexLock lock(&parked->mu);
      parked->writer.emplace(std::move(writer));
      parked->arrived.Fire();
      return;
    }
    if (request->path == "/stream") {
      ASSERT_THAT(writer.WriteHead(200, {{"Content-Type", "application/octet-stream"}}), IsOk());
      auto shared = std::make_shared<http::ResponseWriter>(std::move(writer));
      StreamMore(shared);
      return;
    }
    writer.Send(http::TextResponse(200, absl::StrCat("hello ", request->path))).IgnoreError();
  });

  // StreamMore writes 64 KiB chunks until the exchange refuses one (back-pressure), then waits for OnWritable;
  // after 8 MiB it finishes.
  void StreamMore(const std::shared_ptr<http::ResponseWriter>& writer) {
    while (streamed_bytes_ < (size_t{8} << 20)) {
      absl::Status written = writer->Write(std::string(64 << 10, 'x'));
      if (absl::IsResourceExhausted(written)) {
        ++refused_writes_;
        writer->OnWritable([this, writer] { StreamMore(writer); });
        return;
      }
      if (!written.ok()) return;
      streamed_bytes_ += 64 << 10;
    }
    writer->Finish().IgnoreError();
  }

  // UseLimit caps the loop at `max` connections (before the first Connect).
  void UseLimit(int64_t max) {
    limit_ = std::make_unique<ConnectionLimit>(max);
    limit_->AddSet(&connections_, &loop_);
    context_.limit = limit_.get();
  }

  // Request sends a GET for `path` and waits for its answer.
  static bool Request(TlsClient& client, const std::string& path) {
    return client.Write(absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: x\r\n\r\n")) &&
           client.ReadUntil(absl::StrCat("hello ", path));
  }

  bssl::UniquePtr<SSL_CTX> ssl_ctx_;
  EventLoop loop_{"connection-test"};
  std::unique_ptr<ConnectionLimit> limit_;  // outlives the connections, which give their slots back on close
  ConnectionContext context_;
  ConnectionSet connections_;
};

TEST_F(ConnectionTest, ServesKeepAliveRequestsOverOneConnection) {
  TlsClient client(Connect());
  ASSERT_TRUE(client.Handshake());
  ASSERT_TRUE(client.Write("GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(client.ReadUntil("hello /two"));
  EXPECT_THAT(client.received(), StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(client.received(), HasSubstr("hello /one"));
  EXPECT_EQ(OpenConnections(), 1u);
  EXPECT_EQ(context_.counters.accepted, 1u);
  EXPECT_EQ(context_.counters.open_http1, 1u);
}

// `Connection: close`: the answer, then close_notify (sealed with the answer's records into one write: Process
// queues it as the codec's last output is flushed), then EOF.
TEST_F(ConnectionTest, ConnectionCloseAnswerEndsWithCloseNotify) {
  TlsClient client(Connect());
  ASSERT_TRUE(client.Handshake());
  ASSERT_TRUE(client.Write("GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_TRUE(client.ReadToEnd());
  EXPECT_THAT(client.received(), StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(client.received(), HasSubstr("hello /last"));
  EXPECT_TRUE(client.ClosedWithCloseNotify());
  EXPECT_TRUE(WaitForNoConnections());
}

// A codec that cannot be made (nghttp2 out of memory, say) closes that connection, counted; no fallback to the
// other protocol's codec.
TEST_F(ConnectionTest, CodecFactoryFailureClosesTheConnectionAndCounts) {
  context_.codec_factory = [](absl::string_view,
                              const http::CodecContext&) -> absl::StatusOr<std::unique_ptr<http::ServerCodec>> {
    return absl::ResourceExhaustedError("nghttp2_session_server_new3: Out of memory");
  };
  TlsClient client(Connect());
  ASSERT_TRUE(client.Handshake());
  client.Write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_FALSE(client.ReadUntil("HTTP/1.1"));
  EXPECT_TRUE(WaitForNoConnections());
  EXPECT_EQ(context_.counters.codec_failures, 1u);
  EXPECT_EQ(context_.counters.open_http1, 0u);
}

// A malformed request is answered 400 and the connection closes lingering: input is drained for linger_timeout,
// then EOF. Regression: re-starting the read for the linger (uv_read_start on a reading stream: UV_EALREADY) was
// taken for a failure and closed the connection before the client had the answer.
TEST_F(ConnectionTest, ErrorResponseIsFollowedByALingeringClose) {
  TlsClient client(Connect());
  ASSERT_TRUE(client.Handshake());
  ASSERT_TRUE(client.Write("GET / HTTP/1.1\r\nHost : x\r\n\r\n"));
  ASSERT_TRUE(client.ReadUntil("400 Bad Request"));
  EXPECT_TRUE(client.Write("more input, discarded while lingering"));
  EXPECT_TRUE(client.ReadToEnd());
  EXPECT_TRUE(WaitForNoConnections());
  EXPECT_EQ(context_.counters.internal_errors, 0u);
}

// Plain HTTP to the TLS port gets Go's plain-text 400 (not a silent close or a TLS alert), then the close.
TEST_F(ConnectionTest, PlainHttpToTheTlsPortGetsGos400) {
  for (const std::string request : {"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "POST / HTTP/1.1\r\n\r\n",
                                    "OPTIONS * HTTP/1.1\r\n\r\n", "HEAD / HTTP/1.0\r\n\r\n"}) {
    const int client = Connect();
    ASSERT_EQ(::write(client, request.data(), request.size()), static_cast<ssize_t>(request.size()));
    std::string received;
    char buf[256];
    for (ssize_t n; (n = ::read(client, buf, sizeof(buf))) > 0;) received.append(buf, static_cast<size_t>(n));
    ::close(client);
    EXPECT_EQ(received, "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n") << request;
  }
  // Anything else that is not TLS is closed without an answer.
  const int client = Connect();
  ASSERT_EQ(::write(client, "DELETE / HTTP/1.1\r\n\r\n", 22), 22);
  char buf[256];
  const ssize_t n = ::read(client, buf, sizeof(buf));
  ::close(client);
  EXPECT_TRUE(n <= 0 || std::string(buf, static_cast<size_t>(n)).find("HTTP/1.0 400") == std::string::npos);
  EXPECT_EQ(context_.counters.handshake_errors, 5u);
}

TEST_F(ConnectionTest, SilentClientIsClosedAtTheReadHeaderTimeoutDuringTheHandshake) {
  const int fd = Connect();
  const absl::Time start = absl::Now();
  EXPECT_TRUE(RawReadsEof(fd));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(250));
  ::close(fd);
  ASSERT_TRUE(WaitForNoConnections());
  EXPECT_EQ(context_.counters.handshake_timeouts, 1u);
}

TEST_F(ConnectionTest, IncompleteRequestHeadIsClosedAtTheReadHeaderTimeout) {
  TlsClient client(Connect());
  ASSERT_TRUE(client.Handshake());
  ASSERT_TRUE(client.Write("GET /slow HTTP/1.1\r\nHost: x\r\n"));  // no blank line: the head never completes
  EXPECT_TRUE(client.ReadToEnd());
  ASSERT_TRUE(WaitForNoConnections());
  EXPECT_EQ(context_.counters.read_header_timeouts, 1u);
}

TEST_F(ConnectionTest, IdleConnectionIsClosedAtTheIdleTimeout) {
  TlsClient client(Connect());
  ASSERT_TRUE(client.Handshake());
  ASSERT_TRUE(client.Write("GET /once HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(client.ReadUntil("hello /once"));
  EXPECT_TRUE(client.ReadToEnd());
  ASSERT_TRUE(WaitForNoConnections());
  EXPECT_EQ(context_.counters.idle_closes, 1u);
}

// The idle timeout counts from the last request, also when every request is answered within the read that brought
// it (the codec is never seen busy between two idle periods).
TEST_F(ConnectionTest, EachRequestRestartsTheIdleTimeout) {
  context_.options.idle_trim_delay = absl::ZeroDuration();
  TlsClient client(Connect());
  ASSERT_TRUE(client.Handshake());
  for (int i = 0; i < 8; ++i) {  // 8 x 100 ms: well past the 300 ms idle timeout in total
    const std::string path = absl::StrCat("/tick", i);
    ASSERT_TRUE(client.Write(absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: x\r\n\r\n")));
    ASSERT_TRUE(client.ReadUntil(absl::StrCat("hello ", path))) << i;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(context_.counters.idle_closes, 0u);
}

// Idle for idle_trim_delay, a connection gives back its pooled memory and stays open; the idle timeout still counts
// from the start of the idle period.
TEST_F(ConnectionTest, IdleTrimKeepsTheConnectionAndTheIdleDeadline) {
  context_.options.idle_trim_delay = absl::Milliseconds(100);
  context_.options.idle_timeout = absl::Milliseconds(600);
  TlsClient client(Connect());
  ASSERT_TRUE(client.Handshake());
  ASSERT_TRUE(client.Write("GET /first HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(client.ReadUntil("hello /first"));
  absl::SleepFor(absl::Milliseconds(250));  // past the trim
  ASSERT_TRUE(client.Write("GET /second HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(client.ReadUntil("hello /second"));
  const absl::Time idle_from = absl::Now();
  EXPECT_TRUE(client.ReadToEnd());
  const absl::Duration idle = absl::Now() - idle_from;
  EXPECT_GE(idle, absl::Milliseconds(500));
  EXPECT_LT(idle, absl::Seconds(5));
  EXPECT_EQ(context_.counters.idle_closes, 1u);
}

TEST_F(ConnectionTest, ALoopLeftWithoutConnectionsGivesBackItsRecycledMemory) {
  OnLoop([this] { connections_.EnableIdleTrim(&loop_, absl::Seconds(1)); });
  {
    TlsClient client(Connect());
    ASSERT_TRUE(client.Handshake());
    ASSERT_TRUE(client.Write("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    ASSERT_TRUE(client.ReadToEnd());
    EXPECT_THAT(client.received(), HasSubstr("hello /a"));
  }
  ASSERT_TRUE(WaitForNoConnections());
  auto idle_blocks = [this] {
    size_t n = 0;
    OnLoop([&] { n = base::IdleRecycledBlocks(); });
    return n;
  };
  // The request's shared_ptr blocks went back to the loop's free lists (none are kept under ASan), and a second
  // later away.
  EXPECT_EQ(idle_blocks() > 0, base::kRecyclingEnabled);
  EXPECT_TRUE(base::PollUntil([&] { return idle_blocks() == 0; }, absl::Seconds(10)));

  // A new connection cancels a pending trim: its blocks stay while it is open.
  OnLoop([this] { connections_.EnableIdleTrim(&loop_, absl::Milliseconds(200)); });
  TlsClient first(Connect());
  ASSERT_TRUE(first.Handshake());
  {
    TlsClient second(Connect());
    ASSERT_TRUE(second.Handshake());
  }
  ASSERT_TRUE(first.Write("GET /b HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(first.ReadUntil("hello /b"));
  absl::SleepFor(absl::Milliseconds(400));
  EXPECT_EQ(idle_blocks() > 0, base::kRecyclingEnabled);  // `first` is still open: no trim
}

// Issue 16 #4: the idle trim also hands the heap's free memory back (the default release runs malloc_trim after
// freeing the recycled blocks); here the release function is injected and counted.
std::atomic<int> idle_releases{0};
void CountIdleRelease() { ++idle_releases; }

TEST_F(ConnectionTest, ALoopLeftWithoutConnectionsRunsItsIdleReleaseOnce) {
  idle_releases = 0;
  OnLoop([this] { connections_.EnableIdleTrim(&loop_, absl::Milliseconds(50), &CountIdleRelease); });
  {
    TlsClient first(Connect());
    ASSERT_TRUE(first.Handshake());
    TlsClient second(Connect());
    ASSERT_TRUE(second.Handshake());
    ASSERT_TRUE(Request(first, "/a"));
    EXPECT_EQ(idle_releases, 0);  // connections are open
  }
  ASSERT_TRUE(WaitForNoConnections());
  EXPECT_TRUE(base::PollUntil([] { return idle_releases == 1; }, absl::Seconds(10)));
  // Another connection and its departure: one more release.
  {
    TlsClient third(Connect());
    ASSERT_TRUE(third.Handshake());
  }
  ASSERT_TRUE(WaitForNoConnections());
  EXPECT_TRUE(base::PollUntil([] { return idle_releases == 2; }, absl::Seconds(10)));
}

// Issue 16 #3: at --max-connections a new connection is admitted by closing the longest-idle one; a connection with
// a request in flight is never chosen.
TEST_F(ConnectionTest, AtTheLimitTheLongestIdleConnectionMakesRoom) {
  context_.options.idle_timeout = absl::Seconds(30);  // idle on purpose
  UseLimit(3);
  TlsClient oldest(Connect());
  ASSERT_TRUE(oldest.Handshake());
  TlsClient busy(Connect());
  ASSERT_TRUE(busy.Handshake());
  TlsClient newer(Connect());
  ASSERT_TRUE(newer.Handshake());
  // `busy` became idle first, but then a request arrives and stays in flight.
  ASSERT_TRUE(Request(oldest, "/oldest"));
  ASSERT_TRUE(Request(newer, "/newer"));
  ASSERT_TRUE(busy.Write("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(parked_->arrived.WaitFor(absl::Seconds(10)));
  EXPECT_EQ(limit_->open(), 3);

  TlsClient admitted(Connect());
  ASSERT_TRUE(admitted.Handshake());
  ASSERT_TRUE(Request(admitted, "/admitted"));
  EXPECT_TRUE(oldest.ReadToEnd());  // evicted: close_notify, then EOF
  EXPECT_EQ(context_.counters.evictions, 1u);
  EXPECT_EQ(context_.counters.refusals, 0u);
  EXPECT_EQ(limit_->open(), 3);

  // Next in line is `newer` (idle since /newer), then `admitted`.
  TlsClient next(Connect());
  ASSERT_TRUE(next.Handshake());
  EXPECT_TRUE(newer.ReadToEnd());
  ASSERT_TRUE(Request(admitted, "/still-open"));
  ASSERT_TRUE(Request(next, "/next"));
  EXPECT_EQ(context_.counters.evictions, 2u);

  // The busy connection was never evicted: its answer arrives.
  {
    base::MutexLock lock(&parked_->mu);
    ASSERT_THAT(parked_->writer->Send(http::TextResponse(200, "held and answered")), IsOk());
  }
  ASSERT_TRUE(busy.ReadUntil("held and answered"));
  EXPECT_EQ(OpenConnections(), 3u);
}

// With nothing idle (a request in flight, a handshake in progress) the newcomer is closed at once, as before.
TEST_F(ConnectionTest, AtTheLimitWithNothingIdleTheNewcomerIsRefused) {
  context_.options.read_header_timeout = absl::Seconds(30);
  UseLimit(2);
  TlsClient busy(Connect());
  ASSERT_TRUE(busy.Handshake());
  ASSERT_TRUE(busy.Write("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(parked_->arrived.WaitFor(absl::Seconds(10)));
  const int handshaking = Connect();  // no ClientHello: not idle, never evicted
  ASSERT_TRUE(base::PollUntil([&] { return OpenConnections() == 2; }));

  const int refused = Connect();
  EXPECT_TRUE(RawReadsEof(refused));
  ::close(refused);
  EXPECT_EQ(context_.counters.refusals, 1u);
  EXPECT_EQ(context_.counters.evictions, 0u);
  EXPECT_EQ(OpenConnections(), 2u);
  {
    base::MutexLock lock(&parked_->mu);
    ASSERT_THAT(parked_->writer->Send(http::TextResponse(200, "answered")), IsOk());
  }
  ASSERT_TRUE(busy.ReadUntil("answered"));
  ::close(handshaking);
}

TEST_F(ConnectionTest, GarbageInsteadOfTlsIsAHandshakeErrorAndClosed) {
  const int fd = Connect();
  const std::string plain = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::write(fd, plain.data(), plain.size()), static_cast<ssize_t>(plain.size()));
  EXPECT_TRUE(RawReadsEof(fd));
  ::close(fd);
  ASSERT_TRUE(WaitForNoConnections());
  EXPECT_EQ(context_.counters.handshake_errors, 1u);
}

TEST_F(ConnectionTest, ShutdownClosesIdleConnectionsAndAnswersBusyOnesWithConnectionClose) {
  TlsClient idle(Connect());
  ASSERT_TRUE(idle.Handshake());
  TlsClient busy(Connect());
  ASSERT_TRUE(busy.Handshake());
  ASSERT_TRUE(busy.Write("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(parked_->arrived.WaitFor(absl::Seconds(10)));

  OnLoop([this] { connections_.BeginShutdown(); });
  EXPECT_TRUE(idle.ReadToEnd());  // closed at once: nothing in flight
  EXPECT_EQ(idle.received(), "");
  EXPECT_EQ(OpenConnections(), 1u);  // the busy one waits for its answer

  {
    base::MutexLock lock(&parked_->mu);
    ASSERT_THAT(parked_->writer->Send(http::TextResponse(200, "late but whole")), IsOk());
  }
  EXPECT_TRUE(busy.ReadToEnd());
  EXPECT_THAT(busy.received(), HasSubstr("Connection: close\r\n"));
  EXPECT_THAT(busy.received(), HasSubstr("late but whole"));
  ASSERT_TRUE(WaitForNoConnections());
}

// A reset connection ends its exchanges as kClientGone at once. (A plain EOF does not: an HTTP/1.1 client may have
// only shut down its sending side and still wait for the answer; see tests/adversarial.)
TEST_F(ConnectionTest, ResetConnectionCompletesItsExchangeAsClientGone) {
  {
    TlsClient client(Connect());
    ASSERT_TRUE(client.Handshake());
    ASSERT_TRUE(client.Write("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(parked_->arrived.WaitFor(absl::Seconds(10)));
    const linger reset{1, 0};
    ASSERT_EQ(::setsockopt(client.fd(), SOL_SOCKET, SO_LINGER, &reset, sizeof(reset)), 0);
  }  // closes the socket with an RST, the request unanswered
  ASSERT_TRUE(parked_->finished.WaitFor(absl::Seconds(10)));
  base::MutexLock lock(&parked_->mu);
  EXPECT_EQ(parked_->completed, http::CompletionReason::kClientGone);
  EXPECT_TRUE(parked_->writer->done());
  EXPECT_THAT(parked_->writer->Send(http::TextResponse(200, "too late")),
              base::StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("response already completed")));
}

TEST_F(ConnectionTest, SlowReaderPushesBackOnTheHandlerThenGetsEveryByte) {
  context_.options.idle_timeout = absl::Seconds(30);  // the client pauses on purpose
  TlsClient client(Connect());
  ASSERT_TRUE(client.Handshake());
  ASSERT_TRUE(client.Write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  // Not reading: the socket and the connection's buffers fill, and the exchange refuses more.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (refused_writes_ == 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_GT(refused_writes_, 0);
  EXPECT_LT(streamed_bytes_, size_t{8} << 20);
  // Reading now drains it; the handler resumes from OnWritable and the whole body (chunked) arrives.
  ASSERT_TRUE(client.ReadUntil("\r\n0\r\n\r\n"));
  EXPECT_EQ(streamed_bytes_, size_t{8} << 20);
  size_t xs = 0;
  for (char c : client.received()) xs += c == 'x';
  EXPECT_EQ(xs, size_t{8} << 20);
}

}  // namespace
}  // namespace apiserve::server
