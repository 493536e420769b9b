#ifndef APISERVE_HTTP2_STREAM_H_
#define APISERVE_HTTP2_STREAM_H_

// http2::Stream: one HTTP/2 request/response of an http2::Codec. It collects the request while it arrives, is the
// http::ResponseSink of the request's exchange once dispatched, and is the data source nghttp2 reads the response
// body from. Pooled by the codec; never freed while its exchange may still call it (the codec calls
// Exchange::OnClientGone first). Loop thread only.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "http/chunk_queue.h"
#include "http/header_map.h"
#include "http/request.h"
#include "http/request_body.h"
#include "http/response.h"
#include "http/response_writer.h"
#include "http2/response_headers.h"
#include "nghttp2/nghttp2.h"

namespace apiserve::http2 {

class Stream;

// StreamHost is what a stream asks of its codec (implemented by http2::Codec). Loop thread.
class StreamHost {
 public:
  // SubmitHead queues the response head (and, `with_body`, the stream as its data source).
  virtual void SubmitHead(Stream* stream, int status, const http::HeaderMap& headers,
                          const ResponseHeaderBlock::Extras& extras, bool with_body) = 0;
  // SubmitTrailers queues the trailers; called while nghttp2 reads the last body bytes.
  virtual void SubmitTrailers(Stream* stream, const http::HeaderMap& trailers) = 0;
  // ResumeData wakes nghttp2 for a stream whose data source was deferred.
  virtual void ResumeData(Stream* stream) = 0;
  // ResetStream queues RST_STREAM(`error_code`).
  virtual void ResetStream(Stream* stream, uint32_t error_code) = 0;
  // OnHandlerAnswered: the handler's final call arrived. OnResponseComplete: the answer is submitted in full.
  virtual void OnHandlerAnswered(Stream* stream) = 0;
  virtual void OnResponseComplete(Stream* stream) = 0;
  // OnBodyConsumed: the request body's reader took `n` bytes (flow-control credit returns).
  virtual void OnBodyConsumed(Stream* stream, size_t n) = 0;

 protected:
  ~StreamHost() = default;
};

class Stream : public http::ResponseSink, public http::BodySource {
 public:
  explicit Stream(StreamHost* host) : host_(host) {}

  // Start readies a pooled stream for `stream_id`; Clear returns it to the pool's state.
  void Start(int32_t stream_id);
  void Clear();
  // AddHeader records one decoded request field (pseudo-headers into the request's method, target, authority and
  // scheme).
  void AddHeader(absl::string_view name, absl::string_view value);

  // --- http::ResponseSink (loop thread, from the exchange) ---
  void SendResponse(http::ResponsePtr r, absl::Span<const http::HeaderField> extra_headers) override;
  void SendHead(int status, http::HeaderMap headers, bool end_stream) override;
  void SendBody(std::string data, bool end_stream) override;
  void SendTrailers(http::HeaderMap t) override;
  void Abort() override;

  // --- http::BodySource (loop thread, from the request body) ---
  void OnBodyConsumed(size_t n) override { host_->OnBodyConsumed(this, n); }

  // Read fills `buf` with up to `length` body bytes for nghttp2 (see nghttp2_data_source_read_callback).
  ssize_t Read(uint8_t* buf, size_t length, uint32_t* flags);
  static ssize_t ReadCallback(nghttp2_session* session, int32_t stream_id, uint8_t* buf, size_t length,
                              uint32_t* data_flags, nghttp2_data_source* source, void* user_data);

  int32_t id = 0;
  http::RequestPtr request;  // until dispatched
  std::shared_ptr<http::Exchange> exchange;
  size_t header_bytes = 0;  // RFC 9113 header list size decoded so far
  // The request body (null without one) and how many of its DATA bytes it holds: flow-control credit not yet
  // returned to the client (stream and connection windows).
  std::shared_ptr<http::RequestBody> body;
  uint64_t body_held = 0;
  bool head_request = false;
  bool too_large = false;  // header list over the limit: answered 431
  bool rejected = false;   // answered by the codec (431) or reset: the body is discarded
  bool dispatched = false;
  bool answered = false;  // the handler's final call arrived (or the codec answered)
  bool deferred = false;  // nghttp2 holds our data source deferred
  bool body_finished = false;
  bool has_trailers = false;
  bool no_body = false;           // streamed answer whose body is not sent (HEAD, 204, 304)
  bool reset_after_send = false;  // send RST_STREAM(NO_ERROR) once the response is out
  http::ResponsePtr response;     // a whole response being sent, read in place
  size_t response_offset = 0;
  http::ChunkQueue<std::string> chunks;  // streamed body not yet framed
  size_t chunk_offset = 0;
  http::HeaderMap trailers;
  Stream* prev = nullptr;  // the codec's list of live streams
  Stream* next = nullptr;

 private:
  StreamHost* const host_;
};

// StreamPool owns a codec's streams: the live ones, linked (for walking them all: OnPeerClosed), and up to
// `max_idle` cleared ones kept for reuse. Destroying the pool frees every stream: the caller first makes sure no
// exchange can call one (Exchange::OnClientGone).
class StreamPool {
 public:
  StreamPool(StreamHost* host, size_t max_idle) : host_(host), max_idle_(max_idle) {}
  ~StreamPool();
  StreamPool(const StreamPool&) = delete;
  StreamPool& operator=(const StreamPool&) = delete;

  // Acquire returns a started stream for `id`, linked as live.
  Stream* Acquire(int32_t id);
  // Release unlinks and clears `stream`, keeping it for reuse or freeing it.
  void Release(Stream* stream);
  // Trim frees the kept streams but one.
  void Trim();
  // first_live is the first live stream (follow Stream::next), or null.
  Stream* first_live() const { return live_head_; }
  size_t live() const { return live_; }

 private:
  StreamHost* const host_;
  const size_t max_idle_;
  std::vector<std::unique_ptr<Stream>> free_;
  Stream* live_head_ = nullptr;
  size_t live_ = 0;
};

}  // namespace apiserve::http2

#endif  // APISERVE_HTTP2_STREAM_H_
