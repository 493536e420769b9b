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
#include "http/chunk_queue.h"
#include "http/request.h"
#include "http/response.h"

namespace apiserve::http2 {
namespace {

// Frames at least this large are handed to the server straight from nghttp2's buffer; smaller ones are coalesced.
constexpr size_t kPassThroughBytes = 4096;
// Coalesced output is handed over once it reaches this size.
constexpr size_t kCoalesceBytes = 64 * 1024;

absl::string_view View(const uint8_t* data, size_t size) {
  return absl::string_view(reinterpret_cast<const char*>(data), size);
}

const http::ResponsePtr& HeaderListTooLargeResponse() {
  // Go's x/net answers an over-long header list with this body.
  static const http::ResponsePtr* const response = new http::ResponsePtr(
      http::Shared(http::TextResponse(431, "<h1>HTTP Error 431</h1><p>Request Header Field(s) Too Large</p>")));
  return *response;
}

}  // namespace

// Stream is one HTTP/2 request/response. It collects the request while it arrives, is the ResponseSink of the
// request's exchange once dispatched, and is the data source nghttp2 reads the response body from. Pooled by the
// codec; never freed while its exchange may still call it (the codec calls OnClientGone first).
class Stream : public http::ResponseSink, public http::BodySource {
 public:
  explicit Stream(Codec* codec) : codec_(codec) {}

  void Start(int32_t stream_id) {
    id = stream_id;
    request = http::NewRequest();
  }

  void Clear() {
    id = 0;
    request.reset();
    exchange.reset();
    response.reset();
    response_offset = 0;
    chunks.Release();
    chunk_offset = 0;
    trailers.clear();
    header_bytes = 0;
    body.reset();
    body_held = 0;
    head_request = too_large = rejected = dispatched = answered = deferred = body_finished = has_trailers = false;
    no_body = reset_after_send = false;
    prev = next = nullptr;
  }

  // --- http::ResponseSink (loop thread, from the exchange) ---
  void SendResponse(http::ResponsePtr r, absl::Span<const http::HeaderField> extra_headers) override {
    const bool body_allowed = !http::StatusHasNoBody(r->status);
    ResponseHeaderBlock::Extras extras;
    extras.more_headers = extra_headers;
    if (body_allowed) {
      extras.content_length = r->body.size();
      extras.sniff_body_prefix = r->body;
    }
    const bool with_body = body_allowed && !head_request && !r->body.empty();
    if (with_body) {
      response = r;
      response_offset = 0;
    }
    answered = true;
    codec_->SubmitHead(this, r->status, r->headers, extras, with_body);
    codec_->OnHandlerAnswered(this);
    codec_->OnResponseComplete(this);
  }

  void SendHead(int status, http::HeaderMap headers, bool end_stream) override {
    no_body = head_request || http::StatusHasNoBody(status);
    if (end_stream) answered = true;
    codec_->SubmitHead(this, status, headers, ResponseHeaderBlock::Extras(), /*with_body=*/!end_stream);
    if (end_stream) {
      codec_->OnHandlerAnswered(this);
      codec_->OnResponseComplete(this);
    }
  }

  void SendBody(std::string data, bool end_stream) override {
    const size_t size = data.size();
    if (no_body) {
      if (size > 0 && exchange) exchange->OnBytesDrained(size);  // nothing goes on the wire
    } else if (size > 0) {
      chunks.push_back(std::move(data));
    }
    if (end_stream) {
      body_finished = true;
      answered = true;
    }
    codec_->ResumeData(this);
    if (end_stream) {
      codec_->OnHandlerAnswered(this);
      codec_->OnResponseComplete(this);
    }
  }

  void SendTrailers(http::HeaderMap t) override {
    body_finished = true;
    answered = true;
    if (!no_body && !t.empty()) {
      trailers = std::move(t);
      has_trailers = true;
    }
    codec_->ResumeData(this);
    codec_->OnHandlerAnswered(this);
    codec_->OnResponseComplete(this);
  }

  void Abort() override {
    answered = true;
    codec_->ResetStream(this, NGHTTP2_INTERNAL_ERROR);
    codec_->OnHandlerAnswered(this);
    codec_->OnResponseComplete(this);
  }

  // --- http::BodySource (loop thread, from the request body) ---
  void OnBodyConsumed(size_t n) override { codec_->OnBodyConsumed(this, n); }

