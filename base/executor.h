#ifndef APISERVE_BASE_EXECUTOR_H_
#define APISERVE_BASE_EXECUTOR_H_

// base::Executor: where asynchronous work runs. Libraries and codecs depend only on this interface; the libuv event
// loop (server/event_loop.h) implements it in production and base::FakeExecutor in tests.
//
// An executor has one "executor thread" (an event loop's thread) on which posted tasks and timers run, in order,
// one at a time; and a bounded pool of worker threads for blocking work.

#include <atomic>
#include <memory>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "base/clock.h"

namespace apiserve::base {

// CancelState is shared by a scheduled task and its CancelHandles. `release` (optional) lets an executor free the
// task's resources at once when it is cancelled on the executor thread (a libuv timer is stopped and closed instead
// of staying armed until its due time); `resource` is the executor's own, touched only on its thread.
struct CancelState {
  std::atomic<bool> cancelled{false};
  // Set by the executor when it schedules the task; `release` is called by Cancel on any thread and must itself
  // check that it runs on `owner`'s thread before touching `resource`.
  const class Executor* owner = nullptr;
  void (*release)(CancelState* state) = nullptr;
  void* resource = nullptr;  // owner's thread only
};

// CancelHandle cancels a task scheduled with Executor::RunAfter. Copyable; all copies cancel the same task.
// A default-constructed handle cancels nothing.
class CancelHandle {
 public:
  CancelHandle() = default;
  explicit CancelHandle(std::shared_ptr<CancelState> state) : state_(std::move(state)) {}

  // Cancel stops the task from running. Thread-safe and idempotent. Called on the executor thread, it guarantees
  // the task will not start (and the executor may free it at once); from another thread the task may already be
  // running.
  void Cancel() {
    if (!state_) return;
    state_->cancelled.store(true, std::memory_order_release);
    if (state_->release != nullptr) state_->release(state_.get());
  }

  bool cancelled() const { return state_ && state_->cancelled.load(std::memory_order_acquire); }

 private:
  std::shared_ptr<CancelState> state_;
};

class Executor : public Clock {
 public:
  using Task = absl::AnyInvocable<void()>;

  virtual ~Executor() = default;

  // Post runs `task` on the executor thread after the tasks posted before it. Safe to call from any thread. A task
  // posted to an executor that has stopped is destroyed without running.
  virtual void Post(Task task) = 0;

  // RunAfter runs `task` on the executor thread once `delay` has passed on this executor's clock (Now()). Safe to
  // call from any thread. The returned handle cancels it.
  virtual CancelHandle RunAfter(absl::Duration delay, Task task) = 0;

  // RunBlocking runs `work` on the bounded worker pool (it may block), then posts `done` to the executor thread.
  // Safe to call from any thread.
  virtual void RunBlocking(Task work, Task done) = 0;

  // Now is this executor's clock: the wall clock in production, a manual clock in tests. Thread-safe.
  absl::Time Now() const override = 0;

  // IsExecutorThread reports whether the caller runs on the executor thread.
  virtual bool IsExecutorThread() const = 0;
};

}  // namespace apiserve::base

#endif  // APISERVE_BASE_EXECUTOR_H_
