// A three-layer chain like kube's TestNewWithDelegate: listed paths, fall-through, the end of the chain, health
// checks inherited in kube's order, hooks, PrepareRun's errors, and the filters on the outermost handler.
#include "chain/generic_server.h"

#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/fake_executor.h"
#include "base/mutex.h"
#include "base/status_matchers.h"
#include "chain/filters/not_found.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "healthz/health_checker.h"
#include "healthz/log_check.h"
#include "healthz/ping_check.h"
#include "http/response.h"
#include "http/testing.h"

namespace apiserve::chain {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::Contains;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;

http::HandlerPtr Text(int status, const std::string& body) {
  return http::StaticHandler(http::Shared(http::TextResponse(status, body)));
}

RouteSpec GetRoute(const std::string& path) {
  return RouteSpec{path, {"GET"}, "test route", "text/plain", false, false};
}

class ChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerConfig inner_config;
    inner_config.name = "apiextensions";
    auto inner = GenericServer::New(inner_config, &end_);
    ASSERT_THAT(inner, IsOk());
    inner_ = *std::move(inner);
    ASSERT_THAT(inner_->HandleRoute(GetRoute("/bar"), Text(401, "bar from apiextensions")), IsOk());
    ASSERT_THAT(inner_->health().AddHealthChecks({healthz::NamedCheck(
                    "delegate-health",
                    [](const http::Request&) { return absl::InternalError("delegate failed healthcheck"); })}),
                IsOk());
    ASSERT_THAT(inner_->AddPostStartHook("delegate-hook", [](const PostStartHookContext&) { return absl::OkStatus(); }),
                IsOk());

    // As in kube's test, the outer server's own check is part of its config: config checks come first.
    ServerConfig outer_config;
    outer_config.name = "kube-apiserver";
    outer_config.health_checks = {
        healthz::PingCheck(), healthz::LogCheck(),
        healthz::NamedCheck("wrapping-health", [](const http::Request&) { return absl::OkStatus(); })};
    auto outer = GenericServer::New(outer_config, inner_.get());
    ASSERT_THAT(outer, IsOk());
    outer_ = *std::move(outer);
    ASSERT_THAT(outer_->HandleRoute(GetRoute("/foo"), Text(403, "foo from kube")), IsOk());
    ASSERT_THAT(outer_->AddPostStartHook("wrapping-hook", [](const PostStartHookContext&) { return absl::OkStatus(); }),
                IsOk());
  }

  http::RecordedResponse Get(const std::string& target) {
    return http::ServeForTest(*outer_->Handler(), http::NewRequest("GET", target, &loop_), &loop_);
  }

  base::FakeExecutor loop_;
  EmptyDelegate end_{TerminalNotFoundHandler()};
  std::unique_ptr<GenericServer> inner_;
  std::unique_ptr<GenericServer> outer_;
};

TEST_F(ChainTest, ListedPathsAreTheSortedUnionAfterPrepareRun) {
  ASSERT_THAT(outer_->PrepareRun(), IsOk());
  // As kube's TestNewWithDelegate: every server serves /apis (discovery), listed.
  EXPECT_THAT(outer_->ListedPaths(), ElementsAreArray({"/apis",
                                                       "/bar",
                                                       "/foo",
                                                       "/healthz",
                                                       "/healthz/delegate-health",
                                                       "/healthz/log",
                                                       "/healthz/ping",
                                                       "/healthz/poststarthook/delegate-hook",
                                                       "/healthz/poststarthook/max-in-flight-filter",
                                                       "/healthz/poststarthook/wrapping-hook",
                                                       "/healthz/wrapping-health",
                                                       "/livez",
                                                       "/livez/delegate-health",
                                                       "/livez/log",
                                                       "/livez/ping",
                                                       "/livez/poststarthook/delegate-hook",
                                                       "/livez/poststarthook/max-in-flight-filter",
                                                       "/livez/poststarthook/wrapping-hook",
                                                       "/livez/wrapping-health",
                                                       "/metrics",
                                                       "/metrics/slis",
                                                       "/openapi/v2",
                                                       "/openapi/v3",
                                                       "/readyz",
                                                       "/readyz/delegate-health",
                                                       "/readyz/log",
                                                       "/readyz/ping",
                                                       "/readyz/poststarthook/delegate-hook",
                                                       "/readyz/poststarthook/max-in-flight-filter",
                                                       "/readyz/poststarthook/wrapping-hook",
                                                       "/readyz/shutdown",
                                                       "/readyz/wrapping-health",
                                                       "/version"}));
  http::RecordedResponse index = Get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.headers.Get("Content-Type"), "application/json");
  EXPECT_THAT(index.body, HasSubstr("{\n  \"paths\": [\n    \"/apis\",\n    \"/bar\",\n    \"/foo\","));
}