  // Read fills `buf` with up to `length` body bytes for nghttp2 (see nghttp2_data_source_read_callback).
  ssize_t Read(uint8_t* buf, size_t length, uint32_t* flags) {
    if (response != nullptr) {
      const absl::string_view body = response->body;
      const size_t n = std::min(length, body.size() - response_offset);
      std::memcpy(buf, body.data() + response_offset, n);
      response_offset += n;
      if (response_offset == body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
      return static_cast<ssize_t>(n);
    }
    size_t copied = 0;
    while (copied < length && !chunks.empty()) {
      const std::string& front = chunks.front();
      const size_t take = std::min(length - copied, front.size() - chunk_offset);
      std::memcpy(buf + copied, front.data() + chunk_offset, take);
      copied += take;
      chunk_offset += take;
      if (chunk_offset == front.size()) {
        chunks.pop_front();
        chunk_offset = 0;
      }
    }
    // May run the handler's OnWritable callback, which may write more (appended to `chunks`) or finish.
    if (copied > 0 && exchange != nullptr) exchange->OnBytesDrained(copied);
    if (chunks.empty() && body_finished) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      if (has_trailers) {
        *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
        codec_->SubmitTrailers(this, trailers);
      }
      return static_cast<ssize_t>(copied);
    }
    if (copied == 0) {
      deferred = true;
      return NGHTTP2_ERR_DEFERRED;
    }
    return static_cast<ssize_t>(copied);
  }

  static ssize_t ReadCallback(nghttp2_session* session, int32_t stream_id, uint8_t* buf, size_t length,
                              uint32_t* data_flags, nghttp2_data_source* source, void* user_data) {
    return static_cast<Stream*>(source->ptr)->Read(buf, length, data_flags);
  }

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
  Stream* prev = nullptr;
  Stream* next = nullptr;

 private:
  Codec* const codec_;
};

// SessionCallbacks trampolines nghttp2's callbacks into the codec through user_data. The table is built once and
// shared by every session.
struct SessionCallbacks {
  static Codec* Of(void* user_data) { return static_cast<Codec*>(user_data); }

  static int OnBeginFrame(nghttp2_session* session, const nghttp2_frame_hd* hd, void* user_data) {
    Codec* codec = Of(user_data);
    // A flood was caught in this read: parse no further frame (Feed terminates the session once nghttp2 returns).
    if (codec->terminate_after_recv_) return NGHTTP2_ERR_CALLBACK_FAILURE;
    codec->last_frame_type_ = hd->type;
    return 0;
  }

