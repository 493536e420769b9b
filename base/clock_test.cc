#include "base/clock.h"

#include "gtest/gtest.h"

namespace apiserve::base {
namespace {

class CountingClock : public Clock {
 public:
  absl::Time Now() const override {
    ++reads;
    return now;
  }
  absl::Time now = absl::FromUnixSeconds(1000);
  mutable int reads = 0;
};

// Inside a batch every question gets the time the batch began, with one read of the clock; outside, each reads it.
TEST(BatchClockTest, OneReadPerBatch) {
  CountingClock clock;
  BatchClock batch(&clock);
  EXPECT_EQ(batch.Now(), absl::FromUnixSeconds(1000));
  EXPECT_EQ(clock.reads, 1);

  batch.BeginBatch();
  clock.now += absl::Milliseconds(5);  // time passes while the batch is handled
  EXPECT_EQ(batch.Now(), absl::FromUnixSeconds(1000));
  batch.BeginBatch();  // nested (a resumed parse inside a feed): the outer batch's time
  EXPECT_EQ(batch.Now(), absl::FromUnixSeconds(1000));
  batch.EndBatch();
  EXPECT_EQ(batch.Now(), absl::FromUnixSeconds(1000));
  batch.EndBatch();
  EXPECT_EQ(clock.reads, 2);

  EXPECT_EQ(batch.Now(), absl::FromUnixSeconds(1000) + absl::Milliseconds(5));
  batch.BeginBatch();
  EXPECT_EQ(batch.Now(), absl::FromUnixSeconds(1000) + absl::Milliseconds(5));
  batch.EndBatch();
  EXPECT_EQ(clock.reads, 4);
}

}  // namespace
}  // namespace apiserve::base
