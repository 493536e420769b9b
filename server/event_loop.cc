#include "server/event_loop.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/recycling_allocator.h"

namespace apiserve::server {

// Freed in its close callback (libuv rule: memory lives until the handle is closed).
struct EventLoop::Timer {
  uv_timer_t handle;
  EventLoop* loop;
  base::Executor::Task task;
  std::shared_ptr<base::CancelState> state;  // null while idle
};

namespace {

void CloseTimer(EventLoop::Timer* timer) {
  if (timer->state != nullptr) timer->state->resource = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&timer->handle),
           [](uv_handle_t* handle) { delete static_cast<EventLoop::Timer*>(handle->data); });
}

struct BlockingJob {
  uv_work_t request;
  base::Executor::Task work;
  base::Executor::Task done;
};

}  // namespace

EventLoop::EventLoop(std::string name) : name_(std::move(name)) {}

EventLoop::~EventLoop() { Stop(); }

absl::Status EventLoop::Start() {
  if (int rc = uv_loop_init(&loop_); rc != 0) {
    return absl::InternalError(absl::StrCat("uv_loop_init(", name_, "): ", uv_strerror(rc)));
  }
  if (int rc = uv_async_init(&loop_, &wakeup_, &EventLoop::OnAsync); rc != 0) {
    uv_loop_close(&loop_);
    return absl::InternalError(absl::StrCat("uv_async_init(", name_, "): ", uv_strerror(rc)));
  }
  wakeup_.data = this;
  // libuv reserves a descriptor per loop (for its EMFILE handling) when the loop's first stream is created. Take it
  // now, so the process holds as many descriptors after its first connection as before it.
  auto* probe = new uv_tcp_t;
  uv_tcp_init(&loop_, probe);
  uv_close(reinterpret_cast<uv_handle_t*>(probe),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_tcp_t*>(handle); });
  {
    base::MutexLock lock(&mu_);
    accepting_ = true;
  }
  running_ = true;
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void EventLoop::Run() {
  thread_id_.store(std::this_thread::get_id());
  uv_run(&loop_, UV_RUN_DEFAULT);
  for (Timer* timer : idle_timers_) CloseTimer(timer);
  idle_timers_.clear();
  // Stop closed the wakeup handle; close whatever else is still open, then let the close callbacks run.
  uv_walk(
      &loop_,
      [](uv_handle_t* handle, void*) {
        if (!uv_is_closing(handle)) {
          if (handle->type == UV_TIMER) {
            CloseTimer(static_cast<Timer*>(handle->data));  // armed ones; idle ones are already closing
          } else {
            uv_close(handle, nullptr);
          }
        }
      },
      nullptr);
  while (uv_run(&loop_, UV_RUN_DEFAULT) != 0) {
  }
  const int rc = uv_loop_close(&loop_);
  (void)rc;  // Every handle is closed above: rc is 0. Nothing to report to on the way out.
}

void EventLoop::Stop() {
  if (!running_.exchange(false)) return;
  {
    base::MutexLock lock(&mu_);
    stopping_ = true;
    uv_async_send(&wakeup_);
  }
  thread_.join();
}

void EventLoop::OnAsync(uv_async_t* handle) {
  auto* self = static_cast<EventLoop*>(handle->data);
  self->DrainPosted();
  bool stopping;
  {
    base::MutexLock lock(&self->mu_);
    stopping = self->stopping_;
  }
  if (stopping) {
    self->DrainPosted();  // tasks posted before Stop, or by the tasks just run
    {
      base::MutexLock lock(&self->mu_);
      self->accepting_ = false;
    }
    self->DrainPosted();
    uv_close(reinterpret_cast<uv_handle_t*>(&self->wakeup_), nullptr);
    uv_stop(&self->loop_);
  }
}

void EventLoop::DrainPosted() {
  std::vector<Task> tasks;
  {
    base::MutexLock lock(&mu_);
    tasks.swap(posted_);
  }
  for (Task& task : tasks) task();
}

