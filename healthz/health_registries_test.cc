#include "healthz/health_registries.h"

#include <memory>
#include <string>
#include <vector>

#include "base/fake_executor.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "healthz/check_metrics.h"
#include "healthz/fake_router.h"
#include "healthz/health_checker.h"
#include "healthz/ping_check.h"
#include "healthz/post_start_hook_check.h"
#include "http/testing.h"
#include "lifecycle/signal.h"

namespace apiserve::healthz {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

HealthCheckerPtr Passing(std::string name) {
  return NamedCheck(std::move(name), [](const http::Request&) { return absl::OkStatus(); });
}

std::vector<std::string> Names(const std::vector<HealthCheckerPtr>& checks) {
  std::vector<std::string> names;
  for (const auto& check : checks) names.push_back(check->Name());
  return names;
}

http::RecordedResponse Serve(const FakeRouter& router, absl::string_view target, base::FakeExecutor* loop) {
  const std::string path(target.substr(0, target.find('?')));
  http::HandlerPtr handler = router.Lookup(path);
  if (handler == nullptr) {
    ADD_FAILURE() << "no handler for " << path;
    return {};
  }
  return http::ServeForTest(*handler, http::NewRequest("GET", target, loop), loop);
}

// Fixture: a clock, metrics, router and the server's signals.
class HealthRegistriesTest : public ::testing::Test {
 protected:
  HealthRegistriesOptions Options(absl::Duration grace = absl::ZeroDuration()) {
    HealthRegistriesOptions options;
    options.clock = &loop_;
    options.livez_grace_period = grace;
    options.config_healthz_checks = {PingCheck(), Passing("log")};
    options.config_livez_checks = {PingCheck(), Passing("log")};
    options.config_readyz_checks = {PingCheck(), Passing("log")};
    options.metrics = &metrics_;
    return options;
  }

  absl::Status InstallAll(HealthRegistries& registries) {
    if (absl::Status s = registries.InstallHealthz(&router_); !s.ok()) return s;
    if (absl::Status s = registries.InstallLivez(&router_); !s.ok()) return s;
    return registries.InstallReadyz(&router_, &shutdown_initiated_, &has_been_ready_);
  }

