#ifndef APISERVE_HTTP2_CODEC_H_
#define APISERVE_HTTP2_CODEC_H_

// http2::Codec: the HTTP/2 server side of one connection, on an nghttp2 server session.
//
// Bytes in → http::Request to the handler once its headers are complete, its body following as an http::RequestBody;
// http::ResponseWriter answers → frames out (see http::ServerCodec for the contract with the server). No sockets, no
// timers.
//
// What it enforces, beyond nghttp2's own RFC 9113 checks (pseudo-headers, uppercase and connection-specific names,
// TE, content-length against DATA; all answered with RST_STREAM(PROTOCOL_ERROR)):
// - a request target must be origin-form ("/…", or "*" for OPTIONS): else RST_STREAM(PROTOCOL_ERROR);
// - header list over Options::max_header_list_size: 431 on the stream (Go's x/net); far over it (an HPACK bomb):
//   GOAWAY(ENHANCE_YOUR_CALM). One field whose HPACK encoding exceeds 64 KiB is nghttp2's own limit
//   (NGHTTP2_HD_MAX_NV) and ends the connection with COMPRESSION_ERROR, not a 431;
// - flow control: automatic WINDOW_UPDATEs are off; the connection window (Options::max_upload_buffer_per_connection())
//   is granted up front, and DATA credit (stream and connection) returns only as the body's reader takes the bytes,
//   so a body nobody reads holds at most the stream window (the body limit is the chain's: chain/filters);
// - a request answered before its body ended: RST_STREAM(NO_ERROR) once the answer is out (RFC 9113 §8.1); what the
//   body held and DATA still arriving are dropped, their credit returned;
// - DATA or HEADERS on a stream the client reset: RST_STREAM(STREAM_CLOSED); frames on a stream we reset are ignored,
//   DATA's credit returned; PRIORITY on any closed stream is accepted (RFC 9113 §5.1; ClosedStreams);
// - floods (Counters): GOAWAY(ENHANCE_YOUR_CALM), Feed returns ResourceExhausted naming the flood.
// Streams beyond max_concurrent_streams: REFUSED_STREAM before the client acknowledged our SETTINGS, connection
// PROTOCOL_ERROR after (nghttp2; RFC 9113 §5.1.2).
//
// Responses: whole (a shared http::Response is sent from the object itself, its body never copied but into frames),
// or streamed with backpressure (drained bytes are reported to the exchange as nghttp2 frames them), with trailers.
// HEAD answers carry no body. A handler's `Connection: close` becomes a graceful GOAWAY after that stream.
//
// Threading: loop-affine (see http::ServerCodec). Ownership: the codec owns its nghttp2 session and its streams;
// every pointer in the CodecContext is borrowed and must outlive it. Destroying the codec completes pending
// exchanges as "client gone".

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "http/response_writer.h"
#include "http/server_codec.h"
#include "http2/closed_streams.h"
#include "http2/counters.h"
#include "http2/flood_guard.h"
#include "http2/frame_scanner.h"
#include "http2/nghttp2_handles.h"
#include "http2/options.h"
#include "http2/response_headers.h"
#include "http2/session_allocator.h"
#include "http2/session_callbacks.h"
#include "http2/stream.h"

namespace apiserve::http2 {

class Codec : public http::ServerCodec, private StreamHost, private SessionEvents {
 public:
  // Create returns a codec that has queued its SETTINGS and connection WINDOW_UPDATE, or InvalidArgument if
  // `options` do not validate, or Internal naming the nghttp2 call that failed.
  static absl::StatusOr<std::unique_ptr<Codec>> Create(http::CodecContext context, Options options);
  ~Codec() override;
  Codec(const Codec&) = delete;
  Codec& operator=(const Codec&) = delete;

  absl::Status Feed(absl::string_view data) override;
  absl::string_view PeekOutput() override;
  void ConsumeOutput(size_t n) override;
  bool WantsRead() const override;
  bool WantsClose() const override;
  // WantsLingeringClose: after our graceful GOAWAY (shutdown, `Connection: close`, kube's unauthenticated-client
  // mitigation) the client may still be sending a body we answered early: drain it for a while, as Go's server
  // does for a second after its GOAWAY, so the kernel does not reset the connection under the answer. Not after a
  // flood or a fatal error.
  bool WantsLingeringClose() const override { return goaway_ == Goaway::kFinal && state_ == State::kOpen; }
  http::CodecPhase phase() const override;
  size_t ActiveRequests() const override { return unanswered_; }
  uint64_t RequestsDispatched() const override { return requests_dispatched_; }
  void BeginShutdown() override;
  void CompleteShutdown() override;
  void OnPeerClosed() override;
  // Always: HTTP/2 has no half-close; a client's EOF ends the connection and its streams.
  bool ClientGoneAtEof() const override { return true; }

