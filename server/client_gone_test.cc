// A client that closes its connection in the middle of a streamed (watch-like) response: the exchange must complete
// as kClientGone soon after, over HTTP/2 and HTTP/1.1, whether the handler keeps writing or is waiting for its next
// event. On-complete hooks (the chain's watch tracker, the in-flight wait group) hang on that completion.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/mutex.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/handler.h"
#include "http/response.h"
#include "http2/test_client.h"
#include "lifecycle/signal.h"
#include "server/codecs.h"
#include "server/connection.h"
#include "server/event_loop.h"
#include "server/test_tls.h"

namespace apiserve::server {
namespace {

using ::apiserve::base::IsOk;

struct Case {
  const char* alpn;
  absl::Duration tick;  // the handler writes an event this often; zero: one event, then quiet
};

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  return absl::StrCat(info.param.alpn[0] == 'h' && info.param.alpn[1] == '2' ? "Http2" : "Http1",
                      info.param.tick == absl::ZeroDuration() ? "QuietWatch" : "TickingWatch");
}

class ClientGoneTest : public ::testing::TestWithParam<Case> {
 protected:
  struct Watch {
    base::Mutex mu;
    std::optional<http::CompletionReason> completed ABSL_GUARDED_BY(mu);
    std::shared_ptr<http::ResponseWriter> writer;  // kept, as a watch registry keeps its watchers (loop thread)
    lifecycle::Signal started{"watch-started"};
    lifecycle::Signal finished{"watch-completed"};
  };

  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);  // as Serve does: a write to a departed client fails with EPIPE instead
    auto ctx = MakeTestServerSslCtx(/*http2=*/true);
    ASSERT_THAT(ctx, IsOk());
    ssl_ctx_ = *std::move(ctx);
    ASSERT_THAT(loop_.Start(), IsOk());
    context_.loop = &loop_;
    context_.ssl_ctx = ssl_ctx_.get();
    context_.handler = handler_.get();
    context_.codec_factory = DefaultCodecFactory({}, {});
    context_.options.read_header_timeout = absl::Seconds(30);
    context_.options.idle_timeout = absl::Seconds(30);
  }

  void TearDown() override {
    lifecycle::Signal done("closed");
    loop_.Post([&] {
      connections_.CloseAll();
      watch_->writer.reset();
      done.Fire();
    });
    ASSERT_TRUE(done.WaitFor(absl::Seconds(10)));
    loop_.Stop();
  }

  int Connect() {
    auto [server, client] = TcpPair();
    EXPECT_GE(server, 0);
    loop_.Post([this, server = server] { Connection::Adopt(server, &context_, &connections_); });
    return client;
  }

  // Tick writes one event now and, while the exchange takes them, another every `tick`.
  static void Tick(base::Executor* loop, absl::Duration tick, std::shared_ptr<http::ResponseWriter> writer, int n) {
    const absl::Status written = writer->Write(absl::StrCat("event ", n, "\n"));
    if (!written.ok() && !absl::IsResourceExhausted(written)) return;  // completed
    if (tick == absl::ZeroDuration()) return;
    loop->RunAfter(tick, [loop, tick, writer, n] { Tick(loop, tick, writer, n + 1); });
  }

  std::shared_ptr<Watch> watch_ = std::make_shared<Watch>();
  http::HandlerPtr handler_ = http::HandlerFunc([this](http::RequestPtr request, http::ResponseWriter writer) {
    std::shared_ptr<Watch> watch = watch_;
    writer.OnComplete([watch](const http::Completion& done) {
      base::MutexLock lock(&watch->mu);
      watch->completed = done.reason;
      watch->finished.Fire();
    });
    ASSERT_THAT(writer.WriteHead(200, {{"Content-Type", "application/json"}}), IsOk());
    watch->writer = std::make_shared<http::ResponseWriter>(std::move(writer));
    Tick(request->executor, GetParam().tick, watch->writer, 1);
    watch->started.Fire();
  });

  bssl::UniquePtr<SSL_CTX> ssl_ctx_;
  EventLoop loop_{"client-gone-test"};
  ConnectionContext context_;
  ConnectionSet connections_;
};

TEST_P(ClientGoneTest, ClosingTheConnectionCompletesTheStreamedExchange) {
  const Case& c = GetParam();
  {
    TlsClient client(Connect(), c.alpn);
    ASSERT_TRUE(client.Handshake());
    ASSERT_EQ(client.Alpn(), c.alpn);
    if (absl::string_view(c.alpn) == "h2") {
      http2::TestClient h2;
      h2.Get("/watch");
      ASSERT_TRUE(client.Write(h2.TakeOutput()));
    } else {
      ASSERT_TRUE(client.Write("GET /watch HTTP/1.1\r\nHost: x\r\n\r\n"));
    }
    ASSERT_TRUE(client.ReadUntil("event 1")) << absl::CHexEscape(client.received());
    ASSERT_TRUE(watch_->started.WaitFor(absl::Seconds(10)));
  }  // the client closes its socket (a FIN, as a process that exits or a client that gives up on the watch)
  ASSERT_TRUE(watch_->finished.WaitFor(absl::Seconds(5))) << "the exchange never completed";
  base::MutexLock lock(&watch_->mu);
  EXPECT_EQ(watch_->completed, http::CompletionReason::kClientGone);
}

INSTANTIATE_TEST_SUITE_P(Protocols, ClientGoneTest,
                         ::testing::Values(Case{"h2", absl::Milliseconds(20)}, Case{"h2", absl::ZeroDuration()},
                                           Case{"http/1.1", absl::Milliseconds(20)},
                                           Case{"http/1.1", absl::ZeroDuration()}),
                         CaseName);

}  // namespace
}  // namespace apiserve::server
