#include "http2/codec.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/logger.h"
#include "http/request.h"
#include "http/response.h"

namespace apiserve::http2 {
namespace {

// Frames at least this large are handed to the server straight from nghttp2's buffer; smaller ones are coalesced.
constexpr size_t kPassThroughBytes = 4096;
// Coalesced output is handed over once it reaches this size.
constexpr size_t kCoalesceBytes = 64 * 1024;

}  // namespace

absl::StatusOr<std::unique_ptr<Codec>> Codec::Create(http::CodecContext context, Options options) {
  if (absl::Status status = options.Validate(); !status.ok()) return status;
  std::unique_ptr<Codec> codec(new Codec(std::move(context), std::move(options)));
  if (absl::Status status = codec->Init(); !status.ok()) return status;
  return codec;
}

Codec::Codec(http::CodecContext context, Options options)
    : context_(std::move(context)),
      options_(options),
      streams_(this, options_.max_concurrent_streams),
      flood_guard_(options_, context_.clock, &counters_) {}

absl::Status Codec::Init() {
  const nghttp2_session_callbacks* callbacks = SessionCallbacks();
  if (callbacks == nullptr) return absl::InternalError("nghttp2_session_callbacks_new failed");
  absl::StatusOr<OptionPtr> option = NewOption();
  if (!option.ok()) return option.status();
  nghttp2_option* opt = option->get();
  nghttp2_option_set_no_auto_window_update(opt, 1);
  nghttp2_option_set_no_closed_streams(opt, 1);
  nghttp2_option_set_max_continuations(opt, options_.max_continuations());
  // Our own bucket (FloodGuard) answers ENHANCE_YOUR_CALM and counts; nghttp2's, twice as loose, stays as a
  // backstop (it answers INTERNAL_ERROR).
  nghttp2_option_set_stream_reset_rate_limit(opt, 2 * options_.flood.reset_burst,
                                             2 * options_.flood.reset_rate_per_second);
  nghttp2_option_set_max_outbound_ack(opt, options_.flood.max_outbound_ack);
  nghttp2_option_set_max_settings(opt, options_.flood.max_settings_entries);
  nghttp2_option_set_max_deflate_dynamic_table_size(opt, options_.flood.header_table_size);

  nghttp2_session* session = nullptr;
  if (absl::Status status = NghttpError(
          "nghttp2_session_server_new3",
          nghttp2_session_server_new3(&session, callbacks, static_cast<SessionEvents*>(this), opt, allocator_.mem()));
      !status.ok()) {
    return status;
  }
  session_.reset(session);
  allocator_.MarkScratchBuffers();  // nghttp2's frame buffer: ReleaseIdleMemory gives its pages back

  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, options_.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, options_.max_upload_buffer_per_stream},
      {NGHTTP2_SETTINGS_MAX_FRAME_SIZE, options_.max_read_frame_size},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, options_.max_header_list_size},
      {NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, options_.flood.header_table_size},
  };
  if (absl::Status status = NghttpError(
          "nghttp2_submit_settings",
          nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings, sizeof(settings) / sizeof(settings[0])));
      !status.ok()) {
    return status;
  }
  // The connection window is granted up front (Go's MaxUploadBufferPerConnection); Validate keeps it ≤ 2^31-1.
  return NghttpError(
      "nghttp2_session_set_local_window_size",
      nghttp2_session_set_local_window_size(session, NGHTTP2_FLAG_NONE, 0,
                                            static_cast<int32_t>(options_.max_upload_buffer_per_connection())));
}

Codec::~Codec() {
  OnPeerClosed();
  session_.reset();  // frees nghttp2's streams without calling back; streams_ then frees ours
}

void Codec::ReleaseIdleMemory() {
  streams_.Trim();
  // The output buffers hold nothing live once everything serialized was taken and nghttp2 has nothing queued (no
  // frame half serialized in its frame buffer): free out_, and give back the frame buffer's pages, which the next
  // frame faults in again.
  if (in_feed_ || in_fill_ || state_ != State::kOpen || goaway_ != Goaway::kNone) return;
  if (out_offset_ != out_.size() || !borrowed_.empty() || nghttp2_session_want_write(session_.get()) != 0) return;
  std::string().swap(out_);
  out_offset_ = 0;
  allocator_.ReleaseIdlePages();
}

