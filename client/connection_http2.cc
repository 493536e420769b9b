// Connection's HTTP/2 half: the nghttp2 client session, one stream per call.

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "client/connection.h"
#include "client/core.h"
#include "client/request_check.h"
#include "tls/ssl_error.h"

namespace apiserve::client::internal {

const nghttp2_session_callbacks* Connection::Http2Callbacks() {
  static const nghttp2_session_callbacks* const callbacks = [] {
    nghttp2_session_callbacks* cbs = nullptr;
    if (nghttp2_session_callbacks_new(&cbs) != 0) {
      std::fprintf(stderr, "client: nghttp2_session_callbacks_new failed\n");
      std::abort();
    }
    nghttp2_session_callbacks_set_on_header_callback(cbs, &Connection::OnHeader);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, &Connection::OnFrameRecv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, &Connection::OnDataChunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, &Connection::OnStreamClose);
    return cbs;  // shared by every session for the life of the process
  }();
  return callbacks;
}

absl::Status Connection::StartHttp2() {
  nghttp2_session* session = nullptr;
  if (const int rc = nghttp2_session_client_new(&session, Http2Callbacks(), this); rc != 0) {
    return http2::NghttpError("nghttp2_session_client_new", rc);
  }
  session_.reset(session);
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20},
  };
  if (const int rc = nghttp2_submit_settings(session_.get(), NGHTTP2_FLAG_NONE, settings, 2); rc != 0) {
    return http2::NghttpError("nghttp2_submit_settings", rc);
  }
  if (const int rc = nghttp2_session_set_local_window_size(session_.get(), NGHTTP2_FLAG_NONE, 0, 16 << 20); rc != 0) {
    return http2::NghttpError("nghttp2_session_set_local_window_size", rc);
  }
  return absl::OkStatus();
}

