#include "chain/wait_group.h"

#include <utility>

namespace apiserve::chain {

absl::Status SafeWaitGroup::Add() {
  int64_t state = state_.load(std::memory_order_acquire);
  do {
    if ((state & kDraining) != 0) return absl::FailedPreconditionError("apiserver is shutting down");
  } while (!state_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel));
  return absl::OkStatus();
}

void SafeWaitGroup::Done() {
  const int64_t after = state_.fetch_sub(1, std::memory_order_acq_rel) - 1;
  if (after == kDraining) FireDrained();
}

void SafeWaitGroup::StartDrain(std::function<void()> on_drained) {
  {
    base::MutexLock lock(&mu_);
    on_drained_ = std::move(on_drained);
  }
  const int64_t before = state_.fetch_or(kDraining, std::memory_order_acq_rel);
  if ((before & ~kDraining) == 0) FireDrained();
}

void SafeWaitGroup::FireDrained() {
  if (fired_.exchange(true)) return;
  std::function<void()> callback;
  {
    base::MutexLock lock(&mu_);
    callback = std::move(on_drained_);
  }
  if (callback) callback();
}

}  // namespace apiserve::chain
