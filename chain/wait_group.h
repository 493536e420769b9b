#ifndef APISERVE_CHAIN_WAIT_GROUP_H_
#define APISERVE_CHAIN_WAIT_GROUP_H_

// chain::SafeWaitGroup: kube's SafeWaitGroup for in-flight non-long-running requests. Add fails once the drain has
// begun (so the request gets 503 instead of racing the shutdown); the drain callback runs when the count reaches
// zero after StartDrain. Thread-safe; Add and Done are one atomic operation each (no lock on the request path).

#include <atomic>
#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "base/mutex.h"

namespace apiserve::chain {

class SafeWaitGroup {
 public:
  // Add counts one request. FailedPrecondition ("apiserver is shutting down") once StartDrain was called.
  absl::Status Add();
  void Done();
  // StartDrain refuses further Adds and runs `on_drained` once no request is in flight: now, or on the thread that
  // completes the last one. Call once.
  void StartDrain(std::function<void()> on_drained);
  int64_t InFlight() const { return state_.load(std::memory_order_acquire) & ~kDraining; }
  bool draining() const { return (state_.load(std::memory_order_acquire) & kDraining) != 0; }

 private:
  static constexpr int64_t kDraining = int64_t{1} << 62;
  void FireDrained();

  std::atomic<int64_t> state_{0};  // in-flight count, plus kDraining once the drain began
  std::atomic<bool> fired_{false};
  base::Mutex mu_;
  std::function<void()> on_drained_ ABSL_GUARDED_BY(mu_);
};

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_WAIT_GROUP_H_
