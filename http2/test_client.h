#ifndef APISERVE_HTTP2_TEST_CLIENT_H_
#define APISERVE_HTTP2_TEST_CLIENT_H_

// http2::TestClient: a real nghttp2 client session in memory, for codec tests and the benchmark.
//
//   TestClient client;
//   int32_t id = client.Get("/healthz");
//   std::string bytes = client.TakeOutput();   // → codec.Feed(bytes)
//   client.Receive(codec_output);              // ← codec.PeekOutput()
//   client.responses[id].status == 200
//
// Also builds raw frames for the cases a client library refuses to produce. Test-only; single-threaded.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "http/header_map.h"
#include "http2/nghttp2_handles.h"

namespace apiserve::http2 {

struct ClientResponse {
  int status = 0;
  http::HeaderMap headers;
  http::HeaderMap trailers;
  std::string body;
  int data_frames = 0;
  bool closed = false;
  uint32_t close_error = 0;  // RST_STREAM code, or 0 after a normal close
  bool reset = false;        // closed by RST_STREAM from the server
};

struct ClientOptions {
  bool http_messaging = true;      // nghttp2's own checks; off to send malformed requests
  bool auto_window_update = true;  // off: the test consumes response bytes itself (ConsumeResponse)
  size_t max_send_header_block = 64 * 1024;
  bool send_preface = true;  // submit the client SETTINGS at construction
};

class TestClient {
 public:
  explicit TestClient(ClientOptions options = ClientOptions());
  ~TestClient() = default;
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // Submit sends a request; `body` (if not null) is sent as DATA, ending the stream. Returns the stream id, or a
  // negative nghttp2 error.
  int32_t Submit(absl::string_view method, absl::string_view path,
                 std::vector<std::pair<std::string, std::string>> headers = {}, const std::string* body = nullptr,
                 bool end_stream = true);
  int32_t Get(absl::string_view path) { return Submit("GET", path); }

  // TakeOutput returns everything the client session wants to send now.
  std::string TakeOutput();
  // Receive feeds server bytes to the client session. Returns nghttp2_session_mem_recv's result.
  ssize_t Receive(absl::string_view bytes);
  // ConsumeResponse gives `n` bytes of window back on `stream_id` (with auto_window_update off).
  void ConsumeResponse(int32_t stream_id, size_t n);

  nghttp2_session* session() { return session_.get(); }

  std::map<int32_t, ClientResponse> responses;
  // GOAWAY frames received: (last stream id, error code, debug data).
  struct Goaway {
    int32_t last_stream_id;
    uint32_t error_code;
    std::string debug;
  };
  std::vector<Goaway> goaways;
  int settings_received = 0;
  int settings_acks_received = 0;
  int ping_acks_received = 0;
  int window_updates_received = 0;
  size_t uploads_pending = 0;  // body bytes of submitted requests not yet framed

 private:
  struct Upload {
    std::string data;
    size_t offset = 0;
  };
  static ssize_t ReadUpload(nghttp2_session* session, int32_t stream_id, uint8_t* buf, size_t length,
                            uint32_t* data_flags, nghttp2_data_source* source, void* user_data);
  friend struct ClientCallbacks;

  SessionPtr session_;
  std::map<int32_t, Upload> uploads_;
};

// Raw frame builders (RFC 9113 §4.1): a 9-byte header and the payload.
std::string Frame(uint8_t type, uint8_t flags, uint32_t stream_id, absl::string_view payload);
std::string ClientPreface();  // the magic plus an empty SETTINGS frame
std::string SettingsAck();
std::string Ping(uint64_t opaque);
std::string Priority(uint32_t stream_id, uint32_t depends_on, uint8_t weight);
std::string RstStream(uint32_t stream_id, uint32_t error_code);
std::string Data(uint32_t stream_id, absl::string_view data, bool end_stream);
// HpackLiteral encodes one header field as a literal without indexing, no Huffman (RFC 7541 §6.2.2).
std::string HpackLiteral(absl::string_view name, absl::string_view value);
// RequestHeaderBlock encodes :method GET, :scheme https, :path `path`, :authority example.com, then `extra`.
std::string RequestHeaderBlock(absl::string_view path, absl::string_view extra = "");

}  // namespace apiserve::http2

#endif  // APISERVE_HTTP2_TEST_CLIENT_H_
