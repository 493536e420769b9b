#ifndef APISERVE_HTTP2_SESSION_CALLBACKS_H_
#define APISERVE_HTTP2_SESSION_CALLBACKS_H_

// http2::SessionEvents and the nghttp2 callback table that trampolines into it. The table is built once and shared
// by every session; each session's user_data is its SessionEvents (http2::Codec implements it). Callbacks run on
// the session's thread, inside nghttp2_session_mem_recv / mem_send.

#include <cstdint>

#include "absl/strings/string_view.h"
#include "nghttp2/nghttp2.h"

namespace apiserve::http2 {

// SessionEvents receives one session's callbacks. Each returns what nghttp2 expects of that callback: 0, or
// NGHTTP2_ERR_CALLBACK_FAILURE (stop: the session is unusable), or NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE (reset
// the stream).
class SessionEvents {
 public:
  virtual int OnBeginFrame(const nghttp2_frame_hd& hd) = 0;
  virtual int OnBeginHeaders(const nghttp2_frame& frame) = 0;
  virtual int OnHeader(const nghttp2_frame& frame, absl::string_view name, absl::string_view value) = 0;
  virtual int OnInvalidHeader(const nghttp2_frame& frame, absl::string_view name) = 0;
  virtual int OnDataChunk(int32_t stream_id, absl::string_view data) = 0;
  virtual int OnFrameRecv(const nghttp2_frame& frame) = 0;
  virtual int OnInvalidFrameRecv(const nghttp2_frame& frame, int lib_error_code) = 0;
  virtual int OnFrameSend(const nghttp2_frame& frame) = 0;
  virtual int OnStreamClose(int32_t stream_id, uint32_t error_code) = 0;

 protected:
  ~SessionEvents() = default;
};

// SessionCallbacks returns the shared table (user_data: a SessionEvents*), or null if nghttp2 could not allocate it
// (logged).
const nghttp2_session_callbacks* SessionCallbacks();

}  // namespace apiserve::http2

#endif  // APISERVE_HTTP2_SESSION_CALLBACKS_H_