  static int OnBeginHeaders(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
    Codec* codec = Of(user_data);
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    Stream* stream = codec->AcquireStream(frame->hd.stream_id);
    ++codec->counters_.streams_opened;
    const int rv = nghttp2_session_set_stream_user_data(session, frame->hd.stream_id, stream);
    if (rv != 0) {
      codec->ReleaseStream(stream);
      codec->FailInternal(NghttpError("nghttp2_session_set_stream_user_data", rv));
      return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
    return 0;
  }

  static int OnHeader(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                      const uint8_t* value, size_t valuelen, uint8_t flags, void* user_data) {
    Codec* codec = Of(user_data);
    auto* stream = static_cast<Stream*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
    if (stream == nullptr || frame->hd.type != NGHTTP2_HEADERS) return 0;
    stream->header_bytes += namelen + valuelen + 32;
    const uint64_t limit = codec->options_.max_header_list_size;
    if (stream->header_bytes > limit) {
      if (stream->header_bytes > limit * codec->options_.flood.hpack_bomb_factor) {
        codec->Flood(http::FloodKind::kHpackBomb,
                     absl::StrCat("HPACK bomb: header block of stream ", frame->hd.stream_id, " decodes to more than ",
                                  limit * codec->options_.flood.hpack_bomb_factor, " bytes"));
        // Stop decoding now: the rest of this block is not worth the CPU.
        return NGHTTP2_ERR_CALLBACK_FAILURE;
      }
      stream->too_large = true;
    }
    if (stream->too_large || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;  // trailers are not kept
    http::Request& request = *stream->request;
    const absl::string_view n = View(name, namelen);
    const absl::string_view v = View(value, valuelen);
    if (!n.empty() && n[0] == ':') {
      if (n == ":method") {
        request.method.assign(v.data(), v.size());
      } else if (n == ":path") {
        request.target.assign(v.data(), v.size());
      } else if (n == ":authority") {
        request.authority.assign(v.data(), v.size());
      } else if (n == ":scheme") {
        request.scheme.assign(v.data(), v.size());
      }
      return 0;
    }
    request.headers.Add(n, v);
    return 0;
  }

  static int OnDataChunk(nghttp2_session* session, uint8_t flags, int32_t stream_id, const uint8_t* data, size_t len,
                         void* user_data) {
    Codec* codec = Of(user_data);
    auto* stream = static_cast<Stream*>(nghttp2_session_get_stream_user_data(session, stream_id));
    if (stream == nullptr || stream->rejected || stream->body == nullptr) {
      // Nobody will read it: the credit goes back at once.
      if (absl::Status status = NghttpError("nghttp2_session_consume", nghttp2_session_consume(session, stream_id, len));
          !status.ok()) {
        codec->FailInternal(std::move(status));
        return NGHTTP2_ERR_CALLBACK_FAILURE;
      }
      return 0;
    }
    // The body holds it until its reader takes it (or drops it: discarded, over its limit); the credit returns then
    // (OnBodyConsumed), so a body nobody reads holds at most the stream window.
    stream->body_held += len;
    stream->body->Deliver(View(data, len));
    codec->SchedulePump(stream->body);
    return 0;
  }

  // A flood caught while handling a frame stops nghttp2_session_mem_recv at once (see Codec::Flood).
  static int OnFrameRecv(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
    const int rv = FrameRecv(session, frame, user_data);
    return Of(user_data)->terminate_after_recv_ ? NGHTTP2_ERR_CALLBACK_FAILURE : rv;
  }

  static int FrameRecv(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
    Codec* codec = Of(user_data);
    Counters& counters = codec->counters_;
    const FloodLimits& limits = codec->options_.flood;
    const bool end_stream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    switch (frame->hd.type) {
      case NGHTTP2_DATA: {
        const size_t payload = frame->hd.length - std::min<size_t>(frame->hd.length, frame->data.padlen);
        if (payload == 0 && !end_stream) {
          if (++codec->consecutive_empty_data_ > limits.max_consecutive_empty_data_frames) {
            codec->Flood(
                http::FloodKind::kEmptyData,
                absl::StrCat("more than ", limits.max_consecutive_empty_data_frames, " consecutive empty DATA frames"));
            return 0;
          }
        } else {
          codec->consecutive_empty_data_ = 0;
        }
        auto* stream = static_cast<Stream*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
        if (stream != nullptr && end_stream && !stream->rejected) codec->OnRequestComplete(stream);
        return 0;
      }
      case NGHTTP2_HEADERS: {
        codec->consecutive_empty_data_ = 0;
        auto* stream = static_cast<Stream*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
        if (stream == nullptr) return 0;
        if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
          codec->OnRequestHead(stream, end_stream);
        } else if (end_stream && !stream->rejected) {
          codec->OnRequestComplete(stream);  // trailers end the request
        }
        return 0;
      }
      case NGHTTP2_PRIORITY:
        ++counters.priority_frames_received;
        if (counters.priority_frames_received >
            uint64_t{limits.max_priority_frames_per_stream} * (1 + counters.streams_opened)) {
          codec->Flood(http::FloodKind::kPriority, absl::StrCat("more than ", limits.max_priority_frames_per_stream,
                                                               " PRIORITY frames per stream opened"));
        }
        return 0;
      case NGHTTP2_RST_STREAM:
        ++counters.resets_received;
        codec->OnResetReceived();
        return 0;
      case NGHTTP2_SETTINGS:
        if ((frame->hd.flags & NGHTTP2_FLAG_ACK) != 0) {
          codec->settings_acked_ = true;
        } else {
          ++counters.settings_received;
        }
        return 0;
      case NGHTTP2_PING:
        if ((frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) ++counters.pings_received;
        return 0;
      default:
        return 0;
    }
  }

  static int OnInvalidFrameRecv(nghttp2_session* session, const nghttp2_frame* frame, int lib_error_code,
                                void* user_data) {
    Codec* codec = Of(user_data);
    if (lib_error_code == NGHTTP2_ERR_HTTP_HEADER || lib_error_code == NGHTTP2_ERR_HTTP_MESSAGING) {
      // RFC 9113 §8.1.1 malformed request (nghttp2 resets the stream with PROTOCOL_ERROR).
      ++codec->counters_.malformed_requests;
      auto* stream = static_cast<Stream*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
      if (stream != nullptr) {
        stream->rejected = true;
        if (stream->body != nullptr) {
          // Its request is at its handler already (a body that contradicts its content-length, say).
          stream->body->Finish(
              absl::InvalidArgumentError(absl::StrCat("malformed request body: ", nghttp2_strerror(lib_error_code))));
          codec->SchedulePump(stream->body);
        }
      }
    }
    if (lib_error_code == NGHTTP2_ERR_TOO_MANY_SETTINGS) {
      codec->Flood(
          http::FloodKind::kSettings,
          absl::StrCat("SETTINGS frame with more than ", codec->options_.flood.max_settings_entries, " entries"));
    }
    return codec->terminate_after_recv_ ? NGHTTP2_ERR_CALLBACK_FAILURE : 0;
  }

  static int OnInvalidHeader(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                             const uint8_t* value, size_t valuelen, uint8_t flags, void* user_data) {
    // RFC 9113 §8.2.1: a request with an invalid field is malformed. Without this callback nghttp2 would only
    // ignore the field; with it, returning TEMPORAL_CALLBACK_FAILURE resets the stream with PROTOCOL_ERROR.
    VLOG(4) << "HTTP/2 stream " << frame->hd.stream_id << ": invalid header field \"" << View(name, namelen) << "\"";
    auto* stream = static_cast<Stream*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
    if (stream != nullptr) stream->rejected = true;
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  }

  static int OnFrameSend(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
    Codec* codec = Of(user_data);
    if (frame->hd.type == NGHTTP2_RST_STREAM) codec->closed_streams_.OnOurReset(frame->hd.stream_id);
    if (frame->hd.type == NGHTTP2_GOAWAY) ++codec->counters_.goaways_sent;
    if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR) {
      ++codec->counters_.error_goaways_sent;
      codec->OnErrorGoawaySent(frame->goaway);
    }
    if ((frame->hd.type == NGHTTP2_DATA || frame->hd.type == NGHTTP2_HEADERS) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
      auto* stream = static_cast<Stream*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
      if (stream != nullptr && stream->reset_after_send) {
        // RFC 9113 §8.1: the response is complete before the request; tell the client to stop sending.
        stream->reset_after_send = false;
        if (absl::Status status = NghttpError(
                "nghttp2_submit_rst_stream",
                nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_NO_ERROR));
            !status.ok()) {
          codec->FailInternal(std::move(status));
          return NGHTTP2_ERR_CALLBACK_FAILURE;
        }
      }
    }
    return 0;
  }

