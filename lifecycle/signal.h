#ifndef APISERVE_LIFECYCLE_SIGNAL_H_
#define APISERVE_LIFECYCLE_SIGNAL_H_

// lifecycle::Signal: a named one-shot event, kube's `lifecycleSignal` (a channel closed once).
//
//   Signal stop("ShutdownInitiated");
//   Subscription s = stop.OnFired([] { ... });   // runs once, on the thread that fires
//   stop.Fire();                                  // idempotent
//   stop.Wait();                                  // returns at once after Fire
//
// A signal fires once; anyone may ask forever. Everything here is thread-safe.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/mutex.h"

namespace apiserve::lifecycle {

class Signal;

// Subscription is the registration of one OnFired callback. Destroying it (or calling Cancel) unsubscribes: the
// callback will not start afterwards, and if it is running on another thread Cancel waits for it to return, so
// whatever it captures may be destroyed right after. Move-only. May outlive the Signal.
class [[nodiscard]] Subscription {
 public:
  Subscription() = default;
  ~Subscription() { Cancel(); }
  Subscription(Subscription&& other) noexcept;
  Subscription& operator=(Subscription&& other) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  void Cancel();

 private:
  friend class Signal;
  struct State;
  Subscription(std::shared_ptr<State> state, uint64_t id) : state_(std::move(state)), id_(id) {}

  std::shared_ptr<State> state_;
  uint64_t id_ = 0;
};

class Signal {
 public:
  explicit Signal(std::string name);
  ~Signal();
  Signal(const Signal&) = delete;
  Signal& operator=(const Signal&) = delete;

  // name is the fixed name used in log lines, e.g. "ShutdownInitiated".
  const std::string& name() const { return name_; }

  // Fire marks the signal fired, wakes every waiter, and runs the registered callbacks on the calling thread,
  // outside any lock, in registration order. Only the first call does anything.
  void Fire();

  bool HasFired() const;

  // Wait blocks until the signal has fired and Fire has run every callback registered before it (so a waiter
  // observes their effects). A callback must not Wait on the signal that runs it.
  void Wait() const;
  // WaitFor is Wait bounded by `timeout`. Returns whether the wait completed.
  bool WaitFor(absl::Duration timeout) const;

  // OnFired registers `callback` to run exactly once when the signal fires, on the firing thread. If the signal
  // has already fired, `callback` runs now, on the caller's thread, and the returned Subscription is empty.
  Subscription OnFired(absl::AnyInvocable<void()> callback);

 private:
  friend std::unique_ptr<Signal> AllOf(std::string name, const std::vector<Signal*>& inputs);

  // OnFiredImpl registers `callback`; with `run_last` it runs after every callback registered without it, so a
  // derived signal (AllOf) fires after the observers of its inputs have seen them fire.
  Subscription OnFiredImpl(absl::AnyInvocable<void()> callback, bool run_last);

  const std::string name_;
  std::shared_ptr<Subscription::State> state_;
  std::vector<Subscription> upstream_;  // Kept alive by AllOf signals; set before sharing.
};

// AllOf returns a signal named `name` that fires once every input has fired (at once if `inputs` is empty or all
// have fired), on the thread that fired the last input. Inputs are borrowed and must outlive the returned signal
// or fire before it is destroyed.
std::unique_ptr<Signal> AllOf(std::string name, const std::vector<Signal*>& inputs);

}  // namespace apiserve::lifecycle

#endif  // APISERVE_LIFECYCLE_SIGNAL_H_
