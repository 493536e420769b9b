#include "chain/filters/timeout.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "chain/request_info.h"
#include "http/kube_status.h"

namespace apiserve::chain {
namespace {

const http::ResponsePtr& TimeoutResponse() {
  static const http::ResponsePtr* const response = new http::ResponsePtr(http::Shared(http::TimeoutResponse()));
  return *response;
}

// TimeOut answers the request behind `completer` with the 504, or aborts its stream if the head was sent.
void TimeOut(const http::Completer& completer) {
  if (completer.done()) return;
  if (completer.head_sent()) {
    completer.TryAbort().IgnoreError();
  } else {
    completer.TrySend(TimeoutResponse()).IgnoreError();
  }
}

class DeadlineQueue;

// Node: one request waiting for its deadline. Linked in a DeadlineQueue while `queue` is set; freed (to its thread's
// free list) by the request's on-complete hook.
struct Node {
  Node* prev = nullptr;
  Node* next = nullptr;
  absl::Time deadline;
  http::Completer completer;
  DeadlineQueue* queue = nullptr;
};

// FreeNodes: the loop thread's recycled nodes, so a warm loop allocates none per request.
class FreeNodes {
 public:
  ~FreeNodes() {
    while (head_ != nullptr) delete std::exchange(head_, head_->next);
  }
  Node* Take() {
    if (head_ == nullptr) return new Node();
    return std::exchange(head_, head_->next);
  }
  void Give(Node* node) {
    node->prev = nullptr;
    node->completer = http::Completer();
    node->next = std::exchange(head_, node);
  }

 private:
  Node* head_ = nullptr;
};

thread_local FreeNodes free_nodes;

// DeadlineQueue: the requests of one timeout filter on one loop, in deadline order, with one timer armed for the
// earliest. Every request of a filter has the same timeout and arrives in (almost) received order, so a request is
// inserted at or near the tail. Loop-affine: touched only on the executor's thread.
class DeadlineQueue {
 public:
  explicit DeadlineQueue(base::Executor* executor) : executor_(executor) {}
  DeadlineQueue(const DeadlineQueue&) = delete;
  DeadlineQueue& operator=(const DeadlineQueue&) = delete;
  // Destroyed at thread exit, after its loop: an armed timer is not touched.
  ~DeadlineQueue() = default;

  base::Executor* executor() const { return executor_; }

  // Push links `node` by its deadline and arms the timer if it became the earliest.
  void Push(Node* node) {
    node->queue = this;
    Node* after = tail_;
    while (after != nullptr && after->deadline > node->deadline) after = after->prev;
    node->prev = after;
    node->next = after != nullptr ? after->next : head_;
    (node->next != nullptr ? node->next->prev : tail_) = node;
    (after != nullptr ? after->next : head_) = node;
    if (node->deadline < armed_for_) Arm(node->deadline);
  }

  // Remove unlinks `node`. The timer stays armed even when no request is left: most requests finish long before
  // their deadline, and cancelling and re-arming a timer for each was most of this filter's cost. A timer that
  // fires early (its request is gone) just re-arms for the earliest deadline left, about once per timeout.
  void Remove(Node* node) {
    (node->prev != nullptr ? node->prev->next : head_) = node->next;
    (node->next != nullptr ? node->next->prev : tail_) = node->prev;
    node->prev = node->next = nullptr;
    node->queue = nullptr;
  }

 private:
  void Arm(absl::Time deadline) {
    timer_.Cancel();
    armed_for_ = deadline;
    timer_ = executor_->RunAfter(std::max(deadline - executor_->Now(), absl::ZeroDuration()), [this] { Fire(); });
  }

  // Fire times out every request whose deadline has passed, then arms the timer for the next one.
  void Fire() {
    timer_ = base::CancelHandle();
    armed_for_ = absl::InfiniteFuture();
    const absl::Time now = executor_->Now();
    while (head_ != nullptr && head_->deadline <= now) {
      Node* node = head_;
      const http::Completer completer = std::move(node->completer);
      Remove(node);  // its on-complete hook frees it
      TimeOut(completer);
    }
    if (head_ != nullptr) Arm(head_->deadline);
  }

  base::Executor* const executor_;
  Node* head_ = nullptr;
  Node* tail_ = nullptr;
  base::CancelHandle timer_;
  absl::Time armed_for_ = absl::InfiniteFuture();  // the deadline timer_ fires at; InfiniteFuture: not armed
};

// The loop thread's queues, one per (filter, executor): a filter serves every loop, and each loop has its own.
struct QueueSlot {
  uint64_t filter;
  base::Executor* executor;
  std::unique_ptr<DeadlineQueue> queue;
};
thread_local std::vector<QueueSlot> queues;

DeadlineQueue* QueueFor(uint64_t filter, base::Executor* executor) {
  for (QueueSlot& slot : queues) {
    if (slot.filter == filter && slot.executor == executor) return slot.queue.get();
  }
  queues.push_back(QueueSlot{filter, executor, std::make_unique<DeadlineQueue>(executor)});
  return queues.back().queue.get();
}

class RequestTimeout : public http::Handler {
 public:
  RequestTimeout(http::HandlerPtr next, absl::Duration timeout) : next_(std::move(next)), timeout_(timeout) {}

  void Serve(http::RequestPtr request, http::ResponseWriter writer) override {
    const RequestInfo* info = request->Context<RequestInfo>();
    base::Executor* executor = request->executor;
    if (executor == nullptr || timeout_ <= absl::ZeroDuration() || (info != nullptr && info->long_running)) {
      next_->Serve(std::move(request), std::move(writer));
      return;
    }
    if (!executor->IsExecutorThread()) {
      // Not on the request's loop (a test driving the chain from its own thread): a timer of its own.
      base::CancelHandle timer = executor->RunAfter(timeout_, [completer = writer.completer()] { TimeOut(completer); });
      writer.OnComplete([timer](const http::Completion&) mutable { timer.Cancel(); });
      next_->Serve(std::move(request), std::move(writer));
      return;
    }
    // kube's request deadline: the time the request was received plus the timeout (the codec stamps it).
    Node* node = free_nodes.Take();
    node->deadline = http::StampReceivedTime(request.get()) + timeout_;
    node->completer = writer.completer();
    QueueFor(id_, executor)->Push(node);
    writer.OnComplete([node](const http::Completion&) {
      if (node->queue != nullptr) node->queue->Remove(node);
      free_nodes.Give(node);
    });
    next_->Serve(std::move(request), std::move(writer));
  }

 private:
  static std::atomic<uint64_t> next_id_;
  const http::HandlerPtr next_;
  const absl::Duration timeout_;
  const uint64_t id_ = next_id_.fetch_add(1, std::memory_order_relaxed);
};

std::atomic<uint64_t> RequestTimeout::next_id_{1};

}  // namespace

http::HandlerPtr WithRequestTimeout(http::HandlerPtr next, absl::Duration timeout) {
  return std::make_shared<RequestTimeout>(std::move(next), timeout);
}

}  // namespace apiserve::chain
