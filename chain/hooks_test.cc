#include "chain/hooks.h"

#include <atomic>
#include <string>
#include <thread>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::chain {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;

TEST(PostStartHooksTest, RegistrationErrorsAreKubes) {
  PostStartHooks hooks;
  EXPECT_THAT(hooks.Add("", [](const PostStartHookContext&) { return absl::OkStatus(); }),
              StatusIs(absl::StatusCode::kInvalidArgument, "missing name"));
  EXPECT_THAT(hooks.Add("a", nullptr), StatusIs(absl::StatusCode::kInvalidArgument, "hook func may not be nil: \"a\""));
  ASSERT_THAT(hooks.Add("a", [](const PostStartHookContext&) { return absl::OkStatus(); }), IsOk());
  EXPECT_THAT(hooks.Add("a", [](const PostStartHookContext&) { return absl::OkStatus(); }),
              StatusIs(absl::StatusCode::kAlreadyExists, "unable to add \"a\" because it was already registered"));
  hooks.Run(PostStartHookContext{});
  EXPECT_THAT(hooks.Add("b", [](const PostStartHookContext&) { return absl::OkStatus(); }),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "unable to add \"b\" because PostStartHooks have already been called"));
}

TEST(PostStartHooksTest, RunMarksChecksDoneOrReportsFailure) {
  PostStartHooks hooks;
  auto good = hooks.Add("good", [](const PostStartHookContext&) { return absl::OkStatus(); });
  ASSERT_THAT(good, IsOk());
  ASSERT_THAT(hooks.Add("bad", [](const PostStartHookContext&) { return absl::InternalError("boom"); }), IsOk());
  EXPECT_EQ((*good)->Name(), "poststarthook/good");
  lifecycle::Signal failed("failed");
  std::string failure;
  hooks.Run(PostStartHookContext{}, [&](const std::string& message) {
    failure = message;
    failed.Fire();
  });
  ASSERT_TRUE(failed.WaitFor(absl::Seconds(10)));
  EXPECT_EQ(failure, "PostStartHook \"bad\" failed: boom");
  hooks.Wait();
  EXPECT_TRUE((*good)->done());
}

// CountOnStop returns a hook that returns once the server stops, as a long-running hook should, and counts itself.
PostStartHookFunc CountOnStop(std::atomic<int>* finished) {
  return [finished](const PostStartHookContext& context) {
    context.stop->Wait();
    finished->fetch_add(1);
    return absl::OkStatus();
  };
}

// The hooks' threads are joined: a server waits for them before it is destroyed (a hook may use it).
TEST(PostStartHooksTest, WaitReturnsOnceEveryHookHasReturned) {
  std::atomic<int> finished{0};
  lifecycle::Signal stop("stop");
  PostStartHooks hooks;
  for (const char* name : {"a", "b", "c"}) ASSERT_THAT(hooks.Add(name, CountOnStop(&finished)), IsOk());
  hooks.Run(PostStartHookContext{&stop});
  EXPECT_EQ(finished.load(), 0);
  stop.Fire();
  hooks.Wait();
  EXPECT_EQ(finished.load(), 3);
  hooks.Wait();  // nothing left: returns at once
}

TEST(PostStartHooksTest, DestructorJoinsTheHooks) {
  std::atomic<int> finished{0};
  lifecycle::Signal stop("stop");
  {
    PostStartHooks hooks;
    ASSERT_THAT(hooks.Add("slow", CountOnStop(&finished)), IsOk());
    hooks.Run(PostStartHookContext{&stop});
    stop.Fire();
  }
  EXPECT_EQ(finished.load(), 1);
}

TEST(PostStartHooksDeathTest, FailureIsFatalWith255) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        PostStartHooks hooks;
        hooks.Add("broken", [](const PostStartHookContext&) { return absl::InternalError("no etcd"); }).IgnoreError();
        hooks.Run(PostStartHookContext{});
        std::this_thread::sleep_for(std::chrono::seconds(10));
      },
      ::testing::ExitedWithCode(255), "PostStartHook \"broken\" failed: no etcd");
}

TEST(PreShutdownHooksTest, RegistrationErrorsAndNilIgnored) {
  PreShutdownHooks hooks;
  EXPECT_THAT(hooks.Add("", [] { return absl::OkStatus(); }),
              StatusIs(absl::StatusCode::kInvalidArgument, "missing name"));
  EXPECT_THAT(hooks.Add("nil", nullptr), IsOk());
  EXPECT_TRUE(hooks.Entries().empty());
  ASSERT_THAT(hooks.Add("a", [] { return absl::OkStatus(); }), IsOk());
  EXPECT_THAT(hooks.Add("a", [] { return absl::OkStatus(); }),
              StatusIs(absl::StatusCode::kAlreadyExists, "unable to add \"a\" because it is already registered"));
  EXPECT_THAT(hooks.Run(absl::Seconds(1)), IsOk());
  EXPECT_THAT(hooks.Add("b", [] { return absl::OkStatus(); }),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "unable to add \"b\" because PreShutdownHooks have already been called"));
}

TEST(PreShutdownHooksTest, SequentialBoundedAndAggregated) {
  PreShutdownHooks hooks;
  std::atomic<int> running{0};
  std::atomic<int> max_running{0};
  auto track = [&](absl::Status result) {
    return [&, result] {
      const int now = ++running;
      max_running = std::max(max_running.load(), now);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      --running;
      return result;
    };
  };
  ASSERT_THAT(hooks.Add("a-ok", track(absl::OkStatus())), IsOk());
  ASSERT_THAT(hooks.Add("b-fail", track(absl::InternalError("lease gone"))), IsOk());
  auto release = std::make_shared<lifecycle::Signal>("release");
  ASSERT_THAT(hooks.Add("c-hang",
                        [release] {
                          release->WaitFor(absl::Seconds(30));
                          return absl::OkStatus();
                        }),
              IsOk());
  const absl::Status status = hooks.Run(absl::Milliseconds(100));
  release->Fire();
  EXPECT_EQ(max_running, 1);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInternal,
                               "[PreShutdownHook \"b-fail\" failed: lease gone, PreShutdownHook \"c-hang\" failed: "
                               "timed out after 100ms]"));
}

}  // namespace
}  // namespace apiserve::chain
