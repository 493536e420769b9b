#ifndef APISERVE_BASE_FAKE_EXECUTOR_H_
#define APISERVE_BASE_FAKE_EXECUTOR_H_

// base::FakeExecutor: a deterministic Executor for tests. Nothing runs until the test says so: RunUntilIdle() runs
// posted tasks (and queued blocking work, unless held); AdvanceTime(d) moves the manual clock and runs timers that
// became due, in due-time order, interleaved with the tasks they post. The thread that constructed the executor is
// its "executor thread" (call the Run* methods there). Post, RunAfter and RunBlocking are thread-safe.

#include <cstdint>
#include <deque>
#include <map>
#include <thread>
#include <utility>

#include "absl/time/time.h"
#include "base/executor.h"
#include "base/mutex.h"

namespace apiserve::base {

class FakeExecutor : public Executor {
 public:
  // The clock starts at `start` (an arbitrary fixed instant by default, so tests are reproducible).
  explicit FakeExecutor(absl::Time start = absl::FromUnixSeconds(1'700'000'000));
  ~FakeExecutor() override;

  void Post(Task task) override;
  CancelHandle RunAfter(absl::Duration delay, Task task) override;
  void RunBlocking(Task work, Task done) override;
  absl::Time Now() const override;
  bool IsExecutorThread() const override;

  // RunUntilIdle runs posted tasks, and blocking work unless held, until none is left. Returns how many ran.
  int RunUntilIdle();

  // AdvanceTime moves the clock forward by `delta`, running every timer that falls due (at its due time, in order)
  // and everything those post. Returns how many tasks ran.
  int AdvanceTime(absl::Duration delta);

  // With HoldBlockingWork(true), RunBlocking work waits in a queue until RunHeldBlockingWork() (to test timeouts
  // of slow blocking work).
  void HoldBlockingWork(bool hold);
  int RunHeldBlockingWork();

  // PendingTimers counts timers not yet run (cancelled ones included until their due time).
  int PendingTimers() const;

 private:
  struct BlockingJob {
    Task work;
    Task done;
  };
  struct Timer {
    Task task;
    std::shared_ptr<CancelState> cancelled;
  };

  bool RunOne();

  const std::thread::id executor_thread_ = std::this_thread::get_id();
  mutable Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  std::deque<Task> posted_ ABSL_GUARDED_BY(mu_);
  std::deque<BlockingJob> blocking_ ABSL_GUARDED_BY(mu_);
  bool hold_blocking_ ABSL_GUARDED_BY(mu_) = false;
  // Ordered by (due time, sequence number) so equal due times run in scheduling order.
  std::map<std::pair<absl::Time, uint64_t>, Timer> timers_ ABSL_GUARDED_BY(mu_);
  uint64_t next_sequence_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace apiserve::base

#endif  // APISERVE_BASE_FAKE_EXECUTOR_H_
