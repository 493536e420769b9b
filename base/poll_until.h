#ifndef APISERVE_BASE_POLL_UNTIL_H_
#define APISERVE_BASE_POLL_UNTIL_H_

// base::PollUntil: for tests that wait on something another thread or a file watcher does. Checks `condition`
// every `interval` until it holds (true) or `timeout` has passed (false).

#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace apiserve::base {

inline bool PollUntil(const std::function<bool()>& condition, absl::Duration timeout = absl::Seconds(10),
                      absl::Duration interval = absl::Milliseconds(5)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(interval);
  }
  return false;
}

}  // namespace apiserve::base

#endif  // APISERVE_BASE_POLL_UNTIL_H_