  static int OnStreamClose(nghttp2_session* session, int32_t stream_id, uint32_t error_code, void* user_data) {
    Codec* codec = Of(user_data);
    auto* stream = static_cast<Stream*>(nghttp2_session_get_stream_user_data(session, stream_id));
    if (stream == nullptr) return 0;
    if (absl::Status status = NghttpError("nghttp2_session_set_stream_user_data",
                                          nghttp2_session_set_stream_user_data(session, stream_id, nullptr));
        !status.ok()) {
      codec->FailInternal(std::move(status));  // the stream is released below all the same
    }
    if (stream->body != nullptr && !stream->body->finished()) {
      stream->body->Finish(
          error_code == NGHTTP2_PROTOCOL_ERROR
              ? absl::InvalidArgumentError("malformed request body: the stream was reset with PROTOCOL_ERROR")
              : absl::CancelledError(absl::StrCat("the stream closed before its body was complete (",
                                                  nghttp2_http2_strerror(error_code), ")")));
    }
    codec->DetachBody(stream);
    if (stream->dispatched && !stream->answered) {
      // The client reset the stream (or the connection is going) before the handler answered. The handler may
      // still be working: remember its exchange, so rapid resets cannot pile up unbounded handler work.
      --codec->unanswered_;
      codec->orphans_.push_back(stream->exchange);
      std::shared_ptr<http::Exchange> exchange = std::move(stream->exchange);
      exchange->OnClientGone();
    }
    codec->ReleaseStream(stream);
    if (stream_id == codec->close_after_stream_) {
      codec->close_after_stream_ = 0;
      codec->CompleteShutdown();
    }
    return 0;
  }

  static int OnError(nghttp2_session* session, int lib_error_code, const char* msg, size_t len, void* user_data) {
    VLOG(4) << "HTTP/2: " << absl::string_view(msg, len);
    return 0;
  }

  static const nghttp2_session_callbacks* Table() {
    static const nghttp2_session_callbacks* const table = []() -> nghttp2_session_callbacks* {
      absl::StatusOr<CallbacksPtr> callbacks = NewCallbacks();
      if (!callbacks.ok()) {
        LOG(ERROR) << callbacks.status().message();
        return nullptr;
      }
      nghttp2_session_callbacks* cb = callbacks->release();
      nghttp2_session_callbacks_set_on_begin_frame_callback(cb, OnBeginFrame);
      nghttp2_session_callbacks_set_on_begin_headers_callback(cb, OnBeginHeaders);
      nghttp2_session_callbacks_set_on_header_callback(cb, OnHeader);
      nghttp2_session_callbacks_set_on_invalid_header_callback(cb, OnInvalidHeader);
      nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, OnDataChunk);
      nghttp2_session_callbacks_set_on_frame_recv_callback(cb, OnFrameRecv);
      nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(cb, OnInvalidFrameRecv);
      nghttp2_session_callbacks_set_on_frame_send_callback(cb, OnFrameSend);
      nghttp2_session_callbacks_set_on_stream_close_callback(cb, OnStreamClose);
      nghttp2_session_callbacks_set_error_callback2(cb, OnError);
      return cb;  // shared by every session for the life of the process
    }();
    return table;
  }
};

absl::StatusOr<std::unique_ptr<Codec>> Codec::Create(http::CodecContext context, Options options) {
  if (absl::Status status = options.Validate(); !status.ok()) return status;
  std::unique_ptr<Codec> codec(new Codec(std::move(context), std::move(options)));
  if (absl::Status status = codec->Init(); !status.ok()) return status;
  return codec;
}

Codec::Codec(http::CodecContext context, Options options) : context_(std::move(context)), options_(options) {}

