// Tests of the root and per-check handlers, after kube's healthz_test.go (TestInstallHandler, TestMultipleChecks,
// TestMultiplePathChecks, TestInstallPathHandlerWithHealthyFunc, TestGetExcludedChecks) plus blocking checks.

#include "healthz/handlers.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/fake_executor.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "healthz/check_metrics.h"
#include "healthz/fake_router.h"
#include "healthz/health_checker.h"
#include "healthz/ping_check.h"
#include "http/testing.h"

namespace apiserve::healthz {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

HealthCheckerPtr BadCheck() {
  return NamedCheck("bad", [](const http::Request&) { return absl::InternalError("this will fail"); });
}

std::string PathOf(absl::string_view target) { return std::string(target.substr(0, target.find('?'))); }

// Serve serves `target` through whatever `router` registered for its path and runs `loop` until idle.
http::RecordedResponse Serve(const FakeRouter& router, absl::string_view target, base::FakeExecutor* loop,
                             absl::string_view method = "GET") {
  http::HandlerPtr handler = router.Lookup(PathOf(target));
  if (handler == nullptr) {
    ADD_FAILURE() << "no handler for " << target;
    return {};
  }
  return http::ServeForTest(*handler, http::NewRequest(method, target, loop), loop);
}

// PendingProbe serves a request whose answer may come later (blocking checks); `sink.recorded` holds it.
struct PendingProbe {
  PendingProbe(const FakeRouter& router, absl::string_view target, base::FakeExecutor* loop) {
    exchange = http::NewExchange(loop, &sink);
    sink.Attach(exchange);
    router.Lookup(PathOf(target))->Serve(http::NewRequest("GET", target, loop), http::ResponseWriter(exchange));
  }
  ~PendingProbe() { exchange->DetachSink(); }
  const http::RecordedResponse& response() const { return sink.recorded; }