  const Counters& counters() const override { return counters_; }
  // Keeps one pooled stream (nghttp2's blocks are recycled by the loop thread, not kept per connection); with no
  // output pending, frees the coalescing buffer and releases the pages of nghttp2's 16 KiB frame buffer
  // (SessionAllocator::ReleaseIdlePages).
  void ReleaseIdleMemory() override;
  // SettingsAcknowledged reports whether the client acknowledged our SETTINGS.
  bool SettingsAcknowledged() const { return settings_acked_; }
  const Options& options() const { return options_; }

 private:
  Codec(http::CodecContext context, Options options);
  absl::Status Init();

  // FindStream returns the stream of `id` nghttp2 knows, or null. The last answer is remembered: a request's
  // header fields, its HEADERS frame and its stream close arrive one after the other for the same id, and each
  // nghttp2 lookup is a hash probe that misses the cache. Only OnBeginHeaders and OnStreamClose change the answer.
  Stream* FindStream(int32_t id) const;
  void ForgetFoundStream(int32_t id) const {
    if (found_stream_id_ == id) found_stream_id_ = 0;
  }

  // --- SessionEvents: nghttp2's callbacks (codec.cc) ---
  int OnBeginFrame(const nghttp2_frame_hd& hd) override;
  int OnBeginHeaders(const nghttp2_frame& frame) override;
  int OnHeader(const nghttp2_frame& frame, absl::string_view name, absl::string_view value) override;
  int OnInvalidHeader(const nghttp2_frame& frame, absl::string_view name) override;
  int OnDataChunk(int32_t stream_id, absl::string_view data) override;
  int OnFrameRecv(const nghttp2_frame& frame) override;
  int OnInvalidFrameRecv(const nghttp2_frame& frame, int lib_error_code) override;
  int OnFrameSend(const nghttp2_frame& frame) override;
  int OnStreamClose(int32_t stream_id, uint32_t error_code) override;
  // HandleFrame acts on a received frame the flood guard let through: a request's head or end, SETTINGS' ACK.
  void HandleFrame(const nghttp2_frame& frame);

  // --- Request side (codec_streams.cc), called from the events above ---
  void OnRequestHead(Stream* stream, bool end_stream);
  // OnRequestComplete: END_STREAM arrived (DATA or trailers): the body, if any, is complete.
  void OnRequestComplete(Stream* stream);
  void RejectHeaderListTooLarge(Stream* stream);
  void DispatchReady();
  void Dispatch(Stream* stream);
  // --- Session side (codec.cc) ---
  // Flood acts on the flood guard's verdict: GOAWAY(ENHANCE_YOUR_CALM) once, remembering why (Feed reports it).
  // Inside nghttp2_session_mem_recv it only records the flood; Feed calls Terminate when mem_recv returns.
  void Flood(const FloodVerdict& flood);
  // Terminate queues GOAWAY(ENHANCE_YOUR_CALM) and makes nghttp2 ignore all further input. Not inside mem_recv.
  void Terminate();
  // FailFatal makes the session unusable: flush what is queued, then close; Feed reports `status`.
  void FailFatal(absl::Status status);
  // FailInternal is FailFatal for a failed nghttp2 call (`status` names it): logged and counted
  // (CodecCounters::internal_errors).
  void FailInternal(absl::Status status);
  // Receive has nghttp2 parse `data` (part of what Feed got), then handles a flood or error it reported.
  void Receive(absl::string_view data);
  // AnswerStreamClosed resets `stream_id` with STREAM_CLOSED: DATA or HEADERS arrived after the client reset it
  // (Feed finds them with scanner_ and closed_streams_).
  void AnswerStreamClosed(int32_t stream_id);
  // OnErrorGoawaySent records why nghttp2 closed the connection (a protocol error, or a flood it caught itself).
  void OnErrorGoawaySent(const nghttp2_goaway& goaway);
  // FillOutput serializes queued frames into out_ (small ones) or borrowed_ (one large one).
  void FillOutput();
  absl::Time Now() const;

