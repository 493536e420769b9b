#include "base/fake_executor.h"

#include <utility>

namespace apiserve::base {

FakeExecutor::FakeExecutor(absl::Time start) : now_(start) {}

FakeExecutor::~FakeExecutor() {
  // Destroy queued tasks outside the lock: their destructors may post.
  std::deque<Task> posted;
  std::deque<BlockingJob> blocking;
  std::map<std::pair<absl::Time, uint64_t>, Timer> timers;
  {
    MutexLock lock(&mu_);
    posted.swap(posted_);
    blocking.swap(blocking_);
    timers.swap(timers_);
  }
}

void FakeExecutor::Post(Task task) {
  MutexLock lock(&mu_);
  posted_.push_back(std::move(task));
}

CancelHandle FakeExecutor::RunAfter(absl::Duration delay, Task task) {
  auto cancelled = std::make_shared<CancelState>();
  MutexLock lock(&mu_);
  const absl::Time due = now_ + std::max(delay, absl::ZeroDuration());
  timers_.emplace(std::make_pair(due, next_sequence_++), Timer{std::move(task), cancelled});
  return CancelHandle(std::move(cancelled));
}

void FakeExecutor::RunBlocking(Task work, Task done) {
  MutexLock lock(&mu_);
  blocking_.push_back(BlockingJob{std::move(work), std::move(done)});
}

absl::Time FakeExecutor::Now() const {
  MutexLock lock(&mu_);
  return now_;
}

bool FakeExecutor::IsExecutorThread() const { return std::this_thread::get_id() == executor_thread_; }

bool FakeExecutor::RunOne() {
  Task task;
  BlockingJob job;
  {
    MutexLock lock(&mu_);
    if (!posted_.empty()) {
      task = std::move(posted_.front());
      posted_.pop_front();
    } else if (!hold_blocking_ && !blocking_.empty()) {
      job = std::move(blocking_.front());
      blocking_.pop_front();
    } else {
      return false;
    }
  }
  if (task) {
    task();
    return true;
  }
  if (job.work) job.work();
  if (job.done) Post(std::move(job.done));
  return true;
}

int FakeExecutor::RunUntilIdle() {
  int ran = 0;
  while (RunOne()) ++ran;
  return ran;
}

int FakeExecutor::AdvanceTime(absl::Duration delta) {
  int ran = RunUntilIdle();
  absl::Time target;
  {
    MutexLock lock(&mu_);
    target = now_ + delta;
  }
  for (;;) {
    Timer timer;
    {
      MutexLock lock(&mu_);
      auto it = timers_.begin();
      if (it == timers_.end() || it->first.first > target) {
        now_ = target;
        break;
      }
      now_ = it->first.first;
      timer = std::move(it->second);
      timers_.erase(it);
    }
    if (!timer.cancelled->cancelled.load(std::memory_order_acquire)) {
      timer.task();
      ++ran;
    }
    ran += RunUntilIdle();
  }
  return ran + RunUntilIdle();
}

void FakeExecutor::HoldBlockingWork(bool hold) {
  MutexLock lock(&mu_);
  hold_blocking_ = hold;
}

int FakeExecutor::RunHeldBlockingWork() {
  int ran = 0;
  for (;;) {
    BlockingJob job;
    {
      MutexLock lock(&mu_);
      if (blocking_.empty()) break;
      job = std::move(blocking_.front());
      blocking_.pop_front();
    }
    if (job.work) job.work();
    if (job.done) Post(std::move(job.done));
    ++ran;
  }
  return ran + RunUntilIdle();
}

int FakeExecutor::PendingTimers() const {
  MutexLock lock(&mu_);
  return static_cast<int>(timers_.size());
}

}  // namespace apiserve::base