namespace {

nghttp2_nv MakeNv(absl::string_view name, absl::string_view value) {
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
                    NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

absl::Status Connection::SubmitHttp2(const CallPtr& call) {
  const Request& request = call->request;
  const std::string token = HasHeader(request, "authorization") ? "" : core_->Token();
  const std::string authorization = token.empty() ? "" : absl::StrCat("Bearer ", token);
  const std::string content_length = absl::StrCat(request.body.size());
  std::vector<std::string> lowered;  // keeps the lower-cased names alive until submit copies them
  lowered.reserve(request.headers.size());
  std::vector<nghttp2_nv> nva = {
      MakeNv(":method", request.method),
      MakeNv(":scheme", "https"),
      MakeNv(":authority", core_->target().authority),
      MakeNv(":path", request.path),
  };
  if (!HasHeader(request, "user-agent")) nva.push_back(MakeNv("user-agent", core_->user_agent()));
  if (!authorization.empty()) nva.push_back(MakeNv("authorization", authorization));
  if (MethodHasBody(request)) nva.push_back(MakeNv("content-length", content_length));
  for (const auto& [name, value] : request.headers) {
    lowered.push_back(absl::AsciiStrToLower(name));
    nva.push_back(MakeNv(lowered.back(), value));
  }
  nghttp2_data_provider provider{};
  provider.source.ptr = this;
  provider.read_callback = &Connection::ReadRequestBody;
  const int32_t stream_id = nghttp2_submit_request(session_.get(), nullptr, nva.data(), nva.size(),
                                                   request.body.empty() ? nullptr : &provider, nullptr);
  if (stream_id < 0) {
    if (stream_id == NGHTTP2_ERR_STREAM_ID_NOT_AVAILABLE) {
      goaway_ = true;  // stream ids exhausted: this connection takes no more
      call->connection = nullptr;
      core_->Retry(call);
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError(
        absl::StrCat("nghttp2_submit_request: ", nghttp2_strerror(stream_id), " for ", call->description));
  }
  call->stream_id = stream_id;
  streams_[stream_id] = call;
  return absl::OkStatus();
}

ssize_t Connection::ReadRequestBody(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length,
                                    uint32_t* data_flags, nghttp2_data_source* source, void*) {
  auto* self = static_cast<Connection*>(source->ptr);
  Call* call = self->StreamCall(stream_id);
  if (call == nullptr) {
    *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return 0;
  }
  const std::string& body = call->request.body;
  const size_t n = std::min(length, body.size() - call->body_offset);
  std::memcpy(buf, body.data() + call->body_offset, n);
  call->body_offset += n;
  if (call->body_offset == body.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

Call* Connection::StreamCall(int32_t stream_id) {
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? nullptr : it->second.get();
}

int Connection::OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                         const uint8_t* value, size_t valuelen, uint8_t, void* user_data) {
  auto* self = static_cast<Connection*>(user_data);
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  Call* call = self->StreamCall(frame->hd.stream_id);
  if (call == nullptr || call->head_seen) return 0;  // trailers are dropped
  call->any_response = true;
  const absl::string_view n(reinterpret_cast<const char*>(name), namelen);
  const absl::string_view v(reinterpret_cast<const char*>(value), valuelen);
  if (n == ":status") {
    int status = 0;
    if (!absl::SimpleAtoi(v, &status)) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    call->response.status = status;
    call->response.headers.clear();  // after a 1xx
    return 0;
  }
  call->response.headers.emplace_back(std::string(n), std::string(v));
  return 0;
}

int Connection::OnFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  auto* self = static_cast<Connection*>(user_data);
  if (frame->hd.type == NGHTTP2_GOAWAY) {
    self->goaway_ = true;  // streams above last_stream_id close with REFUSED_STREAM and are retried
    return 0;
  }
  if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
  Call* call = self->StreamCall(frame->hd.stream_id);
  if (call == nullptr) return 0;
  if (frame->hd.type == NGHTTP2_HEADERS && !call->head_seen && call->response.status >= 200) {
    call->head_seen = true;
    if (call->watch != nullptr) {
      self->core_->Finish(call, call->response);  // delivers the head; the watch keeps streaming
      if (self->StreamCall(frame->hd.stream_id) != call) return 0;
    }
  }
  if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0 && call->head_seen) {
    CallPtr keep = self->streams_[frame->hd.stream_id];
    self->streams_.erase(frame->hd.stream_id);
    keep->connection = nullptr;
    ++self->served_;
    self->core_->Finish(keep.get(), std::move(keep->response));
  }
  return 0;
}

int Connection::OnDataChunk(nghttp2_session* session, uint8_t, int32_t stream_id, const uint8_t* data, size_t len,
                            void* user_data) {
  auto* self = static_cast<Connection*>(user_data);
  Call* call = self->StreamCall(stream_id);
  if (call == nullptr) return 0;
  if (absl::Status status = self->core_->CheckBodyLimit(*call, len); !status.ok()) {
    // Cancel the stream (sent by the Flush after this read) and fail the call; the connection stays.
    CallPtr keep = std::move(self->streams_[stream_id]);
    self->streams_.erase(stream_id);
    keep->connection = nullptr;
    self->core_->Finish(keep.get(), std::move(status));
    if (const int rc = nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL); rc != 0) {
      self->callback_error_ = http2::NghttpError("nghttp2_submit_rst_stream", rc);
      return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
    return 0;
  }
  self->core_->AppendBody(call, absl::string_view(reinterpret_cast<const char*>(data), len));
  return 0;
}

int Connection::OnStreamClose(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user_data) {
  auto* self = static_cast<Connection*>(user_data);
  auto it = self->streams_.find(stream_id);
  if (it == self->streams_.end()) return 0;
  CallPtr call = std::move(it->second);
  self->streams_.erase(it);
  call->connection = nullptr;
  if (call->finished) return 0;
  if (error_code == NGHTTP2_REFUSED_STREAM && !call->any_response && !call->retried) {
    self->core_->Retry(call);
    return 0;
  }
  self->core_->Finish(call.get(),
                      absl::UnavailableError(absl::StrCat("stream ", stream_id, " to ", self->core_->target().address,
                                                          " reset: ", nghttp2_http2_strerror(error_code))));
  return 0;
}

}  // namespace apiserve::client::internal
