#ifndef APISERVE_HEALTHZ_CHECK_RUNNER_H_
#define APISERVE_HEALTHZ_CHECK_RUNNER_H_

// CheckRunner: runs one HealthChecker for the handlers of one endpoint, inline or, for a blocking check, on the
// executor's worker pool with a timeout, sharing one run between concurrent probes.
//
//   auto runner = std::make_shared<CheckRunner>(check);
//   runner->Run(request, [](absl::Status status) { ... });
//
// Non-blocking check: Run calls Check on the calling thread and `done` before returning.
//
// Blocking check: the first probe starts a run (RunBlocking on the probe's executor, request->executor); probes that
// arrive while it is running join it. Every waiting probe gets the run's result when it finishes, or
// DeadlineExceeded(`timed out after <Timeout()>`) if its own timer (RunAfter on its own executor, started when it
// joined) fires first. A timed-out run keeps its pool thread until Check returns; probes arriving meanwhile join it
// rather than piling more work onto the pool. `done` runs on the executor thread of the probe that started the run
// (result) or of the waiting probe (timeout) — callers must not assume which. If the executor destroys the run's
// completion without running it (a stopped loop), waiters get Unavailable(`health check run was abandoned`) and the
// next probe starts a new run. A request without an executor runs a blocking check inline (tests and tools only).
//
// Thread-safe. The runner must be held by shared_ptr (its callbacks keep it alive while work is pending).

#include <cstdint>
#include <map>
#include <memory>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "base/executor.h"
#include "base/mutex.h"
#include "healthz/health_checker.h"
#include "http/request.h"

namespace apiserve::healthz {

class CheckRunner : public std::enable_shared_from_this<CheckRunner> {
 public:
  using Callback = absl::AnyInvocable<void(absl::Status)>;

  explicit CheckRunner(HealthCheckerPtr check);
  CheckRunner(const CheckRunner&) = delete;
  CheckRunner& operator=(const CheckRunner&) = delete;

  const HealthChecker& check() const { return *check_; }

  // Run runs the check for `request` and calls `done` exactly once with its result (see the file comment).
  void Run(http::RequestPtr request, Callback done);

  // RunsStarted counts runs of a blocking check started so far (for tests of run sharing).
  uint64_t RunsStarted() const;

 private:
  struct Waiter {
    Callback done;
    base::CancelHandle timer;
  };

  // RunState is one blocking run: its result, and whether its completion ran.
  struct RunState {
    explicit RunState(std::shared_ptr<CheckRunner> r) : runner(std::move(r)) {}
    ~RunState();
    void Complete();  // on the executor thread, after the work
    std::shared_ptr<CheckRunner> runner;
    absl::Status result;  // written by the work on the pool, read by Complete after the post
    bool completed = false;
  };

  void Finish(absl::Status status);  // the shared run finished
  void TimeOut(uint64_t id);         // waiter `id`'s timer fired
  std::shared_ptr<CheckRunner> self() { return shared_from_this(); }

  const HealthCheckerPtr check_;
  mutable base::Mutex mu_;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_waiter_id_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t runs_started_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<uint64_t, Waiter> waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace apiserve::healthz

#endif  // APISERVE_HEALTHZ_CHECK_RUNNER_H_
