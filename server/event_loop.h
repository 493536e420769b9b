#ifndef APISERVE_SERVER_EVENT_LOOP_H_
#define APISERVE_SERVER_EVENT_LOOP_H_

// server::EventLoop: one thread running one libuv loop; the production base::Executor.
//
//   EventLoop loop("worker-0");
//   loop.Start();                       // spawns the thread
//   loop.Post([] { ... });              // from any thread
//   loop.Stop();                        // runs what is queued, closes every handle, joins
//
// Cross-thread posts go through a locked queue and one uv_async_t: the posting thread wakes the loop only when the
// queue was empty, and the loop swaps the whole queue out and runs it unlocked. Timers are uv_timer_t handles; one
// that fired or was cancelled on its loop goes back to a per-loop idle list (up to kMaxIdleTimers, still
// initialized) for the next RunAfter, so a request timeout armed and cancelled per request costs no allocation of a
// handle and no uv_close; the rest are freed in their close callbacks. Blocking work runs on libuv's worker pool
// (uv_queue_work, UV_THREADPOOL_SIZE).

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "base/executor.h"
#include "base/mutex.h"
#include "uv.h"

namespace apiserve::server {

class EventLoop : public base::Executor {
 public:
  explicit EventLoop(std::string name);
  // Stops the loop if it is running.
  ~EventLoop() override;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Start spawns the loop thread. Internal error if libuv cannot set up the loop.
  absl::Status Start();
  // Stop runs the tasks already posted, cancels pending timers, closes every handle still open (their close
  // callbacks run), and joins the thread. Idempotent. Must not be called from the loop thread.
  void Stop();

  void Post(Task task) override;
  base::CancelHandle RunAfter(absl::Duration delay, Task task) override;
  void RunBlocking(Task work, Task done) override;
  absl::Time Now() const override;
  bool IsExecutorThread() const override;

  // uv_loop is the libuv loop, for handles that live on this loop (listeners, connections). Loop thread only.
  uv_loop_t* uv_loop() { return &loop_; }
  const std::string& name() const { return name_; }

  // Timer is a one-shot timer's handle and task (defined in event_loop.cc).
  struct Timer;

 private:
  static constexpr size_t kMaxIdleTimers = 1024;

  // Loop thread. RecycleTimer takes a stopped timer back to idle_timers_ (or closes it when the list is full);
  // TakeTimer reuses one or creates one.
  void RecycleTimer(Timer* timer);
  Timer* TakeTimer();
  static void ReleaseTimer(base::CancelState* state);

  void Run();
  void DrainPosted();
  static void OnAsync(uv_async_t* handle);

  const std::string name_;
  uv_loop_t loop_;
  uv_async_t wakeup_;
  std::thread thread_;
  std::atomic<std::thread::id> thread_id_{};
  std::atomic<bool> running_{false};

  base::Mutex mu_;
  std::vector<Task> posted_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool accepting_ ABSL_GUARDED_BY(mu_) = false;

  std::vector<Timer*> idle_timers_;  // loop thread only
};

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_EVENT_LOOP_H_
