#include "chain/watch_tracker.h"

#include <memory>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace apiserve::chain {
namespace {

TEST(WatchTrackerTest, EachWatchHasItsOwnSignalReleasedAtTheMinimumRate) {
  WatchTracker tracker;
  std::vector<std::shared_ptr<lifecycle::Signal>> watches;
  for (int i = 0; i < 20; ++i) watches.push_back(tracker.Add());
  EXPECT_EQ(tracker.group().InFlight(), 20);
  bool drained = false;
  tracker.group().StartDrain([&] { drained = true; });
  EXPECT_EQ(tracker.Add(), nullptr);  // draining: new watches are refused
  const absl::Time start = absl::Now();
  tracker.ReleaseAtRate(absl::Seconds(10));
  const absl::Duration took = absl::Now() - start;
  // 20 watches at 200/s: ~95 ms, well within the grace period; none fired before its turn, all fired after.
  EXPECT_GE(took, absl::Milliseconds(90));
  EXPECT_LT(took, absl::Seconds(5));
  for (const auto& watch : watches) EXPECT_TRUE(watch->HasFired());
  for (size_t i = 0; i < watches.size(); ++i) tracker.Done();
  EXPECT_TRUE(drained);
}

TEST(WatchTrackerTest, GraceBoundsTheRelease) {
  WatchTracker tracker;
  std::vector<std::shared_ptr<lifecycle::Signal>> watches;
  for (int i = 0; i < 1000; ++i) watches.push_back(tracker.Add());
  const absl::Time start = absl::Now();
  tracker.ReleaseAtRate(absl::Milliseconds(100));  // 1000 in 100 ms: 10000/s
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  for (const auto& watch : watches) EXPECT_TRUE(watch->HasFired());
}

}  // namespace
}  // namespace apiserve::chain
