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

}  // namespace apiserve::base

#endif  // APISERVE_BASE_CLOCK_H_
