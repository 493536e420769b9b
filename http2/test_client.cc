#include "http2/test_client.h"

#include <cstring>

#include "absl/strings/ascii.h"

namespace apiserve::http2 {

struct ClientCallbacks {
  static TestClient* Of(void* user_data) { return static_cast<TestClient*>(user_data); }

  static int OnHeader(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                      const uint8_t* value, size_t valuelen, uint8_t flags, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    ClientResponse& r = Of(user_data)->responses[frame->hd.stream_id];
    const absl::string_view n(reinterpret_cast<const char*>(name), namelen);
    const absl::string_view v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":status") {
      r.status = std::atoi(std::string(v).c_str());
    } else if (frame->headers.cat == NGHTTP2_HCAT_HEADERS && r.status != 0) {
      r.trailers.Add(n, v);
    } else {
      r.headers.Add(n, v);
    }
    return 0;
  }

  static int OnData(nghttp2_session* session, uint8_t flags, int32_t stream_id, const uint8_t* data, size_t len,
                    void* user_data) {
    Of(user_data)->responses[stream_id].body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }

  static int OnFrameRecv(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
    TestClient* client = Of(user_data);
    switch (frame->hd.type) {
      case NGHTTP2_DATA:
        ++client->responses[frame->hd.stream_id].data_frames;
        break;
      case NGHTTP2_GOAWAY:
        client->goaways.push_back(
            {frame->goaway.last_stream_id, frame->goaway.error_code,
             std::string(reinterpret_cast<const char*>(frame->goaway.opaque_data), frame->goaway.opaque_data_len)});
        break;
      case NGHTTP2_RST_STREAM:
        client->responses[frame->hd.stream_id].reset = true;
        break;
      case NGHTTP2_SETTINGS:
        if (frame->hd.flags & NGHTTP2_FLAG_ACK) {
          ++client->settings_acks_received;
        } else {
          ++client->settings_received;
        }
        break;
      case NGHTTP2_PING:
        if (frame->hd.flags & NGHTTP2_FLAG_ACK) ++client->ping_acks_received;
        break;
      case NGHTTP2_WINDOW_UPDATE:
        ++client->window_updates_received;
        break;
      default:
        break;
    }
    return 0;
  }

  static int OnStreamClose(nghttp2_session* session, int32_t stream_id, uint32_t error_code, void* user_data) {
    ClientResponse& r = Of(user_data)->responses[stream_id];
    r.closed = true;
    r.close_error = error_code;
    return 0;
  }
};

TestClient::TestClient(ClientOptions options) {
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  CallbacksPtr callbacks(cb);
  nghttp2_session_callbacks_set_on_header_callback(cb, ClientCallbacks::OnHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, ClientCallbacks::OnData);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, ClientCallbacks::OnFrameRecv);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, ClientCallbacks::OnStreamClose);
  nghttp2_option* opt = nullptr;
  nghttp2_option_new(&opt);
  OptionPtr option(opt);
  nghttp2_option_set_no_http_messaging(opt, options.http_messaging ? 0 : 1);
  nghttp2_option_set_no_auto_window_update(opt, options.auto_window_update ? 0 : 1);
  nghttp2_option_set_max_send_header_block_length(opt, options.max_send_header_block);
  nghttp2_option_set_peer_max_concurrent_streams(opt, 1000);
  nghttp2_session* session = nullptr;
  nghttp2_session_client_new2(&session, cb, this, opt);
  session_.reset(session);
  if (options.send_preface) nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, nullptr, 0);
}

ssize_t TestClient::ReadUpload(nghttp2_session* session, int32_t stream_id, uint8_t* buf, size_t length,
                               uint32_t* data_flags, nghttp2_data_source* source, void* user_data) {
  TestClient* client = static_cast<TestClient*>(user_data);
  Upload& upload = client->uploads_[stream_id];
  const size_t n = std::min(length, upload.data.size() - upload.offset);
  std::memcpy(buf, upload.data.data() + upload.offset, n);
  upload.offset += n;
  client->uploads_pending -= n;
  if (upload.offset == upload.data.size()) {
    *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    if (source->ptr != nullptr) *data_flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
  }
  return static_cast<ssize_t>(n);
}

