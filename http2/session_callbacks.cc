#include "http2/session_callbacks.h"

#include "base/logger.h"
#include "http2/nghttp2_handles.h"

namespace apiserve::http2 {
namespace {

SessionEvents* Of(void* user_data) { return static_cast<SessionEvents*>(user_data); }

absl::string_view View(const uint8_t* data, size_t size) {
  return absl::string_view(reinterpret_cast<const char*>(data), size);
}

int OnBeginFrame(nghttp2_session*, const nghttp2_frame_hd* hd, void* user_data) {
  return Of(user_data)->OnBeginFrame(*hd);
}

int OnBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  return Of(user_data)->OnBeginHeaders(*frame);
}

int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen, const uint8_t* value,
             size_t valuelen, uint8_t, void* user_data) {
  return Of(user_data)->OnHeader(*frame, View(name, namelen), View(value, valuelen));
}

int OnInvalidHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen, const uint8_t*,
                    size_t, uint8_t, void* user_data) {
  return Of(user_data)->OnInvalidHeader(*frame, View(name, namelen));
}

int OnDataChunk(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t len, void* user_data) {
  return Of(user_data)->OnDataChunk(stream_id, View(data, len));
}

int OnFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  return Of(user_data)->OnFrameRecv(*frame);
}

int OnInvalidFrameRecv(nghttp2_session*, const nghttp2_frame* frame, int lib_error_code, void* user_data) {
  return Of(user_data)->OnInvalidFrameRecv(*frame, lib_error_code);
}

int OnFrameSend(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  return Of(user_data)->OnFrameSend(*frame);
}

int OnStreamClose(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user_data) {
  return Of(user_data)->OnStreamClose(stream_id, error_code);
}

int OnError(nghttp2_session*, int, const char* msg, size_t len, void*) {
  VLOG(4) << "HTTP/2: " << absl::string_view(msg, len);
  return 0;
}

}  // namespace

const nghttp2_session_callbacks* SessionCallbacks() {
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

}  // namespace apiserve::http2
