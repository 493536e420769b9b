#ifndef APISERVE_HTTP_REQUEST_BODY_H_
#define APISERVE_HTTP_REQUEST_BODY_H_

// http::RequestBody: the body of one request, as it arrives (DESIGN §4).
//
// Requests reach the handler chain when their headers are complete; a request with a body carries a RequestBody
// (Request::body_stream) that the codec fills as bytes arrive and the handler reads when it wants them:
//
//   http::ReadBody(request, [request, writer = std::move(writer)](absl::Status status) mutable {
//     if (!status.ok()) return;          // over the limit (the chain answered 413), client gone, or answered
//     ... request->body holds the whole body ...
//   });
//
// or piece by piece with Read(on_data, on_end). Nothing is read ahead beyond what the codec's flow control allows:
// the codec grants the client more (HTTP/2 WINDOW_UPDATE; HTTP/1.1 reads on) only as the reader takes bytes, so a
// body nobody reads holds at most one window. Every byte delivered is reported back to the codec exactly once
// (BodySource::OnBodyConsumed): when the reader takes it, or when it is dropped (the response completed first, the
// body went over its limit, or failed).
//
// Threading: loop-affine. The codec and the reader call it on the connection's loop; a handler that moved to another
// thread posts back to request->executor before reading. Callbacks run on the loop, never inside the codec's parser
// (the codec calls Pump once its parser has returned).

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace apiserve::http {

// kDefaultMaxBodyBytes bounds ReadBody when no limit was set (kube's --max-request-body-bytes default, 3 MiB).
inline constexpr uint64_t kDefaultMaxBodyBytes = uint64_t{3} << 20;
// kNoBodyLimit, given to SetLimit, lifts the limit (kube's --max-request-body-bytes=0).
inline constexpr uint64_t kNoBodyLimit = std::numeric_limits<uint64_t>::max();

// BodySource is the codec's side of a body (an HTTP/2 stream, the HTTP/1.1 connection). Loop thread only.
class BodySource {
 public:
  virtual ~BodySource() = default;
  // OnBodyConsumed: `n` delivered bytes are no longer held (taken by the reader or dropped): grant that much again.
  virtual void OnBodyConsumed(size_t n) = 0;
  // OnBodyWanted: the first Read. HTTP/1.1 answers `Expect: 100-continue` now, not before.
  virtual void OnBodyWanted() {}
};

class RequestBody {
 public:
  using DataCallback = absl::AnyInvocable<void(absl::string_view chunk)>;
  using EndCallback = absl::AnyInvocable<void(absl::Status status)>;

  // `source` is borrowed until DetachSource; `content_length` is the announced length, if any.
  RequestBody(BodySource* source, std::optional<uint64_t> content_length);
  ~RequestBody();
  RequestBody(const RequestBody&) = delete;
  RequestBody& operator=(const RequestBody&) = delete;

  // --- codec side ---
  // Deliver: `data` arrived. Kept for the reader, or, once the body is discarded, over its limit or finished,
  // dropped at once (and reported consumed).
  void Deliver(absl::string_view data);
  // Finish: every byte arrived (OK), or the body failed: the client reset the stream or left (Cancelled), the
  // framing was malformed (InvalidArgument). Later calls are ignored.
  void Finish(absl::Status status);
  // Discard: the response is complete and nobody will read the rest: drops what is held; the reader, if any, ends
  // with FailedPrecondition. Deliveries after it are dropped.
  void Discard();
  // Pump hands what is held to the reader, then the end, and runs the limit callback. The codec calls it after
  // Deliver, Finish or Discard, once its parser has returned.
  void Pump();
  // DetachSource: the codec is done with the body; OnBodyConsumed is not called any more. A body not finished
  // then fails with Cancelled (and the reader learns on the next Pump, which this runs).
  void DetachSource();

  // How many bytes are held for the reader now; how many arrived in all.
  size_t buffered() const { return buffer_.size() - offset_; }
  uint64_t received() const { return received_; }
  // finished: Finish was called or the body failed (over the limit, discarded).
  bool finished() const { return end_.has_value(); }
  bool complete() const { return end_.has_value() && end_->ok(); }
  bool discarded() const { return discarded_; }
  std::optional<uint64_t> content_length() const { return content_length_; }
  // wanted: the reader asked for the body (Read was called).
  bool wanted() const { return wanted_; }

  // --- reader side ---
  // Read delivers the body to `on_data` as it arrives (what is held first, possibly before Read returns), then
  // calls `on_end` once: OK after the last byte, ResourceExhausted over the limit, Cancelled when the client went
  // away, FailedPrecondition when the response completed first. A chunk is consumed when `on_data` returns. One
  // reader per body: a second Read gets FailedPrecondition at once through its `on_end`.
  void Read(DataCallback on_data, EndCallback on_end);
  // SetLimit bounds the body: a byte past `limit` drops what is held, ends the body with ResourceExhausted
  // (`request body exceeds the limit of <limit> bytes`) and runs `on_exceeded` once, from Pump. The chain's body
  // limit filter uses it to answer 413. kNoBodyLimit lifts it.
  void SetLimit(uint64_t limit, absl::AnyInvocable<void()> on_exceeded = nullptr);
  // limit is the limit set, or nullopt if none was.
  std::optional<uint64_t> limit() const { return limit_; }

 private:
  void DropHeld();
  void Consumed(size_t n);

  BodySource* source_;
  const std::optional<uint64_t> content_length_;
  std::string buffer_;
  size_t offset_ = 0;
  uint64_t received_ = 0;
  std::optional<uint64_t> limit_;
  absl::AnyInvocable<void()> on_exceeded_;
  bool exceeded_ = false;
  bool discarded_ = false;
  bool wanted_ = false;
  bool pumping_ = false;
  bool end_delivered_ = false;
  std::optional<absl::Status> end_;
  DataCallback on_data_;
  EndCallback on_end_;
};

// BufferedRequestBodyBytes is the number of request body bytes held by every RequestBody of this process, waiting
// for their readers (the server's own accounting of what unread bodies cost; exported in /metrics).
uint64_t BufferedRequestBodyBytes();

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_REQUEST_BODY_H_