  http::RecordingSink sink;
  std::shared_ptr<http::Exchange> exchange;
};

// Options builds HandlerOptions (designated initializers trip -Wmissing-field-initializers). Failure logs are
// swallowed unless `log_failure` is given.
HandlerOptions Options(CheckMetrics* metrics = nullptr, std::function<void(const std::string&)> log_failure = nullptr,
                       std::function<void()> first_time_healthy = nullptr) {
  HandlerOptions options;
  options.metrics = metrics;
  options.log_failure = log_failure ? std::move(log_failure) : [](const std::string&) {};
  options.first_time_healthy = std::move(first_time_healthy);
  return options;
}

void ExpectRootHeaders(const http::RecordedResponse& r, absl::string_view what) {
  EXPECT_EQ(r.headers.Get("Content-Type"), "text/plain; charset=utf-8") << what;
  EXPECT_EQ(r.headers.Get("X-Content-Type-Options"), "nosniff") << what;
}

TEST(InstallHandlerTest, InstallsPingAtHealthzWhenNoChecks) {
  // kube's TestInstallHandler.
  FakeRouter router;
  base::FakeExecutor loop;
  ASSERT_THAT(InstallHandler(&router, {}), IsOk());
  EXPECT_THAT(router.Paths(), ElementsAre("/healthz", "/healthz/ping"));
  const auto r = Serve(router, "/healthz", &loop);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  ExpectRootHeaders(r, "/healthz");
}

TEST(InstallHandlerTest, ReadyzAndLivezPaths) {
  FakeRouter router;
  ASSERT_THAT(InstallReadyzHandler(&router, {PingCheck()}), IsOk());
  ASSERT_THAT(InstallLivezHandler(&router, {PingCheck()}), IsOk());
  EXPECT_THAT(router.Paths(), ElementsAre("/readyz", "/readyz/ping", "/livez", "/livez/ping"));
}

TEST(InstallPathHandlerTest, PerCheckPathsInRegistrationOrderWithSlashesInNames) {
  FakeRouter router;
  auto hook = NamedCheck("poststarthook/start-informers", [](const http::Request&) { return absl::OkStatus(); });
  ASSERT_THAT(InstallPathHandler(&router, "/readyz", {PingCheck(), hook, BadCheck()}), IsOk());
  EXPECT_THAT(router.Paths(),
              ElementsAre("/readyz", "/readyz/ping", "/readyz/poststarthook/start-informers", "/readyz/bad"));
}

TEST(InstallPathHandlerTest, DuplicateNameIsAlreadyExists) {
  FakeRouter router;
  EXPECT_THAT(InstallPathHandler(&router, "/healthz", {PingCheck(), PingCheck()}),
              StatusIs(absl::StatusCode::kAlreadyExists));
  FakeRouter taken;
  ASSERT_THAT(InstallHandler(&taken, {}), IsOk());
  EXPECT_THAT(InstallHandler(&taken, {}), StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST(EndpointNameTest, FirstPathSegment) {
  EXPECT_EQ(EndpointName("/healthz"), "healthz");
  EXPECT_EQ(EndpointName("/ready"), "ready");
  EXPECT_EQ(EndpointName("/healthz/test"), "healthz");
  EXPECT_EQ(EndpointName("healthz"), "healthz");
}

// kube's TestMultipleChecks and TestMultiplePathChecks: the table of §3.3, for /healthz and for /ready.
TEST(RootHandlerTest, MultipleChecksTable) {
  struct Case {
    std::string suffix;  // appended to the path
    int status;
    std::string body;  // "NAME" stands for the endpoint name
    bool add_bad_check;
  };
  const std::vector<Case> cases = {
      {"?verbose", 200, "[+]ping ok\nNAME check passed\n", false},
      {"?exclude=dontexist", 200, "ok", false},
      {"?exclude=bad", 200, "ok", true},
      {"?verbose=true&exclude=bad", 200, "[+]ping ok\n[+]bad excluded: ok\nNAME check passed\n", true},
      {"?verbose=true&exclude=dontexist", 200,
       "[+]ping ok\nwarn: some health checks cannot be excluded: no matches for \"dontexist\"\nNAME check passed\n",
       false},
      {"/ping", 200, "ok", false},
      {"", 200, "ok", false},
      {"?verbose", 500, "[+]ping ok\n[-]bad failed: reason withheld\nNAME check failed\n", true},
      {"/ping", 200, "ok", true},
      {"/bad", 500, "internal server error: this will fail\n", true},
      {"", 500, "[+]ping ok\n[-]bad failed: reason withheld\nNAME check failed\n", true},
      // Beyond kube's table.
      {"?verbose=false", 200, "[+]ping ok\nNAME check passed\n", false},
      {"?verbose&exclude=ping", 200, "[+]ping excluded: ok\nNAME check passed\n", false},
      {"?exclude=zz&exclude=bad&exclude=aa", 200, "ok", true},
      {"?verbose&exclude=zz&exclude=bad&exclude=aa", 200,
       "[+]ping ok\n[+]bad excluded: ok\nwarn: some health checks cannot be excluded: no matches for \"aa\",\"zz\"\n"
       "NAME check passed\n",
       true},
      // Failure is always verbose, including exclusion and warn lines.
      {"?exclude=ping&exclude=nope", 500,
       "[+]ping excluded: ok\n[-]bad failed: reason withheld\n"
       "warn: some health checks cannot be excluded: no matches for \"nope\"\nNAME check failed\n",
       true},
      {"?verbose&exclude=", 200,
       "[+]ping ok\nwarn: some health checks cannot be excluded: no matches for \"\"\nNAME check passed\n", false},
  };
  for (const std::string path : {"/healthz", "/ready"}) {
    const std::string name = path.substr(1);
    for (const Case& c : cases) {
      FakeRouter router;
      base::FakeExecutor loop;
      CheckMetrics metrics;
      // (Built in one expression: GCC 12 -O2 reports a false -Warray-bounds for push_back after an init list.)
      const std::vector<HealthCheckerPtr> checks = c.add_bad_check
                                                       ? std::vector<HealthCheckerPtr>{PingCheck(), BadCheck()}
                                                       : std::vector<HealthCheckerPtr>{PingCheck()};
      ASSERT_THAT(InstallPathHandlerWithHealthyFunc(&router, path, checks, Options(&metrics)), IsOk());
      const std::string target = path + c.suffix;
      const auto r = Serve(router, target, &loop);
      EXPECT_TRUE(r.complete) << target;
      EXPECT_EQ(r.status, c.status) << target;
      EXPECT_EQ(r.body, absl::StrReplaceAll(c.body, {{"NAME", name}})) << target;
      EXPECT_EQ(r.headers.Get("Content-Type"), "text/plain; charset=utf-8") << target;
      // The per-check success answer is Go's sniffed "ok": no nosniff; every other answer has it.
      const bool check_ok = c.suffix.rfind("/", 0) == 0 && c.status == 200;
      EXPECT_EQ(r.headers.Has("X-Content-Type-Options"), !check_ok) << target;
    }
  }
}

TEST(RootHandlerTest, GroupExclusion) {
  FakeRouter router;
  base::FakeExecutor loop;
  auto failing_etcd =
      NamedGroupedCheck("etcd-override-0", "etcd", [](const http::Request&) { return absl::InternalError("down"); });
  auto etcd = NamedGroupedCheck("etcd", "etcd", [](const http::Request&) { return absl::OkStatus(); });
  ASSERT_THAT(InstallPathHandlerWithHealthyFunc(&router, "/readyz", {PingCheck(), etcd, failing_etcd}, Options()),
              IsOk());
  auto r = Serve(router, "/readyz?verbose&exclude=etcd", &loop);
  EXPECT_EQ(r.status, 200);
  // The name match wins for "etcd"; the group match excludes "etcd-override-0".
  EXPECT_EQ(r.body,
            "[+]ping ok\n[+]etcd excluded: ok\n[+]etcd-override-0 excluded with etcd: ok\nreadyz check passed\n");
  r = Serve(router, "/readyz", &loop);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "[+]ping ok\n[+]etcd ok\n[-]etcd-override-0 failed: reason withheld\nreadyz check failed\n");
}

TEST(RootHandlerTest, AnyMethodWorks) {
  FakeRouter router;
  base::FakeExecutor loop;
  ASSERT_THAT(InstallHandler(&router, {PingCheck()}), IsOk());
  for (const char* method : {"GET", "HEAD", "POST", "DELETE"}) {
    const auto r = Serve(router, "/healthz", &loop, method);
    EXPECT_EQ(r.status, 200) << method;
    EXPECT_EQ(r.body, "ok") << method;
  }
}

// PointerSink records which ResponsePtr it was handed.
class PointerSink : public http::ResponseSink {
 public:
  void SendResponse(http::ResponsePtr response, absl::Span<const http::HeaderField>) override {
    sent = std::move(response);
  }
  void SendHead(int, http::HeaderMap, bool) override {}
  void SendBody(std::string, bool) override {}
  void SendTrailers(http::HeaderMap) override {}
  void Abort() override {}
  http::ResponsePtr sent;
};

TEST(RootHandlerTest, OkIsOnePrebuiltSharedResponse) {
  FakeRouter router;
  base::FakeExecutor loop;
  ASSERT_THAT(InstallHandler(&router, {PingCheck()}), IsOk());
  PointerSink first;
  PointerSink second;
  for (PointerSink* sink : {&first, &second}) {
    auto exchange = http::NewExchange(&loop, sink);
    router.Lookup("/healthz")->Serve(http::NewRequest("GET", "/healthz", &loop), http::ResponseWriter(exchange));
    loop.RunUntilIdle();
    exchange->DetachSink();
  }
  ASSERT_NE(first.sent, nullptr);
  EXPECT_EQ(first.sent, second.sent);
  EXPECT_EQ(first.sent->body, "ok");
}

// kube's TestInstallPathHandlerWithHealthyFunc: the callback runs once, and only on success.
TEST(RootHandlerTest, FirstTimeHealthyOnceAndOnlyOnSuccess) {
  FakeRouter router;
  base::FakeExecutor loop;
  std::atomic<bool> healthy{false};
  int calls = 0;
  auto toggle = NamedCheck("toggle", [&healthy](const http::Request&) {
    return healthy.load() ? absl::OkStatus() : absl::UnavailableError("not yet");
  });
  ASSERT_THAT(InstallPathHandlerWithHealthyFunc(&router, "/readyz", {PingCheck(), toggle},
                                                Options(nullptr, nullptr, [&calls] { ++calls; })),
              IsOk());
  EXPECT_EQ(Serve(router, "/readyz", &loop).status, 500);
  EXPECT_EQ(Serve(router, "/readyz?verbose", &loop).status, 500);
  EXPECT_EQ(Serve(router, "/readyz/ping", &loop).status, 200);
  EXPECT_EQ(calls, 0) << "per-check subpaths never count";
  // A probe that excludes the failing check is a fully successful root probe.
  EXPECT_EQ(Serve(router, "/readyz?exclude=toggle", &loop).status, 200);
  EXPECT_EQ(calls, 1);
  healthy = true;
  EXPECT_EQ(Serve(router, "/readyz", &loop).status, 200);
  EXPECT_EQ(Serve(router, "/readyz?verbose", &loop).status, 200);
  EXPECT_EQ(calls, 1);
}

TEST(RootHandlerTest, FailuresAreLoggedWithRealReasons) {
  FakeRouter router;
  base::FakeExecutor loop;
  std::vector<std::string> logged;
  auto worse = NamedCheck("worse", [](const http::Request&) { return absl::UnavailableError("disk on fire"); });
  ASSERT_THAT(InstallPathHandlerWithHealthyFunc(
                  &router, "/healthz", {PingCheck(), BadCheck(), worse},
                  Options(nullptr, [&logged](const std::string& message) { logged.push_back(message); })),
              IsOk());
  EXPECT_EQ(Serve(router, "/healthz", &loop).status, 500);
  EXPECT_THAT(logged, ElementsAre("bad,worse check failed: healthz\n[-]bad failed: this will fail\n"
                                  "[-]worse failed: disk on fire\n"));
  logged.clear();
  EXPECT_EQ(Serve(router, "/healthz/bad", &loop).status, 500);
  EXPECT_EQ(Serve(router, "/healthz?exclude=bad&exclude=worse", &loop).status, 200);
  EXPECT_THAT(logged, IsEmpty()) << "only failing root probes log";
}

TEST(RootHandlerTest, MetricsSkipExcludedChecksAndSubpaths) {
  FakeRouter router;
  base::FakeExecutor loop;
  CheckMetrics metrics;
  ASSERT_THAT(InstallPathHandlerWithHealthyFunc(&router, "/livez", {PingCheck(), BadCheck()}, Options(&metrics)),
              IsOk());
  Serve(router, "/livez", &loop);
  Serve(router, "/livez?verbose", &loop);
  Serve(router, "/livez?exclude=bad", &loop);
  Serve(router, "/livez/bad", &loop);
  Serve(router, "/livez/ping", &loop);
  EXPECT_THAT(metrics.Snapshot(),
              ElementsAre(CheckSample{"bad", "livez", 0, 0, 2}, CheckSample{"ping", "livez", 1, 3, 0}));
}

// --- blocking checks ---

// SlowCheck is a blocking check that counts its runs and returns `result`.
struct SlowCheck {
  std::atomic<int> runs{0};
  absl::Status result;
  HealthCheckerPtr Make(absl::Duration timeout) {
    return NamedBlockingCheck("slow", timeout, [this](const http::Request&) {
      ++runs;
      return result;
    });
  }
};

TEST(BlockingCheckTest, RunsOnThePoolAndAnswersWhenDone) {
  FakeRouter router;
  base::FakeExecutor loop;
  SlowCheck slow;
  ASSERT_THAT(InstallHandler(&router, {PingCheck(), slow.Make(absl::Seconds(2))}), IsOk());
  loop.HoldBlockingWork(true);
  PendingProbe probe(router, "/healthz?verbose", &loop);
  loop.RunUntilIdle();
  EXPECT_FALSE(probe.response().complete) << "the root handler waits for the blocking check";
  EXPECT_EQ(slow.runs, 0);
  loop.RunHeldBlockingWork();
  EXPECT_EQ(slow.runs, 1);
  ASSERT_TRUE(probe.response().complete);
  EXPECT_EQ(probe.response().status, 200);
  EXPECT_EQ(probe.response().body, "[+]ping ok\n[+]slow ok\nhealthz check passed\n");
  ExpectRootHeaders(probe.response(), "blocking");
  EXPECT_EQ(loop.PendingTimers(), 1) << "the timeout timer is cancelled, not yet dropped";
  loop.AdvanceTime(absl::Seconds(5));
  EXPECT_EQ(loop.PendingTimers(), 0);
}

TEST(BlockingCheckTest, TimesOutGoStyle) {
  struct Case {
    absl::Duration timeout;
    std::string printed;
  };
  for (const Case& c : {Case{absl::Seconds(2), "2s"}, Case{absl::Milliseconds(500), "500ms"}}) {
    FakeRouter router;
    base::FakeExecutor loop;
    SlowCheck slow;
    std::vector<std::string> logged;
    ASSERT_THAT(InstallPathHandlerWithHealthyFunc(
                    &router, "/readyz", {PingCheck(), slow.Make(c.timeout)},
                    Options(nullptr, [&logged](const std::string& message) { logged.push_back(message); })),
                IsOk());
    loop.HoldBlockingWork(true);
    PendingProbe root(router, "/readyz", &loop);
    PendingProbe single(router, "/readyz/slow", &loop);
    loop.AdvanceTime(c.timeout - absl::Milliseconds(1));
    EXPECT_FALSE(root.response().complete);
    EXPECT_FALSE(single.response().complete);
    loop.AdvanceTime(absl::Milliseconds(1));
    ASSERT_TRUE(root.response().complete);
    EXPECT_EQ(root.response().status, 500);
    EXPECT_EQ(root.response().body, "[+]ping ok\n[-]slow failed: reason withheld\nreadyz check failed\n");
    ASSERT_TRUE(single.response().complete);
    EXPECT_EQ(single.response().status, 500);
    EXPECT_EQ(single.response().body, "internal server error: timed out after " + c.printed + "\n");
    EXPECT_THAT(logged, ElementsAre("slow check failed: readyz\n[-]slow failed: timed out after " + c.printed + "\n"));
    loop.RunHeldBlockingWork();  // the stuck check finally returns; nobody is waiting any more
    EXPECT_EQ(slow.runs, 1);
  }
}

TEST(BlockingCheckTest, ConcurrentProbesShareOneRun) {
  FakeRouter router;
  base::FakeExecutor loop;
  SlowCheck slow;
  slow.result = absl::InternalError("etcd unreachable");
  ASSERT_THAT(InstallPathHandlerWithHealthyFunc(&router, "/readyz", {slow.Make(absl::Seconds(2))}, Options()), IsOk());
  loop.HoldBlockingWork(true);
  PendingProbe first(router, "/readyz", &loop);
  loop.AdvanceTime(absl::Seconds(1));
  PendingProbe second(router, "/readyz?verbose", &loop);
  PendingProbe single(router, "/readyz/slow", &loop);
  loop.RunHeldBlockingWork();
  EXPECT_EQ(slow.runs, 1) << "three probes, one run";
  for (const PendingProbe* probe : {&first, &second}) {
    ASSERT_TRUE(probe->response().complete);
    EXPECT_EQ(probe->response().status, 500);
    EXPECT_EQ(probe->response().body, "[-]slow failed: reason withheld\nreadyz check failed\n");
  }
  ASSERT_TRUE(single.response().complete);
  EXPECT_EQ(single.response().body, "internal server error: etcd unreachable\n");
  // A probe after the run finished starts a new one.
  loop.HoldBlockingWork(false);
  slow.result = absl::OkStatus();
  PendingProbe later(router, "/readyz", &loop);
  loop.RunUntilIdle();
  EXPECT_EQ(slow.runs, 2);
  EXPECT_EQ(later.response().body, "ok");
}

TEST(BlockingCheckTest, LateJoinerOfATimedOutRunGetsItsOwnTimeout) {
  FakeRouter router;
  base::FakeExecutor loop;
  SlowCheck slow;
  ASSERT_THAT(InstallPathHandlerWithHealthyFunc(&router, "/readyz", {slow.Make(absl::Seconds(2))}, Options()), IsOk());
  loop.HoldBlockingWork(true);
  PendingProbe first(router, "/readyz", &loop);
  loop.AdvanceTime(absl::Seconds(2));
  EXPECT_EQ(first.response().status, 500);
  // The run is still stuck on the pool: a new probe joins it instead of starting another.
  PendingProbe second(router, "/readyz", &loop);
  loop.AdvanceTime(absl::Seconds(1));
  EXPECT_FALSE(second.response().complete);
  loop.RunHeldBlockingWork();
  EXPECT_EQ(slow.runs, 1);
  ASSERT_TRUE(second.response().complete);
  EXPECT_EQ(second.response().status, 200);
  EXPECT_EQ(second.response().body, "ok");
}

TEST(BlockingCheckTest, ExcludedBlockingCheckDoesNotRun) {
  FakeRouter router;
  base::FakeExecutor loop;
  SlowCheck slow;
  ASSERT_THAT(InstallHandler(&router, {PingCheck(), slow.Make(absl::Seconds(2))}), IsOk());
  const auto r = Serve(router, "/healthz?exclude=slow", &loop);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(slow.runs, 0);
  EXPECT_EQ(loop.PendingTimers(), 0);
}

}  // namespace
}  // namespace apiserve::healthz
