#include "http/response_writer.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/object_pool.h"

namespace apiserve::http {
namespace {

absl::Status AlreadyCompleted() { return absl::FailedPreconditionError("response already completed"); }

ResponsePtr DroppedWriterResponse() {
  static const ResponsePtr* const response =
      new ResponsePtr(Shared(TextResponse(500, "Internal Server Error: the handler did not answer\n")));
  return *response;
}

}  // namespace

void Exchange::ResetForReuse(Exchange* exchange) {
  exchange->loop_ = nullptr;
  exchange->high_water_mark_ = 0;
  exchange->state_.store(kOpen, std::memory_order_relaxed);
  exchange->buffered_.store(0, std::memory_order_relaxed);
  exchange->pending_posts_.store(0, std::memory_order_relaxed);
  exchange->sink_ = nullptr;
  exchange->status_ = 0;
  exchange->body_bytes_ = 0;
  exchange->completed_ = false;
  exchange->completion_ = Completion();
  exchange->hooks_.clear();
  exchange->on_writable_ = nullptr;
  exchange->ClearDecorations();
  exchange->decorations_.ReleaseLargeSlots(/*max_bytes=*/1024);
}

std::shared_ptr<Exchange> NewExchange(base::Executor* loop, ResponseSink* sink, size_t high_water_mark) {
  using Pool = base::ObjectPool<Exchange, &Exchange::ResetForReuse, /*kMaxIdle=*/128>;
  std::shared_ptr<Exchange> exchange = Pool::Acquire();
  exchange->loop_ = loop;
  exchange->sink_ = sink;
  exchange->high_water_mark_ = high_water_mark;
  return exchange;
}

bool Exchange::CanRunNow() const {
  return loop_ == nullptr || (pending_posts_.load(std::memory_order_acquire) == 0 && loop_->IsExecutorThread());
}

void Exchange::PostToLoop(const Self& self, absl::AnyInvocable<void()> fn) {
  pending_posts_.fetch_add(1, std::memory_order_acq_rel);
  loop_->Post([self, fn = std::move(fn)]() mutable {
    self->pending_posts_.fetch_sub(1, std::memory_order_acq_rel);
    fn();
  });
}

void Exchange::Complete(CompletionReason reason) {
  if (completed_) return;
  completed_ = true;
  completion_ = Completion{status_, body_bytes_, reason};
  on_writable_ = nullptr;
  // In place, by index: a hook that adds a hook now (completed_ is set) runs it at once instead of appending, so
  // the list does not change under the loop; moving the list out would cost every hook a move and a destruction.
  for (size_t i = 0; i < hooks_.size(); ++i) hooks_[i](completion_);
  hooks_.clear();
}

absl::Status Exchange::Send(const Self& self, ResponsePtr response) {
  int expected = kOpen;
  if (!state_.compare_exchange_strong(expected, kDone, std::memory_order_acq_rel)) return AlreadyCompleted();
  RunOnLoop(self, [this, response = std::move(response)]() mutable {
    if (!decorations_.empty() && !KeepExtraHeaders(response->headers)) {
      auto decorated = std::make_shared<Response>(*response);  // rare: a filter overrides the handler's header
      Decorate(&decorated->headers);
      response = std::move(decorated);
    }
    status_ = response->status;
    body_bytes_ = response->body.size();
    if (sink_ != nullptr) {
      ResponseSink* sink = sink_;
      sink_ = nullptr;
      sink->SendResponse(std::move(response), decorations_.fields());
    }
    ClearDecorations();
    Complete(CompletionReason::kAnswered);
  });
  return absl::OkStatus();
}

absl::Status Exchange::WriteHead(const Self& self, int status, HeaderMap headers) {
  int expected = kOpen;
  if (!state_.compare_exchange_strong(expected, kStreaming, std::memory_order_acq_rel)) {
    return expected == kStreaming ? absl::FailedPreconditionError("response head already sent") : AlreadyCompleted();
  }
  RunOnLoop(self, [this, status, headers = std::move(headers)]() mutable {
    Decorate(&headers);
    status_ = status;
    if (sink_ != nullptr) sink_->SendHead(status, std::move(headers), /*end_stream=*/false);
  });
  return absl::OkStatus();
}

absl::Status Exchange::Write(const Self& self, std::string data) {
  const int state = state_.load(std::memory_order_acquire);
  if (state == kOpen) return absl::FailedPreconditionError("Write before WriteHead");
  if (state == kDone) return AlreadyCompleted();
  if (data.empty()) return absl::OkStatus();
  const size_t buffered = buffered_.load(std::memory_order_acquire);
  if (buffered >= high_water_mark_) {
    return absl::ResourceExhaustedError(absl::StrCat("response buffer holds ", buffered, " bytes (high-water mark ",
                                                     high_water_mark_, "); retry after OnWritable"));
  }
  buffered_.fetch_add(data.size(), std::memory_order_acq_rel);
  RunOnLoop(self, [this, data = std::move(data)]() mutable {
    body_bytes_ += data.size();
    if (sink_ != nullptr) sink_->SendBody(std::move(data), /*end_stream=*/false);
  });
  return absl::OkStatus();
}

absl::Status Exchange::Finish(const Self& self, HeaderMap trailers) {
  int expected = kStreaming;
  if (!state_.compare_exchange_strong(expected, kDone, std::memory_order_acq_rel)) {
    return expected == kOpen ? absl::FailedPreconditionError("Finish before WriteHead") : AlreadyCompleted();
  }
  RunOnLoop(self, [this, trailers = std::move(trailers)]() mutable {
    if (sink_ != nullptr) {
      ResponseSink* sink = sink_;
      sink_ = nullptr;
      if (trailers.empty()) {
        sink->SendBody(std::string(), /*end_stream=*/true);
      } else {
        sink->SendTrailers(std::move(trailers));
      }
    }
    Complete(CompletionReason::kAnswered);
  });
  return absl::OkStatus();
}

absl::Status Exchange::Abort(const Self& self) {
  int expected = kStreaming;
  if (!state_.compare_exchange_strong(expected, kDone, std::memory_order_acq_rel)) {
    return expected == kOpen ? absl::FailedPreconditionError("nothing sent yet: answer instead of aborting")
                             : AlreadyCompleted();
  }
  RunOnLoop(self, [this] {
    if (sink_ != nullptr) {
      ResponseSink* sink = sink_;
      sink_ = nullptr;
      sink->Abort();
    }
    Complete(CompletionReason::kAborted);
  });
  return absl::OkStatus();
}

void Exchange::AddResponseHeader(const Self& self, absl::string_view name, absl::string_view value,
                                 bool only_if_absent) {
  if (CanRunNow()) {
    AddDecoration(name, value, only_if_absent);
    return;
  }
  PostToLoop(self, [this, name = std::string(name), value = std::string(value), only_if_absent] {
    AddDecoration(name, value, only_if_absent);
  });
}

void Exchange::AddDecoration(absl::string_view name, absl::string_view value, bool only_if_absent) {
  absl::Span<const HeaderField> fields = decorations_.fields();
  for (size_t i = 0; i < fields.size(); ++i) {
    if (!HeaderNameEquals(fields[i].name, name)) continue;
    if (!only_if_absent) {  // a later Set wins over an earlier decoration of the same name
      decorations_.Set(name, value);
      decoration_if_absent_[i] = false;
    }
    return;
  }
  decorations_.Add(name, value);
  decoration_if_absent_.push_back(only_if_absent);
}

void Exchange::Decorate(HeaderMap* headers) {
  absl::Span<const HeaderField> fields = decorations_.fields();
  for (size_t i = 0; i < fields.size(); ++i) {
    if (decoration_if_absent_[i]) {
      headers->SetIfAbsent(fields[i].name, fields[i].value);
    } else {
      headers->Set(fields[i].name, fields[i].value);
    }
  }
  ClearDecorations();
}

bool Exchange::KeepExtraHeaders(const HeaderMap& headers) {
  absl::Span<const HeaderField> fields = decorations_.fields();
  bool drop_any = false;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (!headers.Has(fields[i].name)) continue;
    if (!decoration_if_absent_[i]) return false;
    drop_any = true;
  }
  if (drop_any) {
    // Drop the only-if-absent decorations the handler's headers already carry, and their flags with them (RemoveIf
    // visits the fields in order, once each).
    size_t visited = 0;
    size_t kept = 0;
    decorations_.RemoveIf([&](const HeaderField& field) {
      const bool if_absent = decoration_if_absent_[visited++];
      if (headers.Has(field.name)) return true;  // only if_absent ones get here: forced ones returned false above
      decoration_if_absent_[kept++] = if_absent;
      return false;
    });
    decoration_if_absent_.resize(kept);
  }
  return true;
}