absl::Status Codec::Init() {
  const nghttp2_session_callbacks* callbacks = SessionCallbacks::Table();
  if (callbacks == nullptr) return absl::InternalError("nghttp2_session_callbacks_new failed");
  absl::StatusOr<OptionPtr> option = NewOption();
  if (!option.ok()) return option.status();
  nghttp2_option* opt = option->get();
  nghttp2_option_set_no_auto_window_update(opt, 1);
  nghttp2_option_set_no_closed_streams(opt, 1);
  nghttp2_option_set_max_continuations(opt, options_.max_continuations());
  // Our own bucket (OnResetReceived) answers ENHANCE_YOUR_CALM and counts; nghttp2's, twice as loose, stays as a
  // backstop (it answers INTERNAL_ERROR).
  nghttp2_option_set_stream_reset_rate_limit(opt, 2 * options_.flood.reset_burst,
                                             2 * options_.flood.reset_rate_per_second);
  reset_tokens_ = static_cast<double>(options_.flood.reset_burst);
  reset_refill_time_ = Now();
  nghttp2_option_set_max_outbound_ack(opt, options_.flood.max_outbound_ack);
  nghttp2_option_set_max_settings(opt, options_.flood.max_settings_entries);
  nghttp2_option_set_max_deflate_dynamic_table_size(opt, options_.flood.header_table_size);

  nghttp2_session* session = nullptr;
  if (absl::Status status = NghttpError("nghttp2_session_server_new3",
                                        nghttp2_session_server_new3(&session, callbacks, this, opt, allocator_.mem()));
      !status.ok()) {
    return status;
  }
  session_.reset(session);

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
  session_.reset();  // frees nghttp2's streams without calling back
  while (live_head_ != nullptr) {
    Stream* stream = live_head_;
    live_head_ = stream->next;
    delete stream;
  }
}

Stream* Codec::AcquireStream(int32_t id) {
  Stream* stream;
  if (free_streams_.empty()) {
    stream = new Stream(this);
  } else {
    stream = free_streams_.back().release();
    free_streams_.pop_back();
  }
  stream->Start(id);
  stream->next = live_head_;
  if (live_head_ != nullptr) live_head_->prev = stream;
  live_head_ = stream;
  ++open_streams_;
  return stream;
}

void Codec::ReleaseStream(Stream* stream) {
  if (stream->prev != nullptr) stream->prev->next = stream->next;
  if (stream->next != nullptr) stream->next->prev = stream->prev;
  if (live_head_ == stream) live_head_ = stream->next;
  --open_streams_;
  stream->Clear();
  if (free_streams_.size() < options_.max_concurrent_streams) {
    free_streams_.emplace_back(stream);
  } else {
    delete stream;
  }
}

void Codec::ReleaseIdleMemory() { free_streams_.resize(std::min<size_t>(free_streams_.size(), 1)); }

Stream* Codec::FindStream(int32_t id) const {
  return static_cast<Stream*>(nghttp2_session_get_stream_user_data(session_.get(), id));
}

void Codec::OnRequestHead(Stream* stream, bool end_stream) {
  http::Request& request = *stream->request;
  if (stream->too_large) {
    ++counters_.headers_too_large;
    stream->reset_after_send = !end_stream;
    RejectHeaderListTooLarge(stream);
    return;
  }
  if (stream->rejected) return;
  stream->head_request = request.method == "HEAD";
  // nghttp2 checked the pseudo-headers' presence and syntax; RFC 9113 §8.3.1 also wants an origin-form path
  // (or "*" for OPTIONS) for every method but CONNECT.
  if (request.method != "CONNECT" && (request.target.empty() || request.target[0] != '/') &&
      !(request.target == "*" && request.method == "OPTIONS")) {
    ++counters_.malformed_requests;
    VLOG(4) << "HTTP/2 stream " << stream->id << ": malformed :path \"" << request.target << "\"";
    ResetStream(stream, NGHTTP2_PROTOCOL_ERROR);
    return;
  }
  if (end_stream) {
    ready_.push_back(stream->id);
    return;
  }
  // The request has a body: it is dispatched now, on its headers (DESIGN §4), and the body follows as it arrives.
  std::optional<uint64_t> content_length;
  if (std::optional<absl::string_view> length = request.headers.Get("content-length"); length.has_value()) {
    uint64_t n = 0;
    if (absl::SimpleAtoi(*length, &n)) content_length = n;
  }
  stream->body = std::make_shared<http::RequestBody>(stream, content_length);
  request.body_stream = stream->body;
  ready_.push_back(stream->id);
}

void Codec::OnRequestComplete(Stream* stream) {
  if (stream->body == nullptr) return;
  stream->body->Finish(absl::OkStatus());
  SchedulePump(stream->body);
}

void Codec::OnBodyConsumed(Stream* stream, size_t n) {
  stream->body_held -= std::min<uint64_t>(n, stream->body_held);
  const int rv = nghttp2_session_consume(session_.get(), stream->id, n);
  if (rv != 0) FailInternal(NghttpError("nghttp2_session_consume", rv));
  OutputReady();
}