Stream* Codec::FindStream(int32_t id) const {
  if (id != found_stream_id_ || id == 0) {
    found_stream_ = static_cast<Stream*>(nghttp2_session_get_stream_user_data(session_.get(), id));
    found_stream_id_ = id;
  }
  return found_stream_;
}

void Codec::Flood(const FloodVerdict& flood) {
  if (goaway_ == Goaway::kCalm) return;
  goaway_ = Goaway::kCalm;
  ++counters_.flood(flood.kind);
  error_ = absl::ResourceExhaustedError(absl::StrCat("HTTP/2 flood: ", flood.what, "; sent GOAWAY(ENHANCE_YOUR_CALM)"));
  VLOG(2) << error_.message();
  if (in_recv_) {
    // Not from inside nghttp2_session_mem_recv: after some frames (an empty DATA frame) nghttp2 resets its input
    // state when the callback returns and parses on; a protocol error it finds later then trips its assertion that
    // a terminated session ignores all input. The callback fails instead (OnFrameRecv; OnBeginFrame as a backstop),
    // which stops mem_recv, and Feed terminates once it returns.
    terminate_after_recv_ = true;
    return;
  }
  Terminate();
}

void Codec::Terminate() {
  const int rv = nghttp2_session_terminate_session(session_.get(), NGHTTP2_ENHANCE_YOUR_CALM);
  if (rv != 0) FailInternal(NghttpError("nghttp2_session_terminate_session", rv));
  OutputReady();
}

void Codec::FailFatal(absl::Status status) {
  if (error_.ok()) error_ = std::move(status);
  Escalate(State::kFatal);
}

void Codec::FailInternal(absl::Status status) {
  ++counters_.internal_errors;
  LOG(ERROR) << "Closing the HTTP/2 connection from "
             << (context_.connection != nullptr ? context_.connection->remote_address : "") << ": " << status.message();
  FailFatal(std::move(status));
}

void Codec::OutputReady() {
  if (!in_feed_ && state_ != State::kPeerClosed && context_.callbacks != nullptr) context_.callbacks->OnOutputReady();
}

absl::Status Codec::Feed(absl::string_view data) {
  if (state_ >= State::kFatal) return error_;
  in_feed_ = true;
  batch_clock_.BeginBatch();
  // nghttp2 parses up to each frame the scanner must answer (ScanFrameHeaders), then the rest.
  size_t parsed = 0;
  scanner_.Scan(data, [&](const FrameHeader& header, size_t header_end) {
    if (header.type == NGHTTP2_RST_STREAM) closed_streams_.OnPeerReset(header.stream_id);
    if (header.type != NGHTTP2_DATA && header.type != NGHTTP2_HEADERS) return;
    if (!closed_streams_.TakeStreamClosedAnswer(header.stream_id)) return;
    Receive(data.substr(parsed, header_end - parsed));
    parsed = header_end;
    AnswerStreamClosed(header.stream_id);
  });
  Receive(data.substr(parsed));
  DispatchReady();
  PumpBodies();
  // Serialize what is queued now: the server pulls it next anyway, and a connection error that nghttp2 found shows
  // only when its GOAWAY is framed (OnErrorGoawaySent), which lets Feed report it.
  FillOutput();
  batch_clock_.EndBatch();
  in_feed_ = false;
  return error_;
}

