#include "lifecycle/signal.h"

#include <atomic>
#include <utility>

namespace apiserve::lifecycle {

// State is shared between a Signal and its Subscriptions, so either may be destroyed first.
struct Subscription::State {
  base::Mutex mu;
  base::CondVar changed;
  bool fired ABSL_GUARDED_BY(mu) = false;
  // Set once Fire has run every callback: Wait returns only then, so a waiter sees the callbacks' effects.
  bool callbacks_done ABSL_GUARDED_BY(mu) = false;
  uint64_t next_id ABSL_GUARDED_BY(mu) = 1;
  std::map<uint64_t, absl::AnyInvocable<void()>> callbacks ABSL_GUARDED_BY(mu);
  // While Fire runs callbacks: the firing thread and the id of the callback running now (0: none).
  std::thread::id firing_thread ABSL_GUARDED_BY(mu);
  uint64_t running_id ABSL_GUARDED_BY(mu) = 0;
};

Subscription::Subscription(Subscription&& other) noexcept
    : state_(std::move(other.state_)), id_(std::exchange(other.id_, 0)) {}

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    Cancel();
    state_ = std::move(other.state_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void Subscription::Cancel() {
  if (!state_) return;
  std::shared_ptr<State> state = std::move(state_);
  const uint64_t id = std::exchange(id_, 0);
  absl::AnyInvocable<void()> removed;  // Destroyed outside the lock.
  {
    base::MutexLock lock(&state->mu);
    auto it = state->callbacks.find(id);
    if (it != state->callbacks.end()) {
      removed = std::move(it->second);
      state->callbacks.erase(it);
    } else if (state->firing_thread != std::this_thread::get_id()) {
      while (state->running_id == id) state->changed.Wait(&state->mu);
    }
  }
}

Signal::Signal(std::string name) : name_(std::move(name)), state_(std::make_shared<Subscription::State>()) {}

Signal::~Signal() = default;

void Signal::Fire() {
  // Keep the state alive for the whole call: a waiter woken below may destroy this Signal at once.
  const std::shared_ptr<Subscription::State> keep_alive = state_;
  Subscription::State& state = *keep_alive;
  {
    base::MutexLock lock(&state.mu);
    if (state.fired) return;
    state.fired = true;
    state.firing_thread = std::this_thread::get_id();
  }
  for (;;) {
    absl::AnyInvocable<void()> callback;
    {
      base::MutexLock lock(&state.mu);
      state.running_id = 0;
      if (state.callbacks.empty()) {
        state.firing_thread = std::thread::id();
        state.callbacks_done = true;
        break;
      }
      auto it = state.callbacks.begin();
      state.running_id = it->first;
      callback = std::move(it->second);
      state.callbacks.erase(it);
    }
    state.changed.SignalAll();
    callback();
  }
  state.changed.SignalAll();
}

bool Signal::HasFired() const {
  base::MutexLock lock(&state_->mu);
  return state_->fired;
}

void Signal::Wait() const {
  base::MutexLock lock(&state_->mu);
  while (!state_->callbacks_done) state_->changed.Wait(&state_->mu);
}

bool Signal::WaitFor(absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  base::MutexLock lock(&state_->mu);
  while (!state_->callbacks_done) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) break;
    state_->changed.WaitWithTimeout(&state_->mu, left);
  }
  return state_->callbacks_done;
}

Subscription Signal::OnFired(absl::AnyInvocable<void()> callback) {
  return OnFiredImpl(std::move(callback), /*run_last=*/false);
}

Subscription Signal::OnFiredImpl(absl::AnyInvocable<void()> callback, bool run_last) {
  // Callbacks run in id order; ids with the top bit set sort after all others.
  constexpr uint64_t kRunLastBit = uint64_t{1} << 63;
  {
    base::MutexLock lock(&state_->mu);
    if (!state_->fired) {
      const uint64_t id = state_->next_id++ | (run_last ? kRunLastBit : 0);
      state_->callbacks.emplace(id, std::move(callback));
      return Subscription(state_, id);
    }
  }
  callback();
  return Subscription();
}

std::unique_ptr<Signal> AllOf(std::string name, const std::vector<Signal*>& inputs) {
  auto output = std::make_unique<Signal>(std::move(name));
  auto remaining = std::make_shared<std::atomic<size_t>>(inputs.size() + 1);
  Signal* out = output.get();
  auto arrive = [remaining, out] {
    if (remaining->fetch_sub(1, std::memory_order_acq_rel) == 1) out->Fire();
  };
  // Each input's observers see it fire before the output fires (run_last). Subscribe first, then arrive once for the
  // setup itself, so an input firing concurrently cannot fire the output before every subscription exists.
  for (Signal* input : inputs) output->upstream_.push_back(input->OnFiredImpl(arrive, /*run_last=*/true));
  arrive();
  return output;
}

}  // namespace apiserve::lifecycle
