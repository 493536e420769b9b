// The run sequence with short durations: kube's two signal orders, in-flight requests finishing with 200, 429 in
// retry-after mode, readyz failing at once, and pre-shutdown hook errors.
#include "server/run.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/mutex.h"
#include "base/poll_until.h"
#include "base/status_matchers.h"
#include "chain/generic_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/response.h"
#include "http1/codec.h"
#include "server/test_tls.h"

namespace apiserve::server {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;

// Records the order in which the lifecycle signals fire.
class SignalRecorder {
 public:
  explicit SignalRecorder(lifecycle::LifecycleSignals& s) {
    for (lifecycle::Signal* signal :
         {&s.shutdown_initiated, &s.after_shutdown_delay_duration, &s.pre_shutdown_hooks_stopped,
          s.not_accepting_new_request.get(), &s.http_server_stopped_listening, &s.in_flight_requests_drained}) {
      subscriptions_.push_back(signal->OnFired([this, signal] {
        base::MutexLock lock(&mu_);
        order_.push_back(signal->name());
      }));
    }
  }
  std::vector<std::string> order() {
    base::MutexLock lock(&mu_);
    return order_;
  }

 private:
  base::Mutex mu_;
  std::vector<std::string> order_ ABSL_GUARDED_BY(mu_);
  std::vector<lifecycle::Subscription> subscriptions_;
};

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ctx = MakeTestServerSslCtx(/*http2=*/false);
    ASSERT_THAT(ctx, IsOk());
    ctx_ = *std::move(ctx);
  }

  // Builds a standalone server: /slow answers after `slow_for`; a pre-shutdown hook waits until the recorder has seen
  // the delay pass (as kube's graceful-termination test blocks its hook, so PreShutdownHooksStopped follows
  // AfterShutdownDelayDuration).
  std::unique_ptr<chain::GenericServer> MakeServer(bool retry_after, absl::Duration slow_for,
                                                   absl::Duration delay = absl::Milliseconds(200)) {
    chain::ServerConfig config;
    config.shutdown_send_retry_after = retry_after;
    config.shutdown_delay_duration = delay;
    config.request_timeout = absl::Seconds(10);
    auto server = chain::GenericServer::New(config, nullptr);
    EXPECT_THAT(server, IsOk());
    auto slow = http::HandlerFunc([slow_for](http::RequestPtr request, http::ResponseWriter writer) {
      auto shared = std::make_shared<http::ResponseWriter>(std::move(writer));
      request->executor->RunAfter(slow_for,
                                  [shared] { shared->Send(http::TextResponse(200, "slow done")).IgnoreError(); });
    });
    EXPECT_THAT((*server)->HandleRoute({"/slow", {"GET"}, "slow", "text/plain", false, false}, slow), IsOk());
    EXPECT_THAT((*server)->AddPreShutdownHook("wait-for-delay",
                                              [this] {
                                                delay_recorded_.WaitFor(absl::Seconds(10));
                                                return absl::OkStatus();
                                              }),
                IsOk());
    return *std::move(server);
  }

  // AfterRecorder arranges delay_recorded_ to fire after `recorder` saw AfterShutdownDelayDuration (callbacks run in
  // registration order).
  void AfterRecorder(chain::GenericServer& server) {
    delay_seen_ = server.signals().after_shutdown_delay_duration.OnFired([this] { delay_recorded_.Fire(); });
  }

  RunOptions Options() {
    RunOptions options;
    options.serving.bind_address = "127.0.0.1";
    options.serving.port = 0;
    options.ssl_ctx = ctx_.get();
    options.codec_factory = [](absl::string_view, const http::CodecContext& c) -> std::unique_ptr<http::ServerCodec> {
      return std::make_unique<http1::Codec>(c, http1::Options());
    };
    options.on_serving = [this](SecureServer& s) {
      port_ = s.port();
      serving_.Fire();
    };
    return options;
  }

  // Get returns the response to GET `path` (HttpsGet), or fails the test. Safe from any thread.
  HttpResponse Get(const std::string& path) {
    absl::StatusOr<HttpResponse> response = HttpsGet(port_, path);
    EXPECT_THAT(response, IsOk()) << path;
    return response.ok() ? *std::move(response) : HttpResponse();
  }
  // Refused matches HttpsGet's error when nothing listens on the port any more.
  auto Refused() {
    return StatusIs(absl::StatusCode::kUnavailable,
                    absl::StrCat("connect to 127.0.0.1:", port_, ": Connection refused"));
  }

  bssl::UniquePtr<SSL_CTX> ctx_;
  lifecycle::Signal delay_recorded_{"delay recorded"};
  lifecycle::Subscription delay_seen_;
  lifecycle::Signal serving_{"serving"};
  int port_ = 0;
};

