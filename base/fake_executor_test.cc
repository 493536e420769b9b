#include "base/fake_executor.h"

#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::base {
namespace {

using ::testing::ElementsAre;

TEST(FakeExecutorTest, PostedTasksRunInOrderOnlyWhenAsked) {
  FakeExecutor executor;
  std::vector<int> ran;
  executor.Post([&] { ran.push_back(1); });
  executor.Post([&] {
    ran.push_back(2);
    executor.Post([&] { ran.push_back(3); });
  });
  EXPECT_TRUE(ran.empty());
  EXPECT_EQ(executor.RunUntilIdle(), 3);
  EXPECT_THAT(ran, ElementsAre(1, 2, 3));
}

TEST(FakeExecutorTest, TimersRunAtTheirDueTimeInOrder) {
  FakeExecutor executor;
  const absl::Time start = executor.Now();
  std::vector<std::string> ran;
  executor.RunAfter(absl::Seconds(2), [&] { ran.push_back("2s@" + absl::FormatDuration(executor.Now() - start)); });
  executor.RunAfter(absl::Seconds(1), [&] { ran.push_back("1s@" + absl::FormatDuration(executor.Now() - start)); });
  executor.RunAfter(absl::Seconds(1), [&] { ran.push_back("1s-second"); });
  executor.AdvanceTime(absl::Milliseconds(999));
  EXPECT_TRUE(ran.empty());
  executor.AdvanceTime(absl::Milliseconds(1));
  EXPECT_THAT(ran, ElementsAre("1s@1s", "1s-second"));
  executor.AdvanceTime(absl::Seconds(5));
  EXPECT_THAT(ran, ElementsAre("1s@1s", "1s-second", "2s@2s"));
  EXPECT_EQ(executor.Now() - start, absl::Seconds(6));
}

TEST(FakeExecutorTest, TimerScheduledByATimerRunsInTheSameAdvance) {
  FakeExecutor executor;
  int fired = 0;
  executor.RunAfter(absl::Seconds(1), [&] {
    ++fired;
    executor.RunAfter(absl::Seconds(1), [&] { ++fired; });
  });
  executor.AdvanceTime(absl::Seconds(2));
  EXPECT_EQ(fired, 2);
}

TEST(FakeExecutorTest, CancelledTimerDoesNotRun) {
  FakeExecutor executor;
  bool ran = false;
  CancelHandle handle = executor.RunAfter(absl::Seconds(1), [&] { ran = true; });
  handle.Cancel();
  EXPECT_TRUE(handle.cancelled());
  executor.AdvanceTime(absl::Seconds(2));
  EXPECT_FALSE(ran);
  EXPECT_EQ(executor.PendingTimers(), 0);
}

TEST(FakeExecutorTest, BlockingWorkRunsThenPostsDone) {
  FakeExecutor executor;
  std::vector<std::string> ran;
  executor.RunBlocking([&] { ran.push_back("work"); }, [&] { ran.push_back("done"); });
  executor.RunUntilIdle();
  EXPECT_THAT(ran, ElementsAre("work", "done"));
}

TEST(FakeExecutorTest, HeldBlockingWorkWaitsForRelease) {
  FakeExecutor executor;
  executor.HoldBlockingWork(true);
  bool done = false;
  executor.RunBlocking([] {}, [&] { done = true; });
  executor.RunUntilIdle();
  EXPECT_FALSE(done);
  EXPECT_EQ(executor.RunHeldBlockingWork(), 2);
  EXPECT_TRUE(done);
}

TEST(FakeExecutorTest, PostFromOtherThreadsIsSafe) {
  FakeExecutor executor;
  int count = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) executor.Post([&] { ++count; });
    });
  }
  for (auto& thread : threads) thread.join();
  executor.RunUntilIdle();
  EXPECT_EQ(count, 400);
}

TEST(FakeExecutorTest, OnlyTheConstructingThreadIsTheExecutorThread) {
  FakeExecutor executor;
  EXPECT_TRUE(executor.IsExecutorThread());
  bool other_is_executor = true;
  std::thread other([&] { other_is_executor = executor.IsExecutorThread(); });
  other.join();
  EXPECT_FALSE(other_is_executor);
}

}  // namespace
}  // namespace apiserve::base