TEST_F(ChainTest, RequestsFallThroughToTheDelegateAndEndAtNotFound) {
  ASSERT_THAT(outer_->PrepareRun(), IsOk());
  EXPECT_EQ(Get("/foo").status, 403);
  http::RecordedResponse bar = Get("/bar");
  EXPECT_EQ(bar.status, 401);
  EXPECT_EQ(bar.body, "bar from apiextensions");
  // Before MuxAndDiscoveryComplete the end of the chain answers 503; after, 404.
  http::RecordedResponse early = Get("/nothing");
  EXPECT_EQ(early.status, 503);
  EXPECT_EQ(early.headers.Get("Retry-After"), "5");
  outer_->signals().mux_and_discovery_complete.Fire();
  http::RecordedResponse late = Get("/nothing");
  EXPECT_EQ(late.status, 404);
  EXPECT_EQ(late.body, "404 page not found\n");
}

TEST_F(ChainTest, HealthzListsDelegateChecksInKubesOrderAndFails) {
  ASSERT_THAT(outer_->PrepareRun(), IsOk());
  http::RecordedResponse r = Get("/healthz");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body,
            "[+]ping ok\n[+]log ok\n[+]wrapping-health ok\n"
            "[-]poststarthook/max-in-flight-filter failed: reason withheld\n"
            "[-]delegate-health failed: reason withheld\n"
            "[-]poststarthook/delegate-hook failed: reason withheld\n"
            "[-]poststarthook/wrapping-hook failed: reason withheld\nhealthz check failed\n");
  EXPECT_EQ(Get("/healthz/delegate-health").body, "internal server error: delegate failed healthcheck\n");
  EXPECT_EQ(Get("/healthz/ping").body, "ok");
  http::RecordedResponse readyz =
      Get("/readyz?exclude=delegate-health&exclude=poststarthook/delegate-hook&exclude="
          "poststarthook/wrapping-hook&exclude=poststarthook/max-in-flight-filter");
  EXPECT_EQ(readyz.status, 200);
}

TEST_F(ChainTest, HooksAreInheritedAndRunFromTheOutermostServer) {
  auto hooks = outer_->PostStartHookEntries();
  EXPECT_EQ(hooks.size(), 3u);
  EXPECT_EQ(hooks.count("delegate-hook"), 1u);
  EXPECT_EQ(hooks.count("max-in-flight-filter"), 1u);  // the delegate's default hook, not registered twice
  ASSERT_THAT(outer_->PrepareRun(), IsOk());
  outer_->RunPostStartHooks(PostStartHookContext{});
  // Each hook runs on its own detached thread: wait (bounded) for all three to report, also the default
  // max-in-flight-filter hook, which touches the inner server (gone after the test).
  for (int i = 0; i < 2000 && (Get("/healthz/poststarthook/delegate-hook").status != 200 ||
                               Get("/healthz/poststarthook/wrapping-hook").status != 200 ||
                               Get("/healthz/poststarthook/max-in-flight-filter").status != 200);
       ++i) {
    ::usleep(1000);
  }
  EXPECT_EQ(Get("/healthz/poststarthook/delegate-hook").status, 200);
  EXPECT_EQ(Get("/healthz/poststarthook/wrapping-hook").status, 200);
  EXPECT_EQ(Get("/healthz/poststarthook/max-in-flight-filter").status, 200);
}