TEST_F(RunTest, DefaultModeOrderInFlightFinishesNewConnectionsRefused) {
  auto server = MakeServer(/*retry_after=*/false, absl::Milliseconds(600));
  SignalRecorder recorder(server->signals());
  AfterRecorder(*server);
  auto prepared = server->PrepareRun();
  ASSERT_THAT(prepared, IsOk());
  lifecycle::Signal stop("stop");
  absl::Status result;
  std::thread runner([&] { result = server::Run(*std::move(prepared), Options(), &stop); });
  ASSERT_TRUE(serving_.WaitFor(absl::Seconds(10)));
  EXPECT_EQ(Get("/readyz").status, 200);

  HttpResponse in_flight;
  std::thread slow([&] { in_flight = Get("/slow"); });
  ASSERT_TRUE(base::PollUntil([&] { return server->non_long_running_requests().InFlight() == 1; }));
  stop.Fire();
  ASSERT_TRUE(server->signals().shutdown_initiated.WaitFor(absl::Seconds(10)));
  // During the delay: /readyz fails at once, everything else is still served on new connections.
  EXPECT_EQ(Get("/readyz").status, 500);
  EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_FALSE(server->signals().after_shutdown_delay_duration.HasFired());
  slow.join();
  runner.join();
  EXPECT_THAT(result, IsOk());
  EXPECT_EQ(in_flight.status, 200);
  EXPECT_EQ(in_flight.body, "slow done");
  EXPECT_THAT(recorder.order(),
              ElementsAre("ShutdownInitiated", "AfterShutdownDelayDuration", "PreShutdownHooksStopped",
                          "NotAcceptingNewRequest", "HTTPServerStoppedListening", "InFlightRequestsDrained"));
  EXPECT_THAT(HttpsGet(port_, "/healthz"), Refused());
}

