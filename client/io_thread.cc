#include "client/io_thread.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"

namespace apiserve::client {

absl::Status IoThread::Start() {
  if (const int rc = uv_loop_init(&loop_); rc != 0) {
    return absl::InternalError(absl::StrCat("uv_loop_init: ", uv_strerror(rc)));
  }
  if (const int rc = uv_async_init(&loop_, &wakeup_, &IoThread::OnAsync); rc != 0) {
    uv_loop_close(&loop_);
    return absl::InternalError(absl::StrCat("uv_async_init: ", uv_strerror(rc)));
  }
  wakeup_.data = this;
  {
    base::MutexLock lock(&mu_);
    started_ = true;
  }
  thread_ = std::thread([this] {
    // Runs until Stop closed the async handle and every other handle has closed.
    uv_run(&loop_, UV_RUN_DEFAULT);
  });
  return absl::OkStatus();
}

IoThread::~IoThread() { Stop(); }

bool IoThread::Post(Task task) {
  bool wake = false;
  {
    base::MutexLock lock(&mu_);
    if (stopping_ || !started_) return false;
    wake = tasks_.empty();
    tasks_.push_back(std::move(task));
    // uv_async_send under the lock: Stop closes the handle only after setting stopping_ under it.
    if (wake && uv_async_send(&wakeup_) != 0) {
      std::fprintf(stderr, "client::IoThread: uv_async_send failed\n");
      std::abort();
    }
  }
  return true;
}

void IoThread::OnAsync(uv_async_t* async) { static_cast<IoThread*>(async->data)->Drain(); }

void IoThread::Drain() {
  for (;;) {
    std::vector<Task> tasks;
    bool stopping = false;
    Task last;
    {
      base::MutexLock lock(&mu_);
      tasks.swap(tasks_);
      stopping = stopping_;
      if (stopping && tasks.empty()) last = std::move(last_);
    }
    if (tasks.empty()) {
      if (!stopping) return;
      if (last) last();
      if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&wakeup_))) {
        uv_close(reinterpret_cast<uv_handle_t*>(&wakeup_), nullptr);
      }
      return;
    }
    for (Task& task : tasks) task();
  }
}

void IoThread::Stop(Task last) {
  {
    base::MutexLock lock(&mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
    last_ = std::move(last);
    if (uv_async_send(&wakeup_) != 0) {
      std::fprintf(stderr, "client::IoThread: uv_async_send failed\n");
      std::abort();
    }
  }
  thread_.join();
  // Every handle is closed (uv_run returned); a loop closes only when uv_loop_close returns 0.
  if (const int rc = uv_loop_close(&loop_); rc != 0) {
    std::fprintf(stderr, "client::IoThread: uv_loop_close: %s\n", uv_strerror(rc));
    std::abort();
  }
}

}  // namespace apiserve::client
