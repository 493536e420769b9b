#include "healthz/check_runner.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/go_duration.h"

namespace apiserve::healthz {

CheckRunner::CheckRunner(HealthCheckerPtr check) : check_(std::move(check)) {}

void CheckRunner::Run(http::RequestPtr request, Callback done) {
  base::Executor* const executor = request->executor;
  if (!check_->IsBlocking() || executor == nullptr) {
    done(check_->Check(*request));
    return;
  }
  uint64_t id;
  bool start;
  {
    base::MutexLock lock(&mu_);
    id = next_waiter_id_++;
    waiters_.emplace(id, Waiter{std::move(done), base::CancelHandle()});
    start = !running_;
    if (start) {
      running_ = true;
      ++runs_started_;
    }
  }
  base::CancelHandle timer = executor->RunAfter(check_->Timeout(), [self = self(), id] { self->TimeOut(id); });
  {
    base::MutexLock lock(&mu_);
    auto it = waiters_.find(id);
    if (it != waiters_.end()) {
      it->second.timer = timer;
    } else {
      timer.Cancel();  // already answered by a run that finished on another thread
    }
  }
  if (!start) return;
  // Parse the query now: Request caches it lazily, and the check may read it on the pool thread.
  request->QueryParams();
  // The run state is shared by the work and its completion. If the executor destroys them without running the
  // completion (a loop that stopped), the last reference still ends the run so later probes can start another.
  auto run = std::make_shared<RunState>(self());
  executor->RunBlocking([check = check_, request = std::move(request), run] { run->result = check->Check(*request); },
                        [run] { run->Complete(); });
}

CheckRunner::RunState::~RunState() {
  if (!completed) runner->Finish(absl::UnavailableError("health check run was abandoned"));
}

void CheckRunner::RunState::Complete() {
  completed = true;
  runner->Finish(std::move(result));
}

void CheckRunner::Finish(absl::Status status) {
  std::map<uint64_t, Waiter> waiters;
  {
    base::MutexLock lock(&mu_);
    running_ = false;
    waiters.swap(waiters_);
  }
  for (auto& [id, waiter] : waiters) {
    waiter.timer.Cancel();
    waiter.done(status);
  }
}

void CheckRunner::TimeOut(uint64_t id) {
  Callback done;
  {
    base::MutexLock lock(&mu_);
    auto it = waiters_.find(id);
    if (it == waiters_.end()) return;
    done = std::move(it->second.done);
    waiters_.erase(it);
  }
  done(absl::DeadlineExceededError(absl::StrCat("timed out after ", base::FormatGoDuration(check_->Timeout()))));
}

uint64_t CheckRunner::RunsStarted() const {
  base::MutexLock lock(&mu_);
  return runs_started_;
}

}  // namespace apiserve::healthz