  base::FakeExecutor loop_;
  CheckMetrics metrics_;
  FakeRouter router_;
  lifecycle::Signal shutdown_initiated_{"ShutdownInitiated"};
  lifecycle::Signal has_been_ready_{"HasBeenReady"};
};

TEST_F(HealthRegistriesTest, WhichEndpointGetsWhatInRegistrationOrder) {
  HealthRegistries registries(Options());
  ASSERT_THAT(registries.AddHealthChecks({Passing("all")}), IsOk());
  ASSERT_THAT(registries.AddReadyzChecks({Passing("informer-sync")}), IsOk());
  ASSERT_THAT(registries.AddLivezChecks(absl::ZeroDuration(), {Passing("live-only")}), IsOk());
  ASSERT_THAT(registries.AddHealthzChecks({Passing("healthz-only")}), IsOk());
  ASSERT_THAT(registries.AddBootSequenceHealthChecks({Passing("poststarthook/a")}), IsOk());
  EXPECT_THAT(Names(registries.HealthzChecks()), ElementsAre("ping", "log", "all", "healthz-only", "poststarthook/a"));
  EXPECT_THAT(Names(registries.LivezChecks()), ElementsAre("ping", "log", "all", "live-only", "poststarthook/a"));
  EXPECT_THAT(Names(registries.ReadyzChecks()), ElementsAre("ping", "log", "all", "informer-sync", "poststarthook/a"));

  ASSERT_THAT(InstallAll(registries), IsOk());
  EXPECT_EQ(Serve(router_, "/readyz?verbose", &loop_).body,
            "[+]ping ok\n[+]log ok\n[+]all ok\n[+]informer-sync ok\n[+]poststarthook/a ok\n[+]shutdown ok\n"
            "readyz check passed\n");
  EXPECT_EQ(Serve(router_, "/livez?verbose", &loop_).body,
            "[+]ping ok\n[+]log ok\n[+]all ok\n[+]live-only ok\n[+]poststarthook/a ok\nlivez check passed\n");
  EXPECT_EQ(Serve(router_, "/healthz?verbose", &loop_).body,
            "[+]ping ok\n[+]log ok\n[+]all ok\n[+]healthz-only ok\n[+]poststarthook/a ok\nhealthz check passed\n");
  EXPECT_NE(router_.Lookup("/readyz/shutdown"), nullptr);
  EXPECT_EQ(router_.Lookup("/healthz/shutdown"), nullptr);
}

TEST_F(HealthRegistriesTest, AddingAfterInstallFailsWithKubesMessage) {
  struct Case {
    std::string installed;  // which endpoints are installed before the add
    std::string want_path;
  };
  for (const Case& c : {Case{"healthz", "/healthz"}, Case{"livez", "/livez"}, Case{"readyz", "/readyz"}}) {
    FakeRouter router;
    HealthRegistries registries(Options());
    absl::Status installed;
    if (c.installed == "healthz") {
      installed = registries.InstallHealthz(&router);
    } else if (c.installed == "livez") {
      installed = registries.InstallLivez(&router);
    } else {
      installed = registries.InstallReadyz(&router, nullptr, nullptr);
    }
    ASSERT_THAT(installed, IsOk());
    const std::string want = "unable to add because the " + c.want_path + " endpoint has already been created";
    EXPECT_THAT(registries.AddHealthChecks({Passing("late")}), StatusIs(absl::StatusCode::kFailedPrecondition, want));
    EXPECT_THAT(registries.AddBootSequenceHealthChecks({Passing("late")}),
                StatusIs(absl::StatusCode::kFailedPrecondition, want));
    // A failed add adds nothing anywhere.
    for (const auto& list : {registries.HealthzChecks(), registries.LivezChecks(), registries.ReadyzChecks()}) {
      EXPECT_THAT(Names(list), ::testing::Not(::testing::Contains("late"))) << c.installed;
    }
  }
  FakeRouter router;
  HealthRegistries registries(Options());
  ASSERT_THAT(registries.InstallReadyz(&router, nullptr, nullptr), IsOk());
  EXPECT_THAT(registries.AddReadyzChecks({Passing("late")}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "unable to add because the /readyz endpoint has already been created"));
  EXPECT_THAT(registries.AddHealthzChecks({Passing("fine")}), IsOk());
  EXPECT_THAT(registries.AddLivezChecks(absl::ZeroDuration(), {Passing("fine")}), IsOk());
  EXPECT_THAT(registries.InstallReadyz(&router, nullptr, nullptr), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(HealthRegistriesTest, ShutdownIsLastOnReadyzAndFailsOnceShutdownInitiated) {
  HealthRegistries registries(Options());
  ASSERT_THAT(InstallAll(registries), IsOk());
  EXPECT_THAT(Names(registries.ReadyzChecks()), ElementsAre("ping", "log", "shutdown"));
  shutdown_initiated_.Fire();
  auto r = Serve(router_, "/readyz", &loop_);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "[+]ping ok\n[+]log ok\n[-]shutdown failed: reason withheld\nreadyz check failed\n");
  r = Serve(router_, "/readyz/shutdown", &loop_);
  EXPECT_EQ(r.body, "internal server error: process is shutting down\n");
  EXPECT_EQ(Serve(router_, "/livez", &loop_).status, 200) << "only /readyz turns red during shutdown";
  EXPECT_EQ(Serve(router_, "/healthz", &loop_).status, 200);
  EXPECT_EQ(Serve(router_, "/readyz?exclude=shutdown", &loop_).status, 200);
}

TEST_F(HealthRegistriesTest, HasBeenReadyFiresOnTheFirstSuccessfulReadyz) {
  HealthRegistries registries(Options());
  auto hook = std::make_shared<PostStartHookCheck>("start");
  ASSERT_THAT(registries.AddBootSequenceHealthChecks({hook}), IsOk());
  ASSERT_THAT(InstallAll(registries), IsOk());
  int fired = 0;
  lifecycle::Subscription subscription = has_been_ready_.OnFired([&fired] { ++fired; });
  EXPECT_EQ(Serve(router_, "/healthz", &loop_).status, 500);
  EXPECT_EQ(Serve(router_, "/readyz", &loop_).status, 500);
  EXPECT_EQ(Serve(router_, "/readyz/ping", &loop_).status, 200);
  EXPECT_FALSE(has_been_ready_.HasFired());
  hook->MarkDone();
  EXPECT_EQ(Serve(router_, "/healthz", &loop_).status, 200);
  EXPECT_FALSE(has_been_ready_.HasFired()) << "only /readyz makes the server ready";
  EXPECT_EQ(Serve(router_, "/readyz", &loop_).status, 200);
  EXPECT_TRUE(has_been_ready_.HasFired());
  EXPECT_EQ(Serve(router_, "/readyz", &loop_).status, 200);
  EXPECT_EQ(fired, 1);
}

TEST_F(HealthRegistriesTest, BootSequenceChecksHaveTheLivezGracePeriod) {
  HealthRegistries registries(Options(absl::Seconds(10)));
  auto hook = std::make_shared<PostStartHookCheck>("start");
  ASSERT_THAT(registries.AddBootSequenceHealthChecks({hook}), IsOk());
  ASSERT_THAT(registries.AddHealthChecks({Passing("generic")}), IsOk());
  ASSERT_THAT(InstallAll(registries), IsOk());
  EXPECT_EQ(Serve(router_, "/livez", &loop_).status, 200);
  EXPECT_EQ(Serve(router_, "/readyz", &loop_).status, 500) << "no grace on /readyz";
  EXPECT_EQ(Serve(router_, "/healthz", &loop_).status, 500) << "no grace on /healthz";
  loop_.AdvanceTime(absl::Seconds(10));
  EXPECT_EQ(Serve(router_, "/livez", &loop_).status, 200) << "at exactly +10s";
  loop_.AdvanceTime(absl::Milliseconds(1));
  auto r = Serve(router_, "/livez", &loop_);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(
      r.body,
      "[+]ping ok\n[+]log ok\n[-]poststarthook/start failed: reason withheld\n[+]generic ok\nlivez check failed\n");
  EXPECT_EQ(Serve(router_, "/livez/poststarthook/start", &loop_).body, "internal server error: not finished\n");
  hook->MarkDone();
  EXPECT_EQ(Serve(router_, "/livez", &loop_).status, 200);
}

TEST_F(HealthRegistriesTest, LivezDelayNeedsAClock) {
  HealthRegistriesOptions options = Options();
  options.clock = nullptr;
  HealthRegistries registries(std::move(options));
  EXPECT_THAT(registries.AddLivezChecks(absl::Seconds(1), {Passing("x")}),
              StatusIs(absl::StatusCode::kInvalidArgument, "nil clock"));
  EXPECT_THAT(registries.AddLivezChecks(absl::ZeroDuration(), {Passing("x")}), IsOk());
}

TEST_F(HealthRegistriesTest, DelegateChecksAreDeduplicatedAgainstTheConfigByName) {
  HealthRegistries delegate(Options());
  ASSERT_THAT(delegate.AddHealthChecks({Passing("delegate-health")}), IsOk());
  ASSERT_THAT(delegate.AddBootSequenceHealthChecks({Passing("poststarthook/d")}), IsOk());

  HealthRegistriesOptions options = Options();
  options.config_healthz_checks.push_back(Passing("wrapping-health"));
  HealthRegistries outer(std::move(options));
  ASSERT_THAT(outer.AddDelegateHealthChecks(delegate.HealthzChecks()), IsOk());
  EXPECT_THAT(Names(outer.HealthzChecks()),
              ElementsAre("ping", "log", "wrapping-health", "delegate-health", "poststarthook/d"));
  EXPECT_THAT(Names(outer.ReadyzChecks()), ElementsAre("ping", "log", "delegate-health", "poststarthook/d"));
  ASSERT_THAT(InstallAll(outer), IsOk());
  EXPECT_THAT(router_.Paths(), ::testing::Contains("/healthz/delegate-health"));
}

TEST_F(HealthRegistriesTest, RecordsMetricsPerEndpoint) {
  HealthRegistries registries(Options());
  ASSERT_THAT(InstallAll(registries), IsOk());
  Serve(router_, "/healthz", &loop_);
  Serve(router_, "/readyz?exclude=log", &loop_);
  EXPECT_THAT(metrics_.Snapshot(),
              ElementsAre(CheckSample{"log", "healthz", 1, 1, 0}, CheckSample{"ping", "healthz", 1, 1, 0},
                          CheckSample{"ping", "readyz", 1, 1, 0}, CheckSample{"shutdown", "readyz", 1, 1, 0}));
}

TEST_F(HealthRegistriesTest, EmptyRegistryInstallsPing) {
  HealthRegistriesOptions options;
  HealthRegistries registries(std::move(options));
  ASSERT_THAT(registries.InstallHealthz(&router_), IsOk());
  EXPECT_THAT(router_.Paths(), ElementsAre("/healthz", "/healthz/ping"));
  EXPECT_THAT(registries.HealthzChecks(), IsEmpty());
}

}  // namespace
}  // namespace apiserve::healthz
