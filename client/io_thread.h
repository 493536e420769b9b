#ifndef APISERVE_CLIENT_IO_THREAD_H_
#define APISERVE_CLIENT_IO_THREAD_H_

// client::IoThread: the client's own thread running one libuv loop. Other threads hand it work with Post (a locked
// queue and one uv_async_t, woken only when the queue was empty); the loop swaps the queue out and runs it unlocked.
//
//   auto io = std::make_shared<IoThread>("client");
//   RETURN_IF_ERROR(io->Start());
//   io->Post([] { ... });            // any thread; dropped once Stop began
//   io->Stop([] { /* close handles */ });  // runs the last task on the loop, waits for every handle to close, joins
//
// Internal to client/.

#include <memory>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "base/mutex.h"
#include "uv.h"

namespace apiserve::client {

class IoThread {
 public:
  using Task = absl::AnyInvocable<void()>;

  IoThread() = default;
  // Stops the thread if Stop was not called (with no final task).
  ~IoThread();
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  // Start initializes the loop and spawns the thread. Internal naming the libuv call on failure. Call once.
  absl::Status Start();

  // Post runs `task` on the loop thread after the tasks posted before it. Any thread. Returns false (and destroys
  // `task` unrun) once Stop has begun.
  bool Post(Task task);

  // Stop refuses new posts, runs the tasks already queued and then `last` on the loop thread (which must close or
  // stop every handle it owns), waits until the loop has no open handle, and joins. Idempotent; not from the loop
  // thread.
  void Stop(Task last = nullptr);

  bool IsLoopThread() const { return std::this_thread::get_id() == thread_.get_id(); }
  // loop is the libuv loop. Loop thread only.
  uv_loop_t* loop() { return &loop_; }

 private:
  static void OnAsync(uv_async_t* async);
  void Drain();

  uv_loop_t loop_{};
  uv_async_t wakeup_{};
  std::thread thread_;

  base::Mutex mu_;
  std::vector<Task> tasks_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Task last_ ABSL_GUARDED_BY(mu_);
};

}  // namespace apiserve::client

#endif  // APISERVE_CLIENT_IO_THREAD_H_
