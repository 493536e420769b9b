#include "server/event_loop.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lifecycle/signal.h"

namespace apiserve::server {
namespace {

TEST(EventLoopTest, PostsRunInOrderOnTheLoopThread) {
  EventLoop loop("test");
  ASSERT_TRUE(loop.Start().ok());
  std::vector<int> order;
  std::atomic<bool> on_loop{true};
  lifecycle::Signal done("done");
  for (int i = 0; i < 100; ++i) {
    loop.Post([&, i] {
      if (!loop.IsExecutorThread()) on_loop = false;
      order.push_back(i);
      if (i == 99) done.Fire();
    });
  }
  ASSERT_TRUE(done.WaitFor(absl::Seconds(10)));
  EXPECT_TRUE(on_loop);
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
  EXPECT_FALSE(loop.IsExecutorThread());
}

TEST(EventLoopTest, PostsFromManyThreads) {
  EventLoop loop("test");
  ASSERT_TRUE(loop.Start().ok());
  std::atomic<int> count{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) loop.Post([&] { ++count; });
    });
  }
  for (auto& thread : threads) thread.join();
  lifecycle::Signal done("done");
  loop.Post([&] { done.Fire(); });
  ASSERT_TRUE(done.WaitFor(absl::Seconds(10)));
  EXPECT_EQ(count, 2000);
}

TEST(EventLoopTest, TimersFireInOrderAndCancel) {
  EventLoop loop("test");
  ASSERT_TRUE(loop.Start().ok());
  std::vector<int> fired;
  lifecycle::Signal done("done");
  base::CancelHandle cancelled = loop.RunAfter(absl::Milliseconds(5), [&] { fired.push_back(-1); });
  cancelled.Cancel();
  loop.RunAfter(absl::Milliseconds(30), [&] {
    fired.push_back(2);
    done.Fire();
  });
  loop.RunAfter(absl::Milliseconds(10), [&] { fired.push_back(1); });
  ASSERT_TRUE(done.WaitFor(absl::Seconds(10)));
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0], 1);
  EXPECT_EQ(fired[1], 2);
}

// A timer cancelled on the loop is released at once: request timeouts are cancelled for nearly every request, and
// armed-but-cancelled timers would otherwise pile up for the whole timeout.
TEST(EventLoopTest, TimerCancelledOnTheLoopIsReleasedAtOnce) {
  EventLoop loop("test");
  ASSERT_TRUE(loop.Start().ok());
  lifecycle::Signal done("done");
  std::atomic<int> active_after{-1};
  loop.Post([&] {
    std::vector<base::CancelHandle> handles;
    for (int i = 0; i < 1000; ++i) handles.push_back(loop.RunAfter(absl::Hours(1), [] {}));
    for (auto& handle : handles) handle.Cancel();
    // Let the close callbacks run, then count the loop's active handles: only the wakeup async remains.
    loop.Post([&] {
      int active = 0;
      uv_walk(
          loop.uv_loop(), [](uv_handle_t* handle, void* arg) { *static_cast<int*>(arg) += uv_is_active(handle); },
          &active);
      active_after = active;
      done.Fire();
    });
  });
  ASSERT_TRUE(done.WaitFor(absl::Seconds(10)));
  EXPECT_EQ(active_after, 1);
}

// Cancelled and fired timers are reused: the handle count stays bounded by the idle list, and a reused timer, including
// one re-armed from its own callback, still fires once, in order.
TEST(EventLoopTest, RecycledTimersFireAndTheIdleListIsBounded) {
  EventLoop loop("test");
  ASSERT_TRUE(loop.Start().ok());
  lifecycle::Signal done("done");
  std::vector<int> fired;
  int handles_after_churn = -1;
  loop.Post([&] {
    for (int round = 0; round < 3; ++round) {
      std::vector<base::CancelHandle> handles;
      for (int i = 0; i < 3000; ++i) handles.push_back(loop.RunAfter(absl::Hours(1), [] {}));
      for (auto& handle : handles) handle.Cancel();
    }
    loop.Post([&] {  // after this iteration's close callbacks
      int count = 0;
      uv_walk(
          loop.uv_loop(), [](uv_handle_t*, void* arg) { ++*static_cast<int*>(arg); }, &count);
      handles_after_churn = count;
    });
    loop.RunAfter(absl::Milliseconds(2), [&] {
      fired.push_back(1);
      loop.RunAfter(absl::Milliseconds(1), [&] {  // may reuse the timer that is firing right now
        fired.push_back(2);
        done.Fire();
      });
    });
  });
  ASSERT_TRUE(done.WaitFor(absl::Seconds(10)));
  loop.Stop();
  EXPECT_THAT(fired, ::testing::ElementsAre(1, 2));
  // The wakeup async, the idle list (full: 1024) and the timer armed next; the other 8976 timers were closed.
  EXPECT_GE(handles_after_churn, 1 + 1024);
  EXPECT_LE(handles_after_churn, 1 + 1024 + 1);
}

TEST(EventLoopTest, BlockingWorkRunsOffLoopThenDoneOnLoop) {
  EventLoop loop("test");
  ASSERT_TRUE(loop.Start().ok());
  std::atomic<bool> work_on_loop{true};
  std::atomic<bool> done_on_loop{false};
  lifecycle::Signal done("done");
  loop.RunBlocking([&] { work_on_loop = loop.IsExecutorThread(); },
                   [&] {
                     done_on_loop = loop.IsExecutorThread();
                     done.Fire();
                   });
  ASSERT_TRUE(done.WaitFor(absl::Seconds(10)));
  EXPECT_FALSE(work_on_loop);
  EXPECT_TRUE(done_on_loop);
}

TEST(EventLoopTest, StopClosesPendingTimersAndDropsLatePosts) {
  EventLoop loop("test");
  ASSERT_TRUE(loop.Start().ok());
  bool fired = false;
  loop.RunAfter(absl::Hours(1), [&] { fired = true; });
  loop.Stop();  // must not hang on the pending timer, nor leak it (asan)
  loop.Post([&] { fired = true; });
  loop.Stop();  // idempotent
  EXPECT_FALSE(fired);
}

}  // namespace
}  // namespace apiserve::server
