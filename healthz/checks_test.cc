// Tests of the built-in checks: ping, log, shutdown, poststarthook/<name>, and the livez grace wrapper.

#include <memory>

#include "base/fake_executor.h"
#include "gtest/gtest.h"
#include "healthz/delayed_check.h"
#include "healthz/health_checker.h"
#include "healthz/log_check.h"
#include "healthz/ping_check.h"
#include "healthz/post_start_hook_check.h"
#include "healthz/shutdown_check.h"
#include "http/testing.h"
#include "lifecycle/signal.h"

namespace apiserve::healthz {
namespace {

const http::Request& AnyRequest() {
  static const http::RequestPtr* const kRequest = new http::RequestPtr(http::NewRequest("GET", "/healthz"));
  return **kRequest;
}

TEST(PingCheckTest, AlwaysPasses) {
  EXPECT_EQ(PingCheck()->Name(), "ping");
  EXPECT_TRUE(PingCheck()->Check(AnyRequest()).ok());
  EXPECT_FALSE(PingCheck()->IsBlocking());
  EXPECT_EQ(PingCheck()->GroupName(), "");
}

TEST(NamedCheckTest, CarriesNameGroupAndBlocking) {
  auto plain = NamedCheck("a", [](const http::Request&) { return absl::InternalError("x"); });
  EXPECT_EQ(plain->Name(), "a");
  EXPECT_EQ(plain->GroupName(), "");
  EXPECT_EQ(plain->Check(AnyRequest()), absl::InternalError("x"));
  auto grouped = NamedGroupedCheck("etcd-override-0", "etcd", [](const http::Request&) { return absl::OkStatus(); });
  EXPECT_EQ(grouped->GroupName(), "etcd");
  EXPECT_FALSE(grouped->IsBlocking());
  auto blocking = NamedBlockingCheck("etcd", absl::Seconds(2), [](const http::Request&) { return absl::OkStatus(); });
  EXPECT_TRUE(blocking->IsBlocking());
  EXPECT_EQ(blocking->Timeout(), absl::Seconds(2));
}

TEST(LogCheckTest, FailsWhenTheLastFlushIsTwoMinutesOld) {
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  struct Case {
    absl::Duration age;
    bool ok;
  };
  const Case cases[] = {
      {absl::ZeroDuration(), true}, {absl::Minutes(1), true}, {absl::Minutes(2) - absl::Nanoseconds(1), true},
      {absl::Minutes(2), false},    {absl::Hours(1), false},
  };
  for (const Case& c : cases) {
    auto check = LogCheck({.now = [now] { return now; }, .last_flush = [&c, now] { return now - c.age; }});
    EXPECT_EQ(check->Name(), "log");
    const absl::Status status = check->Check(AnyRequest());
    if (c.ok) {
      EXPECT_TRUE(status.ok()) << c.age;
    } else {
      EXPECT_EQ(status.message(), "logging blocked") << c.age;
    }
  }
}

TEST(ShutdownCheckTest, FailsOnceShutdownInitiated) {
  lifecycle::Signal shutdown_initiated("ShutdownInitiated");
  auto check = ShutdownCheck(&shutdown_initiated);
  EXPECT_EQ(check->Name(), "shutdown");
  EXPECT_TRUE(check->Check(AnyRequest()).ok());
  shutdown_initiated.Fire();
  EXPECT_EQ(check->Check(AnyRequest()).message(), "process is shutting down");
}

TEST(PostStartHookCheckTest, NotFinishedUntilMarkDone) {
  PostStartHookCheck check("start-informers");
  EXPECT_EQ(check.Name(), "poststarthook/start-informers");
  EXPECT_EQ(check.Check(AnyRequest()).message(), "not finished");
  check.MarkDone();
  EXPECT_TRUE(check.Check(AnyRequest()).ok());
  check.MarkDone();  // idempotent
  EXPECT_TRUE(check.Check(AnyRequest()).ok());
}

// kube's TestDelayedHealthCheck.
TEST(DelayedHealthCheckTest, HealthyThroughTheGracePeriodThenDelegates) {
  base::FakeExecutor clock;
  auto hook = std::make_shared<PostStartHookCheck>("test");
  auto delayed = DelayedHealthCheck(hook, &clock, absl::Seconds(10));
  EXPECT_EQ(delayed->Name(), "poststarthook/test");
  EXPECT_TRUE(delayed->Check(AnyRequest()).ok());
  clock.AdvanceTime(absl::Seconds(10));
  EXPECT_TRUE(delayed->Check(AnyRequest()).ok()) << "at exactly +10s the check is still in its grace period";
  clock.AdvanceTime(absl::Milliseconds(1));
  EXPECT_EQ(delayed->Check(AnyRequest()).message(), "not finished");
  hook->MarkDone();
  EXPECT_TRUE(delayed->Check(AnyRequest()).ok());
}

TEST(DelayedHealthCheckTest, ForwardsGroupAndBlocking) {
  base::FakeExecutor clock;
  auto inner = NamedBlockingCheck(
      "etcd", absl::Seconds(2), [](const http::Request&) { return absl::OkStatus(); }, "etcd-group");
  auto delayed = DelayedHealthCheck(inner, &clock, absl::Seconds(1));
  EXPECT_EQ(delayed->GroupName(), "etcd-group");
  EXPECT_TRUE(delayed->IsBlocking());
  EXPECT_EQ(delayed->Timeout(), absl::Seconds(2));
}

}  // namespace
}  // namespace apiserve::healthz