void Codec::Receive(absl::string_view data) {
  if (data.empty() || state_ >= State::kFatal) return;
  in_recv_ = true;
  const ssize_t rv =
      nghttp2_session_mem_recv(session_.get(), reinterpret_cast<const uint8_t*>(data.data()), data.size());
  in_recv_ = false;
  if (terminate_after_recv_) {
    terminate_after_recv_ = false;
    Terminate();
  }
  if (rv >= 0) return;
  const int code = static_cast<int>(rv);
  if (code == NGHTTP2_ERR_FLOODED || code == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS) {
    Flood(*flood_guard_.OnLibraryError(code));
  } else if (code == NGHTTP2_ERR_BAD_CLIENT_MAGIC) {
    FailFatal(
        absl::InvalidArgumentError(absl::StrCat("HTTP/2: bad client connection preface: ", nghttp2_strerror(code))));
    if (const int terminated = nghttp2_session_terminate_session(session_.get(), NGHTTP2_PROTOCOL_ERROR);
        terminated != 0) {
      FailInternal(NghttpError("nghttp2_session_terminate_session", terminated));
    }
  } else if (goaway_ != Goaway::kCalm && state_ < State::kFatal) {
    FailInternal(NghttpError("nghttp2_session_mem_recv", code));
  }
  // The session's input side is unusable after an error: read nothing more, flush the GOAWAY, close.
  Escalate(State::kFatal);
}

void Codec::AnswerStreamClosed(int32_t stream_id) {
  if (goaway_ == Goaway::kCalm || state_ >= State::kFatal) return;
  // RFC 9113 §5.1: after the client's RST_STREAM, DATA or HEADERS is a stream error STREAM_CLOSED. nghttp2 has
  // forgotten the stream and drops the frame itself (returning a DATA frame's connection credit; still decoding a
  // header block, which keeps HPACK in step).
  ++counters_.closed_stream_frames;
  VLOG(4) << "HTTP/2 stream " << stream_id << ": DATA or HEADERS after the client reset it: RST_STREAM(STREAM_CLOSED)";
  const int rv = nghttp2_submit_rst_stream(session_.get(), NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_STREAM_CLOSED);
  if (rv != 0) FailInternal(NghttpError("nghttp2_submit_rst_stream", rv));
}

void Codec::OnErrorGoawaySent(const nghttp2_goaway& goaway) {
  const absl::string_view debug(reinterpret_cast<const char*>(goaway.opaque_data), goaway.opaque_data_len);
  if (goaway.error_code == NGHTTP2_ENHANCE_YOUR_CALM) {
    if (goaway_ == Goaway::kCalm) return;  // ours
    // nghttp2 decided on its own, without telling us why but in the GOAWAY's debug data.
    goaway_ = Goaway::kCalm;
    ++counters_.flood(flood_guard_.ClassifyLibraryCalm());
    if (error_.ok()) {
      error_ = absl::ResourceExhaustedError(absl::StrCat("HTTP/2 flood: ", debug, "; sent GOAWAY(ENHANCE_YOUR_CALM)"));
    }
    return;
  }
  if (error_.ok()) {
    error_ = absl::InvalidArgumentError(
        absl::StrCat("HTTP/2 protocol error: sent GOAWAY(", nghttp2_http2_strerror(goaway.error_code), "): ", debug));
  }
}

// --- nghttp2 session events (SessionEvents, from the trampolines in session_callbacks.cc) ---

int Codec::OnBeginFrame(const nghttp2_frame_hd& hd) {
  // A flood was caught in this read: parse no further frame (Feed terminates the session once nghttp2 returns).
  if (terminate_after_recv_) return NGHTTP2_ERR_CALLBACK_FAILURE;
  flood_guard_.OnBeginFrame(hd.type);
  return 0;
}

