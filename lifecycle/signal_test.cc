#include "lifecycle/signal.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::lifecycle {
namespace {

using ::testing::ElementsAre;

TEST(SignalTest, FiresOnceAndStaysFired) {
  Signal signal("ShutdownInitiated");
  EXPECT_EQ(signal.name(), "ShutdownInitiated");
  EXPECT_FALSE(signal.HasFired());
  EXPECT_FALSE(signal.WaitFor(absl::Milliseconds(1)));
  int calls = 0;
  Subscription s = signal.OnFired([&] { ++calls; });
  signal.Fire();
  signal.Fire();
  EXPECT_TRUE(signal.HasFired());
  EXPECT_EQ(calls, 1);
  signal.Wait();  // Returns at once.
  EXPECT_TRUE(signal.WaitFor(absl::ZeroDuration()));
}

TEST(SignalTest, CallbacksRunInRegistrationOrderOnTheFiringThread) {
  Signal signal("s");
  std::vector<std::string> order;
  std::thread::id callback_thread;
  Subscription a = signal.OnFired([&] { order.push_back("a"); });
  Subscription b = signal.OnFired([&] {
    order.push_back("b");
    callback_thread = std::this_thread::get_id();
  });
  std::thread::id firing_thread;
  std::thread firer([&] {
    firing_thread = std::this_thread::get_id();
    signal.Fire();
  });
  firer.join();
  EXPECT_THAT(order, ElementsAre("a", "b"));
  EXPECT_EQ(callback_thread, firing_thread);
}

TEST(SignalTest, OnFiredAfterFireRunsImmediately) {
  Signal signal("s");
  signal.Fire();
  bool ran = false;
  Subscription s = signal.OnFired([&] { ran = true; });
  EXPECT_TRUE(ran);
}

TEST(SignalTest, DestroyedSubscriptionUnsubscribes) {
  Signal signal("s");
  int calls = 0;
  {
    Subscription s = signal.OnFired([&] { ++calls; });
  }
  Subscription kept = signal.OnFired([&] { calls += 10; });
  Subscription cancelled = signal.OnFired([&] { calls += 100; });
  cancelled.Cancel();
  signal.Fire();
  EXPECT_EQ(calls, 10);
}

TEST(SignalTest, SubscriptionMayOutliveSignal) {
  Subscription s;
  {
    Signal signal("s");
    s = signal.OnFired([] {});
  }
  s.Cancel();  // No crash, nothing to do.
}

TEST(SignalTest, CallbackMayCancelItsOwnSubscription) {
  Signal signal("s");
  Subscription s;
  int calls = 0;
  s = signal.OnFired([&] {
    ++calls;
    s.Cancel();
  });
  signal.Fire();
  EXPECT_EQ(calls, 1);
}

TEST(SignalTest, CancelWaitsForARunningCallback) {
  Signal signal("s");
  std::atomic<bool> entered{false};
  std::atomic<bool> release{false};
  std::atomic<bool> finished{false};
  Subscription s = signal.OnFired([&] {
    entered = true;
    while (!release) std::this_thread::yield();
    finished = true;
  });
  std::thread firer([&] { signal.Fire(); });
  while (!entered) std::this_thread::yield();
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    release = true;
  });
  s.Cancel();
  EXPECT_TRUE(finished);
  firer.join();
  releaser.join();
}

TEST(SignalTest, WaitReturnsOnlyAfterTheCallbacksRan) {
  for (int round = 0; round < 50; ++round) {
    Signal signal("s");
    std::atomic<bool> callback_done{false};
    Subscription s = signal.OnFired([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      callback_done = true;
    });
    std::thread firer([&] { signal.Fire(); });
    signal.Wait();
    EXPECT_TRUE(callback_done);
    firer.join();
  }
}

TEST(SignalTest, WaitersWakeWhenFired) {
  Signal signal("s");
  std::atomic<int> woken{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < 4; ++i) {
    waiters.emplace_back([&] {
      signal.Wait();
      ++woken;
    });
  }
  signal.Fire();
  for (auto& waiter : waiters) waiter.join();
  EXPECT_EQ(woken, 4);
}

// Many threads subscribe while many others fire: every callback runs exactly once, none is lost.
TEST(SignalTest, ConcurrentFireAndOnFiredRunEachCallbackExactlyOnce) {
  for (int round = 0; round < 20; ++round) {
    Signal signal("s");
    static constexpr int kSubscribers = 8;
    static constexpr int kPerThread = 50;
    std::vector<std::atomic<int>> calls(kSubscribers * kPerThread);
    std::vector<std::vector<Subscription>> subscriptions(kSubscribers);
    std::vector<std::thread> threads;
    for (int t = 0; t < kSubscribers; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          subscriptions[t].push_back(signal.OnFired([&calls, t, i] { ++calls[t * kPerThread + i]; }));
        }
      });
    }
    for (int f = 0; f < 3; ++f) threads.emplace_back([&] { signal.Fire(); });
    for (auto& thread : threads) thread.join();
    for (const auto& count : calls) ASSERT_EQ(count.load(), 1);
  }
}

// A waiter may destroy the signal as soon as Wait returns, while Fire is still finishing on another thread.
TEST(SignalTest, WaiterMayDestroyTheSignalRightAfterWaking) {
  for (int round = 0; round < 200; ++round) {
    auto signal = std::make_unique<Signal>("s");
    Signal* raw = signal.get();
    std::thread firer([raw] { raw->Fire(); });
    signal->Wait();
    signal.reset();
    firer.join();
  }
}

TEST(AllOfTest, FiresWhenEveryInputHasFired) {
  Signal a("a");
  Signal b("b");
  std::unique_ptr<Signal> both = AllOf("both", {&a, &b});
  EXPECT_EQ(both->name(), "both");
  a.Fire();
  EXPECT_FALSE(both->HasFired());
  a.Fire();
  EXPECT_FALSE(both->HasFired());
  b.Fire();
  EXPECT_TRUE(both->HasFired());
}

TEST(AllOfTest, FiresAtOnceWhenInputsAlreadyFiredOrEmpty) {
  Signal a("a");
  a.Fire();
  EXPECT_TRUE(AllOf("x", {&a})->HasFired());
  EXPECT_TRUE(AllOf("none", {})->HasFired());
}

TEST(AllOfTest, ConcurrentInputsFireOutputExactlyOnce) {
  for (int round = 0; round < 50; ++round) {
    Signal a("a");
    Signal b("b");
    std::unique_ptr<Signal> both = AllOf("both", {&a, &b});
    std::atomic<int> fired{0};
    Subscription s = both->OnFired([&] { ++fired; });
    std::thread ta([&] { a.Fire(); });
    std::thread tb([&] { b.Fire(); });
    ta.join();
    tb.join();
    EXPECT_TRUE(both->HasFired());
    EXPECT_EQ(fired, 1);
  }
}

}  // namespace
}  // namespace apiserve::lifecycle
