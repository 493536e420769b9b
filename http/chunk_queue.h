#ifndef APISERVE_HTTP_CHUNK_QUEUE_H_
#define APISERVE_HTTP_CHUNK_QUEUE_H_

// http::ChunkQueue<T>: a FIFO of response pieces not yet written, shared by both codecs. A vector and a read index
// rather than a std::deque, which allocates a map and a 512-byte node as soon as it is constructed (memory every
// pooled stream or transaction would then keep). A sent piece's memory goes back at once; a queue that never
// empties (a long stream read by a slow client) is compacted as pieces leave, so it stays small.
//
// A plain value; not thread-safe. T must be default-constructible and movable.

#include <cstddef>
#include <utility>
#include <vector>

namespace apiserve::http {

template <typename T>
class ChunkQueue {
 public:
  // Compaction moves the unsent pieces to the front once this many sent slots make up half the vector.
  static constexpr size_t kCompactAfter = 16;

  bool empty() const { return head_ == items_.size(); }
  size_t size() const { return items_.size() - head_; }
  // front: the oldest unsent piece. Not on an empty queue.
  T& front() { return items_[head_]; }
  const T& front() const { return items_[head_]; }
  void push_back(T item) { items_.push_back(std::move(item)); }
  // pop_front drops the front piece (its memory now). Not on an empty queue.
  void pop_front() {
    items_[head_++] = T();
    if (head_ == items_.size()) {
      items_.clear();
      head_ = 0;
    } else if (head_ >= kCompactAfter && 2 * head_ >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  // clear drops every piece and keeps the vector's capacity (for the next response on a reused object).
  void clear() {
    items_.clear();
    head_ = 0;
  }
  // Release drops every piece and the vector's memory.
  void Release() {
    std::vector<T>().swap(items_);
    head_ = 0;
  }

 private:
  std::vector<T> items_;
  size_t head_ = 0;
};

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_CHUNK_QUEUE_H_
