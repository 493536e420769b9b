#ifndef APISERVE_CLIENT_CONNECTION_H_
#define APISERVE_CLIENT_CONNECTION_H_

// client::internal::Connection: one TCP + TLS connection of the HTTPS client, speaking HTTP/2 or HTTP/1.1 as ALPN
// decides. connection.cc dials (DNS, TCP, TLS handshake), reads, writes and closes; connection_http2.cc runs the
// nghttp2 client session (a stream per call); connection_http1.cc writes HTTP/1.1 requests and parses responses with
// llhttp (one call at a time, kept alive for the next). I/O thread only; owned by Core (core.h).

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "client/call.h"
#include "http2/nghttp2_handles.h"
#include "llhttp.h"
#include "nghttp2/nghttp2.h"
#include "openssl/ssl.h"
#include "uv.h"

namespace apiserve::client::internal {

class Core;

// Connection: one TCP + TLS connection, HTTP/2 or HTTP/1.1 after the handshake. I/O thread only. Owned by Core; it is
// deleted once closed and every libuv request and handle it started has called back (`outstanding_`).

class Connection {
 public:
  enum class Protocol { kUnknown, kHttp1, kHttp2 };
  enum class State { kResolving, kConnecting, kHandshaking, kReady, kClosed };

  Connection(Core* core, uint64_t id) : core_(core), id_(id) {}
  ~Connection();

  void Open();
  // Close fails every call still on the connection with `status` (a reused HTTP/1.1 connection or a refused HTTP/2
  // stream gives its call one retry instead) and closes the socket. Idempotent.
  void Close(const absl::Status& status);
  // Submit sends `call` on this connection (Ready; HTTP/2 and Usable, or HTTP/1.1 and Idle).
  void Submit(const CallPtr& call);
  // Detach forgets a call that finished elsewhere (timeout, cancel): HTTP/2 resets its stream; HTTP/1.1 closes.
  void Detach(Call* call);

  bool Usable() const { return state_ == State::kReady && !goaway_; }
  bool Idle() const { return state_ == State::kReady && h1_call_ == nullptr && streams_.empty(); }
  State state() const { return state_; }
  Protocol protocol() const { return protocol_; }
  uint64_t id() const { return id_; }
  bool Deletable() const { return state_ == State::kClosed && outstanding_ == 0; }

 private:
  static void OnResolved(uv_getaddrinfo_t* request, int status, addrinfo* result);
  static void OnConnected(uv_connect_t* request, int status);
  static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnWritten(uv_write_t* request, int status);
  static void OnClosed(uv_handle_t* handle);
  static void OnIdleTimer(uv_timer_t* timer);

  // Process runs the handshake or reads application data, then flushes. Any failure closes the connection.
  void Process();
  absl::Status Handshake(bool* done);
  absl::Status OnHandshakeDone();
  absl::Status ReadApplicationData();
  // Flush moves nghttp2's output through TLS and TLS's output to the socket.
  absl::Status Flush();
  absl::Status Write(absl::string_view data);
  void BecameIdleMaybe();
  void StopIdleTimer();
  void OnPeerClosed();

  // HTTP/2.
  absl::Status StartHttp2();
  absl::Status SubmitHttp2(const CallPtr& call);
  static const nghttp2_session_callbacks* Http2Callbacks();
  static int OnHeader(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                      const uint8_t* value, size_t valuelen, uint8_t flags, void* user_data);
  static int OnFrameRecv(nghttp2_session* session, const nghttp2_frame* frame, void* user_data);
  static int OnDataChunk(nghttp2_session* session, uint8_t flags, int32_t stream_id, const uint8_t* data, size_t len,
                         void* user_data);
  static int OnStreamClose(nghttp2_session* session, int32_t stream_id, uint32_t error_code, void* user_data);
  static ssize_t ReadRequestBody(nghttp2_session* session, int32_t stream_id, uint8_t* buf, size_t length,
                                 uint32_t* data_flags, nghttp2_data_source* source, void* user_data);
  Call* StreamCall(int32_t stream_id);

  // HTTP/1.1.
  absl::Status SubmitHttp1(const CallPtr& call);
  absl::Status ExecuteHttp1(const char* data, size_t len);
  absl::Status AfterHttp1Message();
  static int OnH1HeaderField(llhttp_t* parser, const char* at, size_t length);
  static int OnH1HeaderValue(llhttp_t* parser, const char* at, size_t length);
  static int OnH1HeaderValueComplete(llhttp_t* parser);
  static int OnH1HeadersComplete(llhttp_t* parser);
  static int OnH1Body(llhttp_t* parser, const char* at, size_t length);
  static int OnH1MessageComplete(llhttp_t* parser);
  static const llhttp_settings_t* Http1Settings();

  Core* const core_;
  const uint64_t id_;
  State state_ = State::kResolving;
  Protocol protocol_ = Protocol::kUnknown;
  int outstanding_ = 0;  // libuv requests and handles whose callback has not run yet
  bool tcp_open_ = false;
  uv_getaddrinfo_t resolve_{};
  bool resolving_ = false;
  uv_connect_t connect_{};
  uv_tcp_t tcp_{};
  uv_timer_t idle_timer_{};
  bool idle_timer_open_ = false;
  bssl::UniquePtr<SSL> ssl_;
  BIO* rbio_ = nullptr;  // owned by ssl_
  BIO* wbio_ = nullptr;  // owned by ssl_
  bool peer_closed_ = false;
  int served_ = 0;  // responses completed on this connection

  // HTTP/2.
  http2::SessionPtr session_;
  bool goaway_ = false;
  absl::flat_hash_map<int32_t, CallPtr> streams_;
  absl::Status callback_error_;

  // HTTP/1.1.
  llhttp_t parser_{};
  CallPtr h1_call_;
  std::string h1_field_;
  std::string h1_value_;
  bool h1_message_done_ = false;
  bool h1_keep_alive_ = false;
};

}  // namespace apiserve::client::internal

#endif  // APISERVE_CLIENT_CONNECTION_H_
