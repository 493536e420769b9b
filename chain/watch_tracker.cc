#include "chain/watch_tracker.h"

#include <algorithm>
#include <thread>

#include "absl/time/clock.h"

namespace apiserve::chain {

std::shared_ptr<lifecycle::Signal> WatchTracker::Add() {
  if (!group_.Add().ok()) return nullptr;
  auto signal = std::make_shared<lifecycle::Signal>("ShuttingDown");
  base::MutexLock lock(&mu_);
  // Forget signals of watches that ended, so the list tracks the live ones.
  signals_.erase(std::remove_if(signals_.begin(), signals_.end(), [](const auto& s) { return s.expired(); }),
                 signals_.end());
  signals_.push_back(signal);
  return signal;
}

void WatchTracker::ReleaseAtRate(absl::Duration grace) {
  std::vector<std::weak_ptr<lifecycle::Signal>> signals;
  {
    base::MutexLock lock(&mu_);
    signals.swap(signals_);
  }
  const double seconds = std::max(absl::ToDoubleSeconds(grace), 1e-3);
  const double per_second = std::max(200.0, static_cast<double>(signals.size()) / seconds);
  const absl::Duration interval = absl::Seconds(1.0 / per_second);
  const absl::Time deadline = absl::Now() + grace;
  absl::Time next = absl::Now();
  for (const auto& weak : signals) {
    if (absl::Now() < deadline) {
      const absl::Duration wait = next - absl::Now();
      if (wait > absl::ZeroDuration()) std::this_thread::sleep_for(absl::ToChronoNanoseconds(wait));
      next += interval;
    }
    if (auto signal = weak.lock()) signal->Fire();
  }
}

}  // namespace apiserve::chain