int32_t TestClient::Submit(absl::string_view method, absl::string_view path,
                           std::vector<std::pair<std::string, std::string>> headers, const std::string* body,
                           bool end_stream) {
  std::vector<std::pair<std::string, std::string>> all = {{":method", std::string(method)},
                                                          {":scheme", "https"},
                                                          {":path", std::string(path)},
                                                          {":authority", "example.com"}};
  for (auto& h : headers) all.push_back(std::move(h));
  std::vector<nghttp2_nv> nva;
  for (auto& [name, value] : all) {
    nva.push_back({reinterpret_cast<uint8_t*>(name.data()), reinterpret_cast<uint8_t*>(value.data()), name.size(),
                   value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  if (body == nullptr) {
    return nghttp2_submit_headers(session_.get(), end_stream ? NGHTTP2_FLAG_END_STREAM : NGHTTP2_FLAG_NONE, -1, nullptr,
                                  nva.data(), nva.size(), nullptr);
  }
  nghttp2_data_provider provider;
  provider.source.ptr = end_stream ? nullptr : this;  // non-null: leave the stream open after the body
  provider.read_callback = &TestClient::ReadUpload;
  const int32_t id = nghttp2_submit_request(session_.get(), nullptr, nva.data(), nva.size(), &provider, nullptr);
  if (id > 0) {
    uploads_[id].data = *body;
    uploads_pending += body->size();
  }
  return id;
}

std::string TestClient::TakeOutput() {
  std::string out;
  for (;;) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_.get(), &data);
    if (n <= 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  return out;
}

ssize_t TestClient::Receive(absl::string_view bytes) {
  return nghttp2_session_mem_recv(session_.get(), reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

void TestClient::ConsumeResponse(int32_t stream_id, size_t n) { nghttp2_session_consume(session_.get(), stream_id, n); }

std::string Frame(uint8_t type, uint8_t flags, uint32_t stream_id, absl::string_view payload) {
  std::string out;
  const size_t len = payload.size();
  out.push_back(static_cast<char>((len >> 16) & 0xff));
  out.push_back(static_cast<char>((len >> 8) & 0xff));
  out.push_back(static_cast<char>(len & 0xff));
  out.push_back(static_cast<char>(type));
  out.push_back(static_cast<char>(flags));
  out.push_back(static_cast<char>((stream_id >> 24) & 0x7f));
  out.push_back(static_cast<char>((stream_id >> 16) & 0xff));
  out.push_back(static_cast<char>((stream_id >> 8) & 0xff));
  out.push_back(static_cast<char>(stream_id & 0xff));
  out.append(payload.data(), payload.size());
  return out;
}

namespace {
std::string U32(uint32_t v) {
  std::string out(4, '\0');
  out[0] = static_cast<char>(v >> 24);
  out[1] = static_cast<char>(v >> 16);
  out[2] = static_cast<char>(v >> 8);
  out[3] = static_cast<char>(v);
  return out;
}

void HpackInteger(uint32_t value, int prefix_bits, uint8_t first, std::string* out) {
  const uint32_t max = (1u << prefix_bits) - 1;
  if (value < max) {
    out->push_back(static_cast<char>(first | value));
    return;
  }
  out->push_back(static_cast<char>(first | max));
  value -= max;
  while (value >= 128) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}
}  // namespace

std::string ClientPreface() {
  return std::string(NGHTTP2_CLIENT_MAGIC, NGHTTP2_CLIENT_MAGIC_LEN) + Frame(NGHTTP2_SETTINGS, 0, 0, "");
}

std::string SettingsAck() { return Frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0, ""); }

std::string Ping(uint64_t opaque) {
  std::string payload = U32(static_cast<uint32_t>(opaque >> 32)) + U32(static_cast<uint32_t>(opaque));
  return Frame(NGHTTP2_PING, 0, 0, payload);
}

std::string Priority(uint32_t stream_id, uint32_t depends_on, uint8_t weight) {
  return Frame(NGHTTP2_PRIORITY, 0, stream_id, U32(depends_on) + std::string(1, static_cast<char>(weight)));
}

std::string RstStream(uint32_t stream_id, uint32_t error_code) {
  return Frame(NGHTTP2_RST_STREAM, 0, stream_id, U32(error_code));
}

std::string Data(uint32_t stream_id, absl::string_view data, bool end_stream) {
  return Frame(NGHTTP2_DATA, end_stream ? NGHTTP2_FLAG_END_STREAM : 0, stream_id, data);
}

std::string HpackLiteral(absl::string_view name, absl::string_view value) {
  std::string out;
  out.push_back(0);  // literal without indexing, new name
  HpackInteger(static_cast<uint32_t>(name.size()), 7, 0, &out);
  out.append(name.data(), name.size());
  HpackInteger(static_cast<uint32_t>(value.size()), 7, 0, &out);
  out.append(value.data(), value.size());
  return out;
}

std::string RequestHeaderBlock(absl::string_view path, absl::string_view extra) {
  std::string block;
  block.push_back(static_cast<char>(0x82));  // :method GET (static index 2)
  block.push_back(static_cast<char>(0x87));  // :scheme https (7)
  block += HpackLiteral(":path", path);
  block += HpackLiteral(":authority", "example.com");
  block.append(extra.data(), extra.size());
  return block;
}

}  // namespace apiserve::http2