void Exchange::ClearDecorations() {
  decorations_.clear();
  decoration_if_absent_.clear();
}

void Exchange::OnBytesDrained(size_t n) {
  const size_t before = buffered_.fetch_sub(n, std::memory_order_acq_rel);
  const size_t now = before - n;
  if (on_writable_ && now <= high_water_mark_ / 2) {
    auto callback = std::move(on_writable_);
    on_writable_ = nullptr;
    callback();
  }
}

void Exchange::OnClientGone() {
  sink_ = nullptr;
  state_.store(kDone, std::memory_order_release);
  Complete(CompletionReason::kClientGone);
}

void Exchange::OnWritable(const Self& self, absl::AnyInvocable<void()> callback) {
  RunOnLoop(self, [this, callback = std::move(callback)]() mutable {
    if (completed_) return;
    if (buffered_.load(std::memory_order_acquire) <= high_water_mark_ / 2) {
      callback();
    } else {
      on_writable_ = std::move(callback);
    }
  });
}

void Exchange::OnComplete(const Self& self, absl::AnyInvocable<void(const Completion&)>&& hook) {
  if (CanRunNow()) {  // the common case, inline: no capture to move the hook through
    AddHook(std::move(hook));
    return;
  }
  PostToLoop(self, [this, hook = std::move(hook)]() mutable { AddHook(std::move(hook)); });
}

void Exchange::AddHook(absl::AnyInvocable<void(const Completion&)>&& hook) {
  if (completed_) {
    hook(completion_);
  } else {
    hooks_.push_back(std::move(hook));
  }
}

ResponseWriter& ResponseWriter::operator=(ResponseWriter&& other) {
  if (this != &other) {
    Release();
    exchange_ = std::move(other.exchange_);
  }
  return *this;
}

void ResponseWriter::Release() {
  if (!exchange_) return;
  std::shared_ptr<Exchange> exchange = std::move(exchange_);
  if (exchange->done()) return;
  // Destroyed while a handler's exception unwinds: the panic-recovery filter answers (kube's 500 body), not us.
  if (std::uncaught_exceptions() > 0) return;
  if (exchange->head_sent()) {
    exchange->Abort(exchange).IgnoreError();
  } else {
    exchange->Send(exchange, DroppedWriterResponse()).IgnoreError();
  }
}

}  // namespace apiserve::http
