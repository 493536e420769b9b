#ifndef APISERVE_BASE_CLOCK_H_
#define APISERVE_BASE_CLOCK_H_

// base::Clock: something that tells the time. Every base::Executor is one (its loop's clock, or a FakeExecutor's
// manual clock); SystemClock is the wall clock for code that needs a time but no executor.

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace apiserve::base {

class Clock {
 public:
  virtual ~Clock() = default;
  // Now returns the current time on this clock. Thread-safe.
  virtual absl::Time Now() const = 0;
};

class SystemClock : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  // Get returns a process-wide instance (never destroyed).
  static const SystemClock& Get() {
    static const SystemClock* const clock = new SystemClock();
    return *clock;
  }
};

// BatchClock reads a clock once per batch of work instead of once per question. A codec handling the bytes of one
// read stamps every request they carry, and dates every response answered at once, with the time the batch began
// (the requests were all received then); outside a batch each Now reads the clock. Batches nest: only the
// outermost reads. Not thread-safe: one owner (a connection's codec, on its loop).
class BatchClock {
 public:
  explicit BatchClock(const Clock* clock) : clock_(clock) {}

  void BeginBatch() {
    if (depth_++ == 0) batch_time_ = clock_->Now();
  }
  void EndBatch() { --depth_; }
  absl::Time Now() const { return depth_ > 0 ? batch_time_ : clock_->Now(); }

 private:
  const Clock* const clock_;
  int depth_ = 0;
  absl::Time batch_time_;
};

}  // namespace apiserve::base

#endif  // APISERVE_BASE_CLOCK_H_
