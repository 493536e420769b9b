#include "http/request_body.h"

#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"

namespace apiserve::http {
namespace {

std::atomic<uint64_t> buffered_bytes{0};

}  // namespace

uint64_t BufferedRequestBodyBytes() { return buffered_bytes.load(std::memory_order_relaxed); }

RequestBody::RequestBody(BodySource* source, std::optional<uint64_t> content_length)
    : source_(source), content_length_(content_length) {}

RequestBody::~RequestBody() { buffered_bytes.fetch_sub(buffered(), std::memory_order_relaxed); }

void RequestBody::Consumed(size_t n) {
  if (n > 0 && source_ != nullptr) source_->OnBodyConsumed(n);
}

void RequestBody::DropHeld() {
  const size_t held = buffered();
  buffered_bytes.fetch_sub(held, std::memory_order_relaxed);
  buffer_.clear();
  offset_ = 0;
  Consumed(held);
}

void RequestBody::Deliver(absl::string_view data) {
  if (data.empty()) return;
  received_ += data.size();
  if (discarded_ || end_.has_value()) {
    Consumed(data.size());
    return;
  }
  if (limit_.has_value() && received_ > *limit_) {
    exceeded_ = true;
    DropHeld();
    Consumed(data.size());
    end_ = absl::ResourceExhaustedError(absl::StrCat("request body exceeds the limit of ", *limit_, " bytes"));
    return;
  }
  if (offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
  }
  buffer_.append(data.data(), data.size());
  buffered_bytes.fetch_add(data.size(), std::memory_order_relaxed);
}

void RequestBody::Finish(absl::Status status) {
  if (end_.has_value()) return;
  if (!status.ok()) DropHeld();
  end_ = std::move(status);
}

void RequestBody::Discard() {
  if (discarded_) return;
  discarded_ = true;
  DropHeld();
  if (!end_.has_value() || end_->ok()) {
    end_ = absl::FailedPreconditionError("the response was sent before the request body was read");
  }
}

void RequestBody::DetachSource() {
  source_ = nullptr;  // the codec settles what is still held itself
  if (!end_.has_value()) {
    end_ = absl::CancelledError("the request ended before its body was complete");
    DropHeld();
  }
  Pump();
}

void RequestBody::Read(DataCallback on_data, EndCallback on_end) {
  if (wanted_) {
    if (on_end) on_end(absl::FailedPreconditionError("the request body is already being read"));
    return;
  }
  wanted_ = true;
  on_data_ = std::move(on_data);
  on_end_ = std::move(on_end);
  if (source_ != nullptr && !end_.has_value()) source_->OnBodyWanted();
  Pump();
}

void RequestBody::SetLimit(uint64_t limit, absl::AnyInvocable<void()> on_exceeded) {
  limit_ = limit;
  on_exceeded_ = std::move(on_exceeded);
  if (!end_.has_value() && received_ > limit) {
    exceeded_ = true;
    DropHeld();
    end_ = absl::ResourceExhaustedError(absl::StrCat("request body exceeds the limit of ", limit, " bytes"));
  }
}

void RequestBody::Pump() {
  if (pumping_) return;  // a callback made more happen: the running loop below sees it
  pumping_ = true;
  for (;;) {
    if (exceeded_ && on_exceeded_) {
      auto on_exceeded = std::move(on_exceeded_);
      on_exceeded_ = nullptr;
      on_exceeded();
      continue;
    }
    if (!wanted_) break;
    if (buffered() > 0 && on_data_) {
      // Hand the held bytes over in one piece; bytes delivered meanwhile (a callback can make the codec parse on)
      // land in the fresh buffer and go out in the next round.
      std::string chunk;
      chunk.swap(buffer_);
      const size_t start = offset_;
      offset_ = 0;
      const size_t n = chunk.size() - start;
      buffered_bytes.fetch_sub(n, std::memory_order_relaxed);
      on_data_(absl::string_view(chunk).substr(start));
      Consumed(n);
      if (buffer_.empty()) {
        chunk.clear();
        buffer_.swap(chunk);  // keep the capacity for the next delivery
      }
      continue;
    }
    if (end_.has_value() && !end_delivered_) {
      end_delivered_ = true;
      on_data_ = nullptr;
      EndCallback on_end = std::move(on_end_);
      on_end_ = nullptr;
      if (on_end) on_end(*end_);
      continue;
    }
    break;
  }
  pumping_ = false;
}

}  // namespace apiserve::http