void Codec::OnResponseComplete(Stream* stream) {
  if (stream->body == nullptr || stream->body->discarded()) return;
  if (!stream->body->complete()) {
    // RFC 9113 §8.1: the answer is complete before the request; once it is out, tell the client to stop sending
    // (RST_STREAM(NO_ERROR), OnFrameSend). DATA already on its way is dropped with its credit returned.
    nghttp2_stream* ns = nghttp2_session_find_stream(session_.get(), stream->id);
    if (ns != nullptr && nghttp2_stream_get_state(ns) == NGHTTP2_STREAM_STATE_OPEN && !stream->rejected) {
      stream->reset_after_send = true;
      ++counters_.bodies_cut_short;
    }
  }
  stream->body->Discard();  // what it holds is returned as credit (OnBodyConsumed)
  SchedulePump(stream->body);
}

void Codec::DetachBody(Stream* stream) {
  if (stream->body == nullptr) return;
  std::shared_ptr<http::RequestBody> body = std::move(stream->body);
  body->DetachSource();
  if (stream->body_held > 0) {
    // The stream is gone; the connection window still counts what the body held.
    const int rv = nghttp2_session_consume_connection(session_.get(), stream->body_held);
    if (rv != 0) FailInternal(NghttpError("nghttp2_session_consume_connection", rv));
    stream->body_held = 0;
  }
  SchedulePump(std::move(body));
}

void Codec::SchedulePump(std::shared_ptr<http::RequestBody> body) {
  bodies_to_pump_.push_back(std::move(body));
  if (!in_recv_ && !in_fill_) PumpBodies();
}

void Codec::PumpBodies() {
  // Readers run here, outside nghttp2's parser and serializer: they may answer, read on, or drop the request.
  while (!bodies_to_pump_.empty()) {
    std::vector<std::shared_ptr<http::RequestBody>> bodies;
    bodies.swap(bodies_to_pump_);
    for (const std::shared_ptr<http::RequestBody>& body : bodies) body->Pump();
  }
}

void Codec::RejectHeaderListTooLarge(Stream* stream) {
  stream->rejected = true;
  stream->answered = true;
  if (!stream->reset_after_send) {
    // The request was still arriving when we decided: stop it once our answer is out.
    nghttp2_stream* ns = nghttp2_session_find_stream(session_.get(), stream->id);
    const int state = ns != nullptr ? nghttp2_stream_get_state(ns) : NGHTTP2_STREAM_STATE_CLOSED;
    stream->reset_after_send = state == NGHTTP2_STREAM_STATE_OPEN;
  }
  const http::ResponsePtr& response = HeaderListTooLargeResponse();
  ResponseHeaderBlock::Extras extras;
  extras.now = Now();
  extras.content_length = response->body.size();
  const bool with_body = !stream->head_request;
  if (with_body) {
    stream->response = response;
    stream->response_offset = 0;
  }
  SubmitHead(stream, response->status, response->headers, extras, with_body);
}

void Codec::ResetStream(Stream* stream, uint32_t error_code) {
  stream->rejected = true;
  const int rv = nghttp2_submit_rst_stream(session_.get(), NGHTTP2_FLAG_NONE, stream->id, error_code);
  if (rv != 0) FailInternal(NghttpError("nghttp2_submit_rst_stream", rv));
  OutputReady();
}

void Codec::DispatchReady() {
  // Dispatch after nghttp2 returns, so handlers that answer at once never run inside nghttp2's parser.
  for (size_t i = 0; i < ready_.size(); ++i) {
    if (calm_goaway_ || fatal_) break;
    Stream* stream = FindStream(ready_[i]);
    if (stream != nullptr && !stream->dispatched && !stream->rejected) Dispatch(stream);
  }
  ready_.clear();
}

void Codec::Dispatch(Stream* stream) {
  if (unanswered_ + orphans_.size() >= options_.max_concurrent_streams) {
    orphans_.erase(std::remove_if(orphans_.begin(), orphans_.end(),
                                  [](const std::weak_ptr<http::Exchange>& e) { return e.expired(); }),
                   orphans_.end());
    if (unanswered_ + orphans_.size() >= options_.max_concurrent_streams) {
      Flood(http::FloodKind::kHandlerWork,
            absl::StrCat("more than ", options_.max_concurrent_streams,
                         " requests unanswered (streams reset while their handlers still run)"));
      return;
    }
  }
  http::RequestPtr request = std::move(stream->request);
  request->protocol = http::Protocol::kHttp2;
  http::SplitTarget(request->target, &request->path, &request->raw_query);
  if (request->authority.empty()) {
    if (std::optional<absl::string_view> host = request->headers.Get("host"); host.has_value()) {
      request->authority.assign(host->data(), host->size());
    }
  }
  if (request->headers.Count("cookie") > 1) {
    // RFC 9113 §8.2.3: cookie crumbs are joined with "; " before reaching an HTTP/1.1-shaped handler.
    const std::string joined = absl::StrJoin(request->headers.GetAll("cookie"), "; ");
    request->headers.Set("cookie", joined);
  }
  request->connection = context_.connection;
  request->executor = context_.loop;
  request->shutting_down = context_.shutting_down;
  request->received_time = Now();
  stream->exchange = http::NewExchange(context_.loop, stream, options_.response_high_water_mark);
  stream->dispatched = true;
  ++unanswered_;
  ++counters_.requests_dispatched;
  ++requests_dispatched_;
  context_.handler->Serve(std::move(request), http::ResponseWriter(stream->exchange));
}

