#include "chain/wait_group.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace apiserve::chain {
namespace {

TEST(SafeWaitGroupTest, DrainWaitsForInFlightAndRefusesNew) {
  SafeWaitGroup group;
  ASSERT_TRUE(group.Add().ok());
  ASSERT_TRUE(group.Add().ok());
  int drained = 0;
  group.StartDrain([&] { ++drained; });
  EXPECT_TRUE(group.draining());
  EXPECT_EQ(group.Add().message(), "apiserver is shutting down");
  EXPECT_EQ(group.InFlight(), 2);
  group.Done();
  EXPECT_EQ(drained, 0);
  group.Done();
  EXPECT_EQ(drained, 1);
}

TEST(SafeWaitGroupTest, DrainWithNothingInFlightFiresAtOnce) {
  SafeWaitGroup group;
  bool drained = false;
  group.StartDrain([&] { drained = true; });
  EXPECT_TRUE(drained);
}

TEST(SafeWaitGroupTest, ConcurrentAddDoneAndDrainFireOnce) {
  for (int round = 0; round < 20; ++round) {
    SafeWaitGroup group;
    std::atomic<int> drained{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 500; ++i) {
          if (group.Add().ok()) group.Done();
        }
      });
    }
    group.StartDrain([&] { ++drained; });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(drained, 1);
    EXPECT_EQ(group.InFlight(), 0);
  }
}

}  // namespace
}  // namespace apiserve::chain