TEST_F(ChainTest, PrepareRunOnceThenChecksRefusedRoutesAccepted) {
  ASSERT_THAT(outer_->PrepareRun(), IsOk());
  EXPECT_THAT(outer_->PrepareRun(),
              StatusIs(absl::StatusCode::kFailedPrecondition, "PrepareRun has already been called on kube-apiserver"));
  EXPECT_THAT(outer_->health().AddReadyzChecks(
                  {healthz::NamedCheck("late", [](const http::Request&) { return absl::OkStatus(); })}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "unable to add because the /readyz endpoint has already been created"));
  EXPECT_THAT(outer_->AddPostStartHook("late", [](const PostStartHookContext&) { return absl::OkStatus(); }),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "unable to add because the /healthz endpoint has already been created"));
  ASSERT_THAT(outer_->HandleRoute(GetRoute("/late"), Text(200, "late route")), IsOk());
  EXPECT_EQ(Get("/late").body, "late route");
  EXPECT_THAT(outer_->ListedPaths(), Contains("/late"));
}

TEST_F(ChainTest, ReadyzFailsOnceShutdownIsInitiated) {
  ASSERT_THAT(outer_->PrepareRun(), IsOk());
  const std::string excludes =
      "?exclude=delegate-health&exclude=poststarthook/delegate-hook&exclude=poststarthook/wrapping-hook"
      "&exclude=poststarthook/max-in-flight-filter";
  EXPECT_EQ(Get("/readyz" + excludes).status, 200);
  EXPECT_TRUE(outer_->signals().has_been_ready.HasFired());
  outer_->signals().shutdown_initiated.Fire();
  http::RecordedResponse r = Get("/readyz" + excludes);
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, HasSubstr("[-]shutdown failed: reason withheld\nreadyz check failed\n"));
  EXPECT_EQ(Get("/livez" + excludes).status, 200);
}

TEST_F(ChainTest, OuterHandlerAddsStandardHeadersAndOpenApi) {
  ASSERT_THAT(outer_->PrepareRun(), IsOk());
  http::RecordedResponse foo = Get("/foo");
  EXPECT_EQ(foo.headers.Get("Cache-Control"), "no-cache, private");
  EXPECT_TRUE(foo.headers.Has("Audit-Id"));
  http::RecordedResponse v2 = Get("/openapi/v2");
  EXPECT_EQ(v2.status, 200);
  EXPECT_THAT(v2.body, HasSubstr("\"/bar\""));
  EXPECT_THAT(v2.body, HasSubstr("\"/foo\""));
  EXPECT_TRUE(v2.headers.Has("ETag"));
}

TEST(StandaloneServerTest, UnknownPathGets404WithTheIndex) {
  auto server = GenericServer::New(ServerConfig{}, nullptr);
  ASSERT_THAT(server, IsOk());
  ASSERT_THAT((*server)->HandleRoute(GetRoute("/custom"), Text(200, "v")), IsOk());
  ASSERT_THAT((*server)->PrepareRun(), IsOk());  // installs /version from the config
  http::RecordedResponse r = http::ServeForTest(*(*server)->Handler(), http::NewRequest("GET", "/unknown"));
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("\"/custom\""));
  EXPECT_THAT(r.body, HasSubstr("\"/version\""));
  EXPECT_THAT(r.body, Not(HasSubstr("\"/\"")));
}

TEST(StandaloneServerTest, LongRunningRoutesEscapeTheRequestTimeout) {
  base::FakeExecutor loop;
  ServerConfig config;
  config.request_timeout = absl::Seconds(1);
  auto server = GenericServer::New(config, nullptr);
  ASSERT_THAT(server, IsOk());
  std::vector<http::ResponseWriter> held;
  auto hold = http::HandlerFunc([&](http::RequestPtr, http::ResponseWriter w) { held.push_back(std::move(w)); });
  RouteSpec ticks{"/apis/demo/v1/ticks", {"GET"}, "stream", "application/json", false, /*long_running=*/true};
  ASSERT_THAT((*server)->HandleRoute(ticks, hold), IsOk());
  ASSERT_THAT((*server)->HandleRoute(GetRoute("/apis/demo/v1/slow"), hold), IsOk());
  http::RecordingSink ticks_sink, slow_sink;
  (*server)->Handler()->Serve(http::NewRequest("GET", "/apis/demo/v1/ticks", &loop),
                              http::ResponseWriter(http::NewExchange(&loop, &ticks_sink)));
  (*server)->Handler()->Serve(http::NewRequest("GET", "/apis/demo/v1/slow", &loop),
                              http::ResponseWriter(http::NewExchange(&loop, &slow_sink)));
  loop.AdvanceTime(absl::Seconds(2));
  EXPECT_EQ(slow_sink.recorded.status, 504);
  EXPECT_FALSE(ticks_sink.recorded.head_received);
  EXPECT_EQ((*server)->non_long_running_requests().InFlight(), 0);
  held.clear();
}