void Codec::Flood(http::FloodKind kind, absl::string_view what) {
  if (calm_goaway_) return;
  calm_goaway_ = true;
  ++counters_.flood(kind);
  error_ = absl::ResourceExhaustedError(absl::StrCat("HTTP/2 flood: ", what, "; sent GOAWAY(ENHANCE_YOUR_CALM)"));
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
  goaway_submitted_ = true;
  OutputReady();
}

void Codec::FailFatal(absl::Status status) {
  if (error_.ok()) error_ = std::move(status);
  fatal_ = true;
}

void Codec::FailInternal(absl::Status status) {
  ++counters_.internal_errors;
  LOG(ERROR) << "Closing the HTTP/2 connection from "
             << (context_.connection != nullptr ? context_.connection->remote_address : "") << ": "
             << status.message();
  FailFatal(std::move(status));
}

void Codec::SubmitHead(Stream* stream, int status, const http::HeaderMap& headers,
                       const ResponseHeaderBlock::Extras& extras_in, bool with_body) {
  ResponseHeaderBlock::Extras extras = extras_in;
  if (extras.now == absl::Time()) extras.now = Now();
  const bool close = header_block_.Build(status, headers, extras);
  nghttp2_data_provider provider;
  provider.source.ptr = stream;
  provider.read_callback = &Stream::ReadCallback;
  const int rv = nghttp2_submit_response(session_.get(), stream->id, header_block_.data(), header_block_.size(),
                                         with_body ? &provider : nullptr);
  if (rv != 0) FailInternal(NghttpError("nghttp2_submit_response", rv));
  if (close && close_after_stream_ == 0 && !goaway_submitted_) {
    // Go's x/net: `Connection: close` from a handler starts a graceful shutdown of the connection.
    BeginShutdown();
    close_after_stream_ = stream->id;
  }
  OutputReady();
}

void Codec::SubmitTrailers(Stream* stream, const http::HeaderMap& trailers) {
  header_block_.BuildTrailers(trailers);
  const int rv = nghttp2_submit_trailer(session_.get(), stream->id, header_block_.data(), header_block_.size());
  if (rv != 0) FailInternal(NghttpError("nghttp2_submit_trailer", rv));
}

void Codec::ResumeData(Stream* stream) {
  if (stream->deferred) {
    stream->deferred = false;
    const int rv = nghttp2_session_resume_data(session_.get(), stream->id);
    if (rv != 0) FailInternal(NghttpError("nghttp2_session_resume_data", rv));
  }
  OutputReady();
}

void Codec::OnHandlerAnswered(Stream* stream) {
  if (stream->dispatched && unanswered_ > 0) --unanswered_;
}

void Codec::OutputReady() {
  if (!in_feed_ && !peer_closed_ && context_.callbacks != nullptr) context_.callbacks->OnOutputReady();
}

absl::Status Codec::Feed(absl::string_view data) {
  if (peer_closed_ || fatal_) return error_;
  in_feed_ = true;
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
  in_feed_ = false;
  return error_;
}

void Codec::Receive(absl::string_view data) {
  if (data.empty() || fatal_) return;
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
  if (code == NGHTTP2_ERR_FLOODED) {
    Flood(http::FloodKind::kAck, absl::StrCat("more than ", options_.flood.max_outbound_ack,
                                              " SETTINGS/PING acknowledgements queued for a peer that does not read"));
  } else if (code == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS) {
    Flood(http::FloodKind::kContinuation,
          absl::StrCat("more than ", options_.max_continuations(), " CONTINUATION frames in one header block"));
  } else if (code == NGHTTP2_ERR_BAD_CLIENT_MAGIC) {
    FailFatal(absl::InvalidArgumentError(absl::StrCat("HTTP/2: bad client connection preface: ", nghttp2_strerror(code))));
    if (const int terminated = nghttp2_session_terminate_session(session_.get(), NGHTTP2_PROTOCOL_ERROR);
        terminated != 0) {
      FailInternal(NghttpError("nghttp2_session_terminate_session", terminated));
    }
  } else if (!calm_goaway_ && !fatal_) {
    FailInternal(NghttpError("nghttp2_session_mem_recv", code));
  }
  // The session's input side is unusable after an error: read nothing more, flush the GOAWAY, close.
  fatal_ = true;
}