// Issue 20: during the shutdown delay a keep-alive connection is asked to move (here: idle, closed after the drain
// grace) while the listener still accepts and serves new connections.
TEST_F(RunTest, KeepAliveConnectionsAreDrainedWhileStillListening) {
  auto server = MakeServer(/*retry_after=*/false, absl::Milliseconds(10), /*delay=*/absl::Seconds(2));
  AfterRecorder(*server);
  auto prepared = server->PrepareRun();
  ASSERT_THAT(prepared, IsOk());
  lifecycle::Signal stop("stop");
  absl::Status result;
  RunOptions options = Options();
  options.serving.connection.drain_idle_grace = absl::Milliseconds(50);
  std::thread runner([&] { result = server::Run(*std::move(prepared), options, &stop); });
  ASSERT_TRUE(serving_.WaitFor(absl::Seconds(10)));
  TlsClient kept(ConnectTcp(port_));
  ASSERT_TRUE(kept.Handshake());
  ASSERT_TRUE(kept.Write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(kept.ReadUntil("ok"));

  stop.Fire();
  EXPECT_TRUE(kept.ReadToEnd());  // drained halfway through the delay: closed after the grace
  EXPECT_FALSE(server->signals().http_server_stopped_listening.HasFired());
  EXPECT_EQ(Get("/healthz").status, 200);  // still listening and serving
  runner.join();
  EXPECT_THAT(result, IsOk());
}

TEST_F(RunTest, RetryAfterModeOrderAnd429) {
  auto server = MakeServer(/*retry_after=*/true, absl::Milliseconds(800));
  SignalRecorder recorder(server->signals());
  AfterRecorder(*server);
  lifecycle::Signal* not_accepting = server->signals().not_accepting_new_request.get();
  auto prepared = server->PrepareRun();
  ASSERT_THAT(prepared, IsOk());
  lifecycle::Signal stop("stop");
  absl::Status result;
  std::thread runner([&] { result = server::Run(*std::move(prepared), Options(), &stop); });
  ASSERT_TRUE(serving_.WaitFor(absl::Seconds(10)));
  HttpResponse in_flight;
  std::thread slow([&] { in_flight = Get("/slow"); });
  ASSERT_TRUE(base::PollUntil([&] { return server->non_long_running_requests().InFlight() == 1; }));
  stop.Fire();
  ASSERT_TRUE(not_accepting->WaitFor(absl::Seconds(10)));
  // Still listening: new requests get 429 with Retry-After: 5 and Connection: close; exempt paths are served.
  const HttpResponse rejected = Get("/api/v1/pods");
  EXPECT_EQ(rejected.status, 429);
  EXPECT_THAT(rejected.head, ::testing::StartsWith("HTTP/1.1 429"));
  EXPECT_THAT(rejected.head, ::testing::HasSubstr("\r\nRetry-After: 5"));
  EXPECT_THAT(rejected.head, ::testing::HasSubstr("\r\nConnection: close"));
  EXPECT_EQ(Get("/livez").status, 200);
  slow.join();
  runner.join();
  EXPECT_THAT(result, IsOk());
  EXPECT_EQ(in_flight.status, 200);
  EXPECT_EQ(in_flight.body, "slow done");
  EXPECT_THAT(recorder.order(),
              ElementsAre("ShutdownInitiated", "AfterShutdownDelayDuration", "PreShutdownHooksStopped",
                          "NotAcceptingNewRequest", "InFlightRequestsDrained", "HTTPServerStoppedListening"));
}

// With a watch termination grace period, each watch is told to end through its own ShuttingDown signal (released at
// a bounded rate) and Run waits for it before InFlightRequestsDrained.
TEST_F(RunTest, WatchesEndThroughTheirShutdownSignalWithinTheGracePeriod) {
  chain::ServerConfig config;
  config.shutdown_watch_termination_grace_period = absl::Seconds(5);
  auto server = chain::GenericServer::New(config, nullptr);
  ASSERT_THAT(server, IsOk());
  struct Watch {
    http::ResponseWriter writer;
    lifecycle::Subscription on_shutdown;
  };
  auto watches = std::make_shared<std::vector<std::shared_ptr<Watch>>>();  // handler runs on the one loop
  auto watch = http::HandlerFunc([watches](http::RequestPtr request, http::ResponseWriter writer) {
    auto state = std::make_shared<Watch>();
    watches->push_back(state);
    state->writer = std::move(writer);
    state->writer.WriteHead(200, http::HeaderMap{{"Content-Type", "application/json"}}).IgnoreError();
    state->writer.Write("{\"type\":\"ADDED\"}\n").IgnoreError();
    ASSERT_NE(request->shutting_down, nullptr);
    Watch* raw = state.get();
    state->on_shutdown = request->shutting_down->OnFired([raw] { raw->writer.Finish().IgnoreError(); });
  });
  ASSERT_THAT((*server)->HandleRoute({"/api/v1/pods", {"GET"}, "pods", "application/json", false, false}, watch),
              IsOk());
  auto prepared = (*server)->PrepareRun();
  ASSERT_THAT(prepared, IsOk());
  lifecycle::Signal stop("stop");
  absl::Status result;
  RunOptions options = Options();
  std::thread runner([&] { result = server::Run(*std::move(prepared), options, &stop); });
  ASSERT_TRUE(serving_.WaitFor(absl::Seconds(10)));
  HttpResponse watch_response;
  std::thread client([&] { watch_response = Get("/api/v1/pods?watch=true"); });
  ASSERT_TRUE(base::PollUntil([&] { return (*server)->watches().group().InFlight() == 1; }));
  stop.Fire();
  client.join();
  runner.join();
  EXPECT_THAT(result, IsOk());
  EXPECT_EQ(watch_response.status, 200);
  EXPECT_EQ(watch_response.body, "{\"type\":\"ADDED\"}\n");  // ended cleanly by the server (the last chunk), not cut
  EXPECT_EQ((*server)->watches().group().InFlight(), 0);
}

// kube drains watches alongside the non-long-running requests (both start at NotAcceptingNewRequest): a watch is told
// to end while a slow ordinary request is still in flight, not after it.
TEST_F(RunTest, WatchDrainRunsAlongsideTheRequestDrain) {
  chain::ServerConfig config;
  config.shutdown_watch_termination_grace_period = absl::Seconds(5);
  auto server = chain::GenericServer::New(config, nullptr);
  ASSERT_THAT(server, IsOk());
  auto slow_done = std::make_shared<std::atomic<bool>>(false);
  auto slow_done_when_watch_released = std::make_shared<std::atomic<int>>(-1);
  auto slow = http::HandlerFunc([slow_done](http::RequestPtr request, http::ResponseWriter writer) {
    auto shared = std::make_shared<http::ResponseWriter>(std::move(writer));
    request->executor->RunAfter(absl::Milliseconds(1500), [shared, slow_done] {
      slow_done->store(true);
      shared->Send(http::TextResponse(200, "slow done")).IgnoreError();
    });
  });
  struct Watch {
    http::ResponseWriter writer;
    lifecycle::Subscription on_shutdown;
  };
  auto watches = std::make_shared<std::vector<std::shared_ptr<Watch>>>();  // handler runs on the one loop
  auto watch = http::HandlerFunc(
      [watches, slow_done, slow_done_when_watch_released](http::RequestPtr request, http::ResponseWriter writer) {
        auto state = std::make_shared<Watch>();
        watches->push_back(state);
        state->writer = std::move(writer);
        state->writer.WriteHead(200, http::HeaderMap{{"Content-Type", "application/json"}}).IgnoreError();
        state->writer.Write("{\"type\":\"ADDED\"}\n").IgnoreError();
        Watch* raw = state.get();
        state->on_shutdown = request->shutting_down->OnFired([raw, slow_done, slow_done_when_watch_released] {
          slow_done_when_watch_released->store(slow_done->load() ? 1 : 0);
          raw->writer.Finish().IgnoreError();
        });
      });
  ASSERT_THAT((*server)->HandleRoute({"/slow", {"GET"}, "slow", "text/plain", false, false}, slow), IsOk());
  ASSERT_THAT((*server)->HandleRoute({"/api/v1/pods", {"GET"}, "pods", "application/json", false, false}, watch),
              IsOk());
  auto prepared = (*server)->PrepareRun();
  ASSERT_THAT(prepared, IsOk());
  lifecycle::Signal stop("stop");
  absl::Status result;
  std::thread runner([&] { result = server::Run(*std::move(prepared), Options(), &stop); });
  ASSERT_TRUE(serving_.WaitFor(absl::Seconds(10)));
  HttpResponse watch_response, slow_response;
  std::thread watcher([&] { watch_response = Get("/api/v1/pods?watch=true"); });
  std::thread slow_client([&] { slow_response = Get("/slow"); });
  ASSERT_TRUE(base::PollUntil(
      [&] {
        return (*server)->watches().group().InFlight() == 1 && (*server)->non_long_running_requests().InFlight() == 1;
      },
      absl::Seconds(10)));
  stop.Fire();
  watcher.join();
  slow_client.join();
  runner.join();
  EXPECT_THAT(result, IsOk());
  EXPECT_EQ(slow_done_when_watch_released->load(), 0);  // released while the slow request was still in flight
  EXPECT_EQ(slow_response.status, 200);                 // and that request was not lost
  EXPECT_EQ(slow_response.body, "slow done");
  EXPECT_EQ(watch_response.status, 200);
  EXPECT_EQ(watch_response.body, "{\"type\":\"ADDED\"}\n");
}

TEST_F(RunTest, PreShutdownHookErrorIsReturned) {
  chain::ServerConfig config;
  config.pre_shutdown_hook_timeout = absl::Milliseconds(100);
  auto server = chain::GenericServer::New(config, nullptr);
  ASSERT_THAT(server, IsOk());
  ASSERT_THAT((*server)->AddPreShutdownHook("lease", [] { return absl::InternalError("lease not released"); }), IsOk());
  auto prepared = (*server)->PrepareRun();
  ASSERT_THAT(prepared, IsOk());
  lifecycle::Signal stop("stop");
  stop.Fire();
  RunOptions options = Options();
  EXPECT_THAT(server::Run(*std::move(prepared), options, &stop),
              StatusIs(absl::StatusCode::kInternal, "PreShutdownHook \"lease\" failed: lease not released"));
}

TEST_F(RunTest, ServeErrorIsReturned) {
  auto server = chain::GenericServer::New(chain::ServerConfig{}, nullptr);
  ASSERT_THAT(server, IsOk());
  auto prepared = (*server)->PrepareRun();
  ASSERT_THAT(prepared, IsOk());
  lifecycle::Signal stop("stop");
  RunOptions options = Options();
  options.serving.bind_address = "not-an-ip";
  EXPECT_THAT(server::Run(*std::move(prepared), options, &stop),
              StatusIs(absl::StatusCode::kInvalidArgument, "invalid listen address: \"not-an-ip\""));
}

}  // namespace
}  // namespace apiserve::server