// A delegate that is not a GenericServer: its long-running routes and resources, reported through Routes() and
// APIGroups(), are honoured by the server in front of it, also when it adds one after that server was built (it
// tells its observers, as DelegationTarget asks).
class CustomDelegate : public EmptyDelegate {
 public:
  explicit CustomDelegate(http::HandlerPtr handler) : EmptyDelegate(std::move(handler)) {}

  std::vector<RouteSpec> Routes() const override {
    base::MutexLock lock(&mu_);
    return routes_;
  }
  std::vector<std::shared_ptr<const APIGroupInfo>> APIGroups() const override {
    APIGroupInfo group;
    group.name = "custom.example.io";
    APIGroupVersion version;
    version.version = "v1";
    APIResource events;
    events.name = "events";
    events.long_running = true;
    version.resources.push_back(events);
    group.versions.push_back(version);
    return {std::make_shared<const APIGroupInfo>(std::move(group))};
  }
  void AddChangeObserver(ChangeObserver* observer) override {
    base::MutexLock lock(&mu_);
    observers_.push_back(observer);
  }
  void RemoveChangeObserver(ChangeObserver* observer) override {
    base::MutexLock lock(&mu_);
    observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
  }
  void AddRoute(RouteSpec route) {
    std::vector<ChangeObserver*> observers;
    {
      base::MutexLock lock(&mu_);
      routes_.push_back(std::move(route));
      observers = observers_;
    }
    for (ChangeObserver* observer : observers) observer->OnRoutesChanged();
  }
  size_t observers() const {
    base::MutexLock lock(&mu_);
    return observers_.size();
  }

 private:
  mutable base::Mutex mu_;
  std::vector<RouteSpec> routes_ ABSL_GUARDED_BY(mu_){
      RouteSpec{"/custom/stream", {"GET"}, "stream", "application/json", false, /*long_running=*/true}};
  std::vector<ChangeObserver*> observers_ ABSL_GUARDED_BY(mu_);
};

TEST(CustomDelegateTest, ItsLongRunningRoutesAndResourcesAreHonoured) {
  base::FakeExecutor loop;
  std::vector<http::ResponseWriter> held;
  auto hold = http::HandlerFunc([&](http::RequestPtr, http::ResponseWriter w) { held.push_back(std::move(w)); });
  CustomDelegate custom(hold);
  ServerConfig config;
  config.request_timeout = absl::Seconds(1);
  {
    auto server = GenericServer::New(config, &custom);
    ASSERT_THAT(server, IsOk());
    EXPECT_EQ(custom.observers(), 1u);
    custom.AddRoute(RouteSpec{"/custom/later/",
                              {"GET"},
                              "stream",
                              "application/json",
                              /*prefix=*/true,
                              /*long_running=*/true});
    const char* const kPaths[] = {"/custom/stream", "/custom/later/x", "/apis/custom.example.io/v1/events",
                                  "/custom/slow"};
    http::RecordingSink sinks[4];
    for (int i = 0; i < 4; ++i) {
      (*server)->Handler()->Serve(http::NewRequest("GET", kPaths[i], &loop),
                                  http::ResponseWriter(http::NewExchange(&loop, &sinks[i])));
    }
    loop.AdvanceTime(absl::Seconds(2));
    EXPECT_FALSE(sinks[0].recorded.head_received) << kPaths[0];
    EXPECT_FALSE(sinks[1].recorded.head_received) << kPaths[1];
    EXPECT_FALSE(sinks[2].recorded.head_received) << kPaths[2];
    EXPECT_EQ(sinks[3].recorded.status, 504);  // not long-running: timed out
    EXPECT_EQ((*server)->non_long_running_requests().InFlight(), 0);
    held.clear();
  }
  EXPECT_EQ(custom.observers(), 0u);  // the server unregistered when it went
}