void Codec::AnswerStreamClosed(int32_t stream_id) {
  if (calm_goaway_ || fatal_) return;
  // RFC 9113 §5.1: after the client's RST_STREAM, DATA or HEADERS is a stream error STREAM_CLOSED. nghttp2 has
  // forgotten the stream and drops the frame itself (returning a DATA frame's connection credit; still decoding a
  // header block, which keeps HPACK in step).
  ++counters_.closed_stream_frames;
  VLOG(4) << "HTTP/2 stream " << stream_id << ": DATA or HEADERS after the client reset it: RST_STREAM(STREAM_CLOSED)";
  const int rv = nghttp2_submit_rst_stream(session_.get(), NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_STREAM_CLOSED);
  if (rv != 0) FailInternal(NghttpError("nghttp2_submit_rst_stream", rv));
}

void Codec::OnResetReceived() {
  const absl::Time now = Now();
  const double refill = absl::ToDoubleSeconds(now - reset_refill_time_) * options_.flood.reset_rate_per_second;
  reset_refill_time_ = now;
  reset_tokens_ = std::min(reset_tokens_ + std::max(refill, 0.0), static_cast<double>(options_.flood.reset_burst));
  if (reset_tokens_ < 1) {
    Flood(http::FloodKind::kRapidReset,
          absl::StrCat("RST_STREAM frames beyond a burst of ", options_.flood.reset_burst, " and ",
                       options_.flood.reset_rate_per_second, " per second (rapid reset)"));
    return;
  }
  reset_tokens_ -= 1;
}

void Codec::OnErrorGoawaySent(const nghttp2_goaway& goaway) {
  const absl::string_view debug(reinterpret_cast<const char*>(goaway.opaque_data), goaway.opaque_data_len);
  if (goaway.error_code == NGHTTP2_ENHANCE_YOUR_CALM) {
    if (calm_goaway_) return;  // ours
    // nghttp2 decided on its own, without telling us why but in the GOAWAY's debug data.
    calm_goaway_ = true;
    http::FloodKind kind = http::FloodKind::kLibrary;
    if (last_frame_type_ == NGHTTP2_SETTINGS) kind = http::FloodKind::kSettings;
    if (last_frame_type_ == NGHTTP2_RST_STREAM) kind = http::FloodKind::kRapidReset;
    ++counters_.flood(kind);
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

absl::Time Codec::Now() const { return context_.loop != nullptr ? context_.loop->Now() : absl::Now(); }

absl::string_view Codec::PeekOutput() {
  if (peer_closed_) return {};
  if (out_offset_ == out_.size() && borrowed_.empty()) FillOutput();
  if (out_offset_ < out_.size()) return absl::string_view(out_).substr(out_offset_);
  return borrowed_;
}

void Codec::FillOutput() {
  if (peer_closed_ || out_failed_ || !borrowed_.empty()) return;  // mem_send would invalidate borrowed_
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
      out_failed_ = true;
      break;
    }
    if (n == 0) break;
    if (static_cast<size_t>(n) >= kPassThroughBytes) {
      borrowed_ = View(data, static_cast<size_t>(n));  // valid until the next mem_send, which waits for it
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

bool Codec::WantsRead() const { return !peer_closed_ && !fatal_ && nghttp2_session_want_read(session_.get()) != 0; }

bool Codec::WantsClose() const {
  if (peer_closed_) return true;
  if (out_offset_ < out_.size() || !borrowed_.empty()) return false;
  nghttp2_session* session = session_.get();
  if (out_failed_) return true;
  if (fatal_) return nghttp2_session_want_write(session) == 0;
  return nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0;
}

http::CodecPhase Codec::phase() const { return open_streams_ == 0 ? http::CodecPhase::kIdle : http::CodecPhase::kBusy; }

void Codec::BeginShutdown() {
  if (shutdown_notice_sent_ || goaway_submitted_ || peer_closed_) return;
  shutdown_notice_sent_ = true;
  const int rv = nghttp2_submit_shutdown_notice(session_.get());
  if (rv != 0) FailInternal(NghttpError("nghttp2_submit_shutdown_notice", rv));
  OutputReady();
}

void Codec::CompleteShutdown() {
  if (goaway_submitted_ || peer_closed_) return;
  goaway_submitted_ = true;
  const int rv =
      nghttp2_submit_goaway(session_.get(), NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_.get()),
                            NGHTTP2_NO_ERROR, nullptr, 0);
  if (rv != 0) FailInternal(NghttpError("nghttp2_submit_goaway", rv));
  OutputReady();
}

void Codec::OnPeerClosed() {
  if (peer_closed_) return;
  peer_closed_ = true;
  out_.clear();
  out_offset_ = 0;
  borrowed_ = {};
  for (Stream* stream = live_head_; stream != nullptr; stream = stream->next) {
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