  // --- StreamHost: the response side, called by streams on the loop (codec_streams.cc) ---
  void SubmitHead(Stream* stream, int status, const http::HeaderMap& headers, const ResponseHeaderBlock::Extras& extras,
                  bool with_body) override;
  void SubmitTrailers(Stream* stream, const http::HeaderMap& trailers) override;
  void ResumeData(Stream* stream) override;
  void ResetStream(Stream* stream, uint32_t error_code) override;
  void OnHandlerAnswered(Stream* stream) override;
  // OnResponseComplete: the final answer was submitted; a body still arriving is discarded (RST_STREAM(NO_ERROR)
  // once the answer is out).
  void OnResponseComplete(Stream* stream) override;

  // Request bodies. OnBodyConsumed returns `n` bytes of credit on the stream and the connection; DetachBody ends the
  // body of a closing stream (Cancelled if unfinished) and returns the connection credit it held. Readers run only
  // from PumpBodies, which SchedulePump calls at once unless nghttp2 is parsing or serializing (then Feed and
  // FillOutput call it when nghttp2 returns).
  void OnBodyConsumed(Stream* stream, size_t n) override;
  void DetachBody(Stream* stream);
  void SchedulePump(std::shared_ptr<http::RequestBody> body);
  void PumpBodies();
  void OutputReady();

  const http::CodecContext context_;
  const Options options_;
  // The time of the read being handled (Feed): received_time of its requests, Date of the answers given at once.
  base::BatchClock batch_clock_{context_.clock};
  SessionAllocator allocator_;  // declared before session_: outlives it
  SessionPtr session_;

  StreamPool streams_;
  mutable int32_t found_stream_id_ = 0;  // FindStream's memory: 0 (no stream has id 0), or found_stream_'s id
  mutable Stream* found_stream_ = nullptr;
  std::vector<int32_t> ready_;  // request head complete, to dispatch once nghttp2 returns
  std::vector<std::shared_ptr<http::RequestBody>> bodies_to_pump_;
  // Requests dispatched whose handler has not answered; exchanges of those whose stream already closed (the
  // handler may still be working on them: rapid reset).
  size_t unanswered_ = 0;
  std::vector<std::weak_ptr<http::Exchange>> orphans_;

  // Output: small frames are coalesced into out_; a large frame is passed through from nghttp2's buffer.
  std::string out_;
  size_t out_offset_ = 0;
  absl::string_view borrowed_;

  ResponseHeaderBlock header_block_;
  Counters counters_;
  FloodGuard flood_guard_;  // decides on floods; counts into counters_
  FrameScanner scanner_;
  ClosedStreams closed_streams_;
  absl::Status error_;  // the first fatal or flood error, reported by Feed
  bool in_feed_ = false;
  bool in_recv_ = false;               // inside nghttp2_session_mem_recv (its callbacks)
  bool in_fill_ = false;               // inside nghttp2_session_mem_send (its callbacks)
  bool terminate_after_recv_ = false;  // a flood was caught in a callback: terminate once mem_recv returns
  bool settings_acked_ = false;
  // How far the connection's GOAWAY has gone; it only moves forward.
  enum class Goaway {
    kNone,
    kNotice,  // the shutdown notice (GOAWAY with the maximum stream id)
    kFinal,   // GOAWAY(NO_ERROR) with the last stream id: the connection closes when its streams are done
    kCalm,    // GOAWAY(ENHANCE_YOUR_CALM): ours after a flood, or nghttp2's; nothing later is submitted
  };
  Goaway goaway_ = Goaway::kNone;
  // Whether the session can still be used; it only moves forward (Escalate).
  enum class State {
    kOpen,
    kFatal,         // unusable: read nothing, flush what is queued, then close; Feed reports error_
    kOutputFailed,  // nghttp2_session_mem_send failed: nothing more can be sent either
    kPeerClosed,    // the peer is gone: no input, no output
  };
  State state_ = State::kOpen;
  void Escalate(State state) {
    if (state > state_) state_ = state;
  }
  int32_t close_after_stream_ = 0;
  uint64_t requests_dispatched_ = 0;
};

}  // namespace apiserve::http2

#endif  // APISERVE_HTTP2_CODEC_H_