// kube's default post-start hook for the max-in-flight filter (server/config.go): registered when a limit is set,
// failing `not finished` on all three endpoints until the hooks run, then `ok` and the watermarks roll every second.
TEST(DefaultPostStartHooksTest, MaxInFlightFilterHookWhenLimitsAreSet) {
  base::FakeExecutor loop;
  auto get = [&loop](GenericServer& server, const std::string& target) {
    return http::ServeForTest(*server.Handler(), http::NewRequest("GET", target, &loop), &loop);
  };
  auto server = GenericServer::New(ServerConfig{}, nullptr);  // kube's defaults: 400 and 200
  ASSERT_THAT(server, IsOk());
  ASSERT_THAT((*server)->PrepareRun(), IsOk());
  EXPECT_EQ(get(**server, "/healthz?verbose").body,
            "[+]ping ok\n[+]log ok\n[-]poststarthook/max-in-flight-filter failed: reason withheld\n"
            "healthz check failed\n");
  EXPECT_EQ(get(**server, "/livez/poststarthook/max-in-flight-filter").body, "internal server error: not finished\n");
  EXPECT_EQ(get(**server, "/readyz").status, 500);
  (*server)->RunPostStartHooks(PostStartHookContext{});
  for (int i = 0; i < 2000 && get(**server, "/readyz").status != 200; ++i) ::usleep(1000);
  EXPECT_EQ(get(**server, "/healthz?verbose").body,
            "[+]ping ok\n[+]log ok\n[+]poststarthook/max-in-flight-filter ok\nhealthz check passed\n");
  EXPECT_EQ(get(**server, "/livez?verbose").body,
            "[+]ping ok\n[+]log ok\n[+]poststarthook/max-in-flight-filter ok\nlivez check passed\n");
  EXPECT_EQ(get(**server, "/readyz?verbose").body,
            "[+]ping ok\n[+]log ok\n[+]poststarthook/max-in-flight-filter ok\n[+]shutdown ok\n"
            "readyz check passed\n");
  (*server)->Destroy();  // stops the watermark thread

  // A user hook of the same name wins; with both limits 0 there is no such hook (kube: no max-in-flight filter).
  ServerConfig unlimited;
  unlimited.max_requests_inflight = 0;
  unlimited.max_mutating_requests_inflight = 0;
  auto plain = GenericServer::New(unlimited, nullptr);
  ASSERT_THAT(plain, IsOk());
  EXPECT_EQ((*plain)->PostStartHookEntries().count("max-in-flight-filter"), 0u);
  ASSERT_THAT((*plain)->PrepareRun(), IsOk());
  EXPECT_EQ(get(**plain, "/healthz?verbose").body, "[+]ping ok\n[+]log ok\nhealthz check passed\n");
}

// The watermarks behind apiserver_current_inflight_requests: the most held at once, over the last and the current
// period; a roll (the hook's once-a-second tick) starts a new period from what is held now.
TEST(DefaultPostStartHooksTest, InFlightWatermarksRoll) {
  InFlightCounters counters;
  counters.readonly = 3;
  counters.readonly_watermark = 5;
  EXPECT_EQ(counters.ReadonlyUsage(), 5);
  RollInFlightWatermarks();
  EXPECT_EQ(counters.readonly_last_period, 5);
  EXPECT_EQ(counters.readonly_watermark, 3);
  EXPECT_EQ(counters.ReadonlyUsage(), 5);
  counters.readonly = 0;
  RollInFlightWatermarks();
  EXPECT_EQ(counters.ReadonlyUsage(), 3);
  RollInFlightWatermarks();
  EXPECT_EQ(counters.ReadonlyUsage(), 0);
  EXPECT_EQ(counters.MutatingUsage(), 0);
}

}  // namespace
}  // namespace apiserve::chain