int Codec::OnBeginHeaders(const nghttp2_frame& frame) {
  if (frame.hd.type != NGHTTP2_HEADERS || frame.headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  Stream* stream = streams_.Acquire(frame.hd.stream_id);
  ++counters_.streams_opened;
  const int rv = nghttp2_session_set_stream_user_data(session_.get(), frame.hd.stream_id, stream);
  ForgetFoundStream(frame.hd.stream_id);
  if (rv != 0) {
    streams_.Release(stream);
    FailInternal(NghttpError("nghttp2_session_set_stream_user_data", rv));
    return NGHTTP2_ERR_CALLBACK_FAILURE;
  }
  return 0;
}

int Codec::OnHeader(const nghttp2_frame& frame, absl::string_view name, absl::string_view value) {
  Stream* stream = FindStream(frame.hd.stream_id);
  if (stream == nullptr || frame.hd.type != NGHTTP2_HEADERS) return 0;
  stream->header_bytes += name.size() + value.size() + 32;
  if (stream->header_bytes > options_.max_header_list_size) {
    if (std::optional<FloodVerdict> flood = flood_guard_.OnHeaderList(frame.hd.stream_id, stream->header_bytes)) {
      Flood(*flood);
      return NGHTTP2_ERR_CALLBACK_FAILURE;  // stop decoding now: the rest of this block is not worth the CPU
    }
    stream->too_large = true;
  }
  if (stream->too_large || frame.headers.cat != NGHTTP2_HCAT_REQUEST) return 0;  // trailers are not kept
  stream->AddHeader(name, value);
  return 0;
}

int Codec::OnInvalidHeader(const nghttp2_frame& frame, absl::string_view name) {
  // RFC 9113 §8.2.1: a request with an invalid field is malformed. Without this callback nghttp2 would only
  // ignore the field; with it, returning TEMPORAL_CALLBACK_FAILURE resets the stream with PROTOCOL_ERROR.
  VLOG(4) << "HTTP/2 stream " << frame.hd.stream_id << ": invalid header field \"" << name << "\"";
  if (Stream* stream = FindStream(frame.hd.stream_id); stream != nullptr) stream->rejected = true;
  return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
}

int Codec::OnDataChunk(int32_t stream_id, absl::string_view data) {
  Stream* stream = FindStream(stream_id);
  if (stream == nullptr || stream->rejected || stream->body == nullptr) {
    // Nobody will read it: the credit goes back at once.
    if (absl::Status status =
            NghttpError("nghttp2_session_consume", nghttp2_session_consume(session_.get(), stream_id, data.size()));
        !status.ok()) {
      FailInternal(std::move(status));
      return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
    return 0;
  }
  // The body holds it until its reader takes it (or drops it: discarded, over its limit); the credit returns then
  // (OnBodyConsumed), so a body nobody reads holds at most the stream window.
  stream->body_held += data.size();
  stream->body->Deliver(data);
  SchedulePump(stream->body);
  return 0;
}

int Codec::OnFrameRecv(const nghttp2_frame& frame) {
  if (std::optional<FloodVerdict> flood = flood_guard_.OnFrame(frame)) {
    Flood(*flood);
  } else {
    HandleFrame(frame);
  }
  // A flood caught while handling a frame stops nghttp2_session_mem_recv at once (see Codec::Flood).
  return terminate_after_recv_ ? NGHTTP2_ERR_CALLBACK_FAILURE : 0;
}

void Codec::HandleFrame(const nghttp2_frame& frame) {
  const bool end_stream = (frame.hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  if (frame.hd.type == NGHTTP2_SETTINGS && (frame.hd.flags & NGHTTP2_FLAG_ACK) != 0) settings_acked_ = true;
  if (frame.hd.type != NGHTTP2_DATA && frame.hd.type != NGHTTP2_HEADERS) return;
  Stream* stream = FindStream(frame.hd.stream_id);
  if (stream == nullptr) return;
  if (frame.hd.type == NGHTTP2_HEADERS && frame.headers.cat == NGHTTP2_HCAT_REQUEST) {
    OnRequestHead(stream, end_stream);
  } else if (end_stream && !stream->rejected) {
    OnRequestComplete(stream);  // the last DATA, or trailers
  }
}

int Codec::OnInvalidFrameRecv(const nghttp2_frame& frame, int lib_error_code) {
  if (lib_error_code == NGHTTP2_ERR_HTTP_HEADER || lib_error_code == NGHTTP2_ERR_HTTP_MESSAGING) {
    // RFC 9113 §8.1.1 malformed request (nghttp2 resets the stream with PROTOCOL_ERROR).
    ++counters_.malformed_requests;
    Stream* stream = FindStream(frame.hd.stream_id);
    if (stream != nullptr) {
      stream->rejected = true;
      if (stream->body != nullptr) {
        // Its request is at its handler already (a body that contradicts its content-length, say).
        stream->body->Finish(
            absl::InvalidArgumentError(absl::StrCat("malformed request body: ", nghttp2_strerror(lib_error_code))));
        SchedulePump(stream->body);
      }
    }
  }
  if (lib_error_code == NGHTTP2_ERR_TOO_MANY_SETTINGS) {
    if (std::optional<FloodVerdict> flood = flood_guard_.OnLibraryError(lib_error_code)) Flood(*flood);
  }
  return terminate_after_recv_ ? NGHTTP2_ERR_CALLBACK_FAILURE : 0;
}

int Codec::OnFrameSend(const nghttp2_frame& frame) {
  if (frame.hd.type == NGHTTP2_RST_STREAM) closed_streams_.OnOurReset(frame.hd.stream_id);
  if (frame.hd.type == NGHTTP2_GOAWAY) ++counters_.goaways_sent;
  if (frame.hd.type == NGHTTP2_GOAWAY && frame.goaway.error_code != NGHTTP2_NO_ERROR) {
    ++counters_.error_goaways_sent;
    OnErrorGoawaySent(frame.goaway);
  }
  if ((frame.hd.type == NGHTTP2_DATA || frame.hd.type == NGHTTP2_HEADERS) &&
      (frame.hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
    Stream* stream = FindStream(frame.hd.stream_id);
    if (stream != nullptr && stream->reset_after_send) {
      // RFC 9113 §8.1: the response is complete before the request; tell the client to stop sending.
      stream->reset_after_send = false;
      if (absl::Status status = NghttpError(
              "nghttp2_submit_rst_stream",
              nghttp2_submit_rst_stream(session_.get(), NGHTTP2_FLAG_NONE, frame.hd.stream_id, NGHTTP2_NO_ERROR));
          !status.ok()) {
        FailInternal(std::move(status));
        return NGHTTP2_ERR_CALLBACK_FAILURE;
      }
    }
  }
  return 0;
}

int Codec::OnStreamClose(int32_t stream_id, uint32_t error_code) {
  Stream* stream = FindStream(stream_id);
  if (stream == nullptr) return 0;
  ForgetFoundStream(stream_id);
  if (absl::Status status = NghttpError("nghttp2_session_set_stream_user_data",
                                        nghttp2_session_set_stream_user_data(session_.get(), stream_id, nullptr));
      !status.ok()) {
    FailInternal(std::move(status));  // the stream is released below all the same
  }
  if (stream->body != nullptr && !stream->body->finished()) {
    stream->body->Finish(
        error_code == NGHTTP2_PROTOCOL_ERROR
            ? absl::InvalidArgumentError("malformed request body: the stream was reset with PROTOCOL_ERROR")
            : absl::CancelledError(absl::StrCat("the stream closed before its body was complete (",
                                                nghttp2_http2_strerror(error_code), ")")));
  }
  DetachBody(stream);
  if (stream->dispatched && !stream->answered) {
    // The client reset the stream (or the connection is going) before the handler answered. The handler may
    // still be working: remember its exchange, so rapid resets cannot pile up unbounded handler work.
    --unanswered_;
    orphans_.push_back(stream->exchange);
    std::shared_ptr<http::Exchange> exchange = std::move(stream->exchange);
    exchange->OnClientGone();
  }
  streams_.Release(stream);
  if (stream_id == close_after_stream_) {
    close_after_stream_ = 0;
    CompleteShutdown();
  }
  return 0;
}

absl::Time Codec::Now() const { return batch_clock_.Now(); }

absl::string_view Codec::PeekOutput() {
  if (state_ == State::kPeerClosed) return {};
  if (out_offset_ == out_.size() && borrowed_.empty()) FillOutput();
  if (out_offset_ < out_.size()) return absl::string_view(out_).substr(out_offset_);
  return borrowed_;
}

void Codec::FillOutput() {
  if (state_ >= State::kOutputFailed || !borrowed_.empty()) return;  // mem_send would invalidate borrowed_
  if (out_offset_ == out_.size()) {
    out_.clear();
    out_offset_ = 0;
  }
  const bool was_in_feed = in_feed_;
  in_feed_ = true;  // callbacks run from here (drained bytes) need not wake the server: it is pulling
  in_fill_ = true;
  while (out_.size() - out_offset_ < kCoalesceBytes) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_.get(), &data);
    if (n < 0) {
      FailInternal(NghttpError("nghttp2_session_mem_send", static_cast<int>(n)));
      Escalate(State::kOutputFailed);
      break;
    }
    if (n == 0) break;
    if (static_cast<size_t>(n) >= kPassThroughBytes) {
      borrowed_ = absl::string_view(reinterpret_cast<const char*>(data),
                                    static_cast<size_t>(n));  // valid until the next mem_send, which waits for it
      break;
    }
    out_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  in_fill_ = false;
  PumpBodies();  // bodies of streams that closed as their last frames went out
  in_feed_ = was_in_feed;
}

void Codec::ConsumeOutput(size_t n) {
  if (out_offset_ < out_.size()) {
    const size_t take = std::min(n, out_.size() - out_offset_);
    out_offset_ += take;
    n -= take;
    if (out_offset_ == out_.size()) {
      out_.clear();
      out_offset_ = 0;
    }
  }
  if (n > 0 && !borrowed_.empty()) borrowed_.remove_prefix(std::min(n, borrowed_.size()));
}

bool Codec::WantsRead() const { return state_ == State::kOpen && nghttp2_session_want_read(session_.get()) != 0; }

bool Codec::WantsClose() const {
  if (state_ == State::kPeerClosed) return true;
  if (out_offset_ < out_.size() || !borrowed_.empty()) return false;
  nghttp2_session* session = session_.get();
  if (state_ == State::kOutputFailed) return true;
  if (state_ == State::kFatal) return nghttp2_session_want_write(session) == 0;
  return nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0;
}

http::CodecPhase Codec::phase() const {
  return streams_.live() == 0 ? http::CodecPhase::kIdle : http::CodecPhase::kBusy;
}

void Codec::BeginShutdown() {
  if (goaway_ != Goaway::kNone || state_ == State::kPeerClosed) return;
  goaway_ = Goaway::kNotice;
  const int rv = nghttp2_submit_shutdown_notice(session_.get());
  if (rv != 0) FailInternal(NghttpError("nghttp2_submit_shutdown_notice", rv));
  OutputReady();
}

void Codec::CompleteShutdown() {
  if (goaway_ >= Goaway::kFinal || state_ == State::kPeerClosed) return;
  goaway_ = Goaway::kFinal;
  const int rv =
      nghttp2_submit_goaway(session_.get(), NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_.get()),
                            NGHTTP2_NO_ERROR, nullptr, 0);
  if (rv != 0) FailInternal(NghttpError("nghttp2_submit_goaway", rv));
  OutputReady();
}

void Codec::OnPeerClosed() {
  if (state_ == State::kPeerClosed) return;
  state_ = State::kPeerClosed;
  out_.clear();
  out_offset_ = 0;
  borrowed_ = {};
  for (Stream* stream = streams_.first_live(); stream != nullptr; stream = stream->next) {
    if (stream->dispatched && !stream->answered && stream->exchange != nullptr) {
      stream->answered = true;
      if (unanswered_ > 0) --unanswered_;
      std::shared_ptr<http::Exchange> exchange = std::move(stream->exchange);
      exchange->OnClientGone();
    }
    if (stream->body != nullptr) {
      std::shared_ptr<http::RequestBody> body = std::move(stream->body);
      body->DetachSource();  // no credit to return: the session is over
      stream->body_held = 0;
      bodies_to_pump_.push_back(std::move(body));
    }
  }
  PumpBodies();
}

}  // namespace apiserve::http2