void EventLoop::Post(Task task) {
  // The wakeup is sent under the lock: the loop closes the async handle only after clearing accepting_ under the
  // same lock, so a send never races with the close.
  base::MutexLock lock(&mu_);
  if (!accepting_) return;  // Stopped (or never started): the task is destroyed unrun.
  const bool wake = posted_.empty();
  posted_.push_back(std::move(task));
  if (wake) uv_async_send(&wakeup_);
}

EventLoop::Timer* EventLoop::TakeTimer() {
  if (!idle_timers_.empty()) {
    Timer* timer = idle_timers_.back();
    idle_timers_.pop_back();
    return timer;
  }
  auto* timer = new Timer{uv_timer_t{}, this, nullptr, nullptr};
  uv_timer_init(&loop_, &timer->handle);
  timer->handle.data = timer;
  return timer;
}

void EventLoop::RecycleTimer(Timer* timer) {
  timer->state->resource = nullptr;
  timer->state = nullptr;
  timer->task = nullptr;
  if (idle_timers_.size() >= kMaxIdleTimers) {
    CloseTimer(timer);
  } else {
    idle_timers_.push_back(timer);
  }
}

// ReleaseTimer stops a timer cancelled on its loop at once (request timeouts are cancelled for almost every
// request: left armed, they would pile up for the whole timeout). From other threads the timer stays armed and is
// dropped when due.
void EventLoop::ReleaseTimer(base::CancelState* state) {
  if (state->owner == nullptr || !state->owner->IsExecutorThread() || state->resource == nullptr) return;
  auto* timer = static_cast<Timer*>(state->resource);
  uv_timer_stop(&timer->handle);
  timer->loop->RecycleTimer(timer);
}

base::CancelHandle EventLoop::RunAfter(absl::Duration delay, Task task) {
  auto cancelled = base::MakeRecycledShared<base::CancelState>();
  cancelled->owner = this;
  cancelled->release = &ReleaseTimer;
  auto start = [this, delay, cancelled, task = std::move(task)]() mutable {
    if (cancelled->cancelled.load(std::memory_order_acquire)) return;
    Timer* timer = TakeTimer();
    timer->task = std::move(task);
    timer->state = cancelled;
    cancelled->resource = timer;
    const int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(delay, absl::Milliseconds(1)));
    uv_timer_start(
        &timer->handle,
        [](uv_timer_t* handle) {
          auto* t = static_cast<Timer*>(handle->data);
          Task fire = std::move(t->task);
          const bool was_cancelled = t->state->cancelled.load(std::memory_order_acquire);
          t->loop->RecycleTimer(t);
          if (!was_cancelled) fire();
        },
        static_cast<uint64_t>(ms > 0 ? ms : 0), 0);
  };
  if (IsExecutorThread()) {
    start();
  } else {
    Post(std::move(start));
  }
  return base::CancelHandle(std::move(cancelled));
}

void EventLoop::RunBlocking(Task work, Task done) {
  auto queue = [this, work = std::move(work), done = std::move(done)]() mutable {
    auto* job = new BlockingJob{uv_work_t{}, std::move(work), std::move(done)};
    job->request.data = job;
    const int rc = uv_queue_work(
        &loop_, &job->request, [](uv_work_t* request) { static_cast<BlockingJob*>(request->data)->work(); },
        [](uv_work_t* request, int status) {
          std::unique_ptr<BlockingJob> finished(static_cast<BlockingJob*>(request->data));
          if (status == 0 && finished->done) finished->done();
        });
    if (rc != 0) delete job;
  };
  if (IsExecutorThread()) {
    queue();
  } else {
    Post(std::move(queue));
  }
}

absl::Time EventLoop::Now() const { return absl::Now(); }

bool EventLoop::IsExecutorThread() const { return std::this_thread::get_id() == thread_id_.load(); }

}  // namespace apiserve::server
