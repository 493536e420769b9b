#include "client/https_client.h"

#include <arpa/inet.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <deque>
#include <list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "base/mutex.h"
#include "base/status_macros.h"
#include "client/io_thread.h"
#include "http2/nghttp2_handles.h"
#include "llhttp.h"
#include "nghttp2/nghttp2.h"
#include "openssl/err.h"
#include "openssl/pem.h"
#include "openssl/ssl.h"
#include "openssl/x509.h"
#include "openssl/x509v3.h"
#include "tls/file_util.h"
#include "tls/ssl_error.h"
#include "uv.h"

namespace apiserve::client {
namespace {

constexpr absl::string_view kDefaultUserAgent = "apiserve-client";
constexpr size_t kReadBufferSize = 64 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// Configuration.

struct Target {
  std::string host;  // without brackets
  int port = 443;
  std::string authority;  // host[:port] as sent in Host / :authority
  std::string address;    // "host:port" for messages ("[::1]:port" for IPv6)
};

bool IsIpLiteral(const std::string& host) {
  in6_addr v6;
  in_addr v4;
  return inet_pton(AF_INET, host.c_str(), &v4) == 1 || inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

absl::StatusOr<Target> ParseHost(absl::string_view url) {
  const auto bad = [url](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("host \"", url, "\": ", why));
  };
  if (url.empty()) return bad("empty; want https://host[:port]");
  if (!absl::ConsumePrefix(&url, "https://")) return bad("only https:// URLs are supported");
  absl::ConsumeSuffix(&url, "/");
  if (url.find_first_of("/?#@") != absl::string_view::npos) return bad("want https://host[:port] without a path");
  Target target;
  absl::string_view port;
  if (absl::ConsumePrefix(&url, "[")) {
    const size_t close = url.find(']');
    if (close == absl::string_view::npos) return bad("unterminated IPv6 literal");
    target.host = std::string(url.substr(0, close));
    url.remove_prefix(close + 1);
    if (!url.empty() && !absl::ConsumePrefix(&url, ":")) return bad("junk after the IPv6 literal");
    port = url;
  } else {
    const size_t colon = url.rfind(':');
    target.host = std::string(url.substr(0, colon));
    if (colon != absl::string_view::npos) port = url.substr(colon + 1);
  }
  if (target.host.empty()) return bad("no host");
  if (!port.empty() && (!absl::SimpleAtoi(port, &target.port) || target.port <= 0 || target.port > 65535)) {
    return bad("bad port");
  }
  const bool v6 = target.host.find(':') != std::string::npos;
  const std::string bracketed = v6 ? absl::StrCat("[", target.host, "]") : target.host;
  target.address = absl::StrCat(bracketed, ":", target.port);
  target.authority = target.port == 443 ? bracketed : target.address;
  return target;
}

absl::StatusOr<std::vector<bssl::UniquePtr<X509>>> ParseCertificates(absl::string_view pem, absl::string_view what) {
  bssl::UniquePtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return tls::SslError("BIO_new_mem_buf");
  std::vector<bssl::UniquePtr<X509>> certs;
  for (;;) {
    bssl::UniquePtr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    certs.push_back(std::move(cert));
  }
  ERR_clear_error();  // the loop ends on "no start line"
  if (certs.empty()) return absl::InvalidArgumentError(absl::StrCat(what, ": no PEM certificate found"));
  return certs;
}

absl::StatusOr<std::string> PemFrom(const std::string& pem, const std::string& file, absl::string_view pem_field,
                                    absl::string_view file_field) {
  if (!pem.empty() && !file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("both ", pem_field, " and ", file_field, " are set"));
  }
  if (!file.empty()) return tls::ReadFileToString(file);
  return pem;
}

absl::StatusOr<bssl::UniquePtr<SSL_CTX>> NewSslCtx(const ClientConfig& config) {
  bssl::UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_method()));
  if (!ctx) return tls::SslError("SSL_CTX_new");
  if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1) {
    return tls::SslError("SSL_CTX_set_min_proto_version");
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);

  ASSIGN_OR_RETURN(const std::string ca_pem, PemFrom(config.ca_pem, config.ca_file, "ca_pem", "ca_file"));
  if (!ca_pem.empty()) {
    const std::string what = config.ca_file.empty() ? "ca_pem" : absl::StrCat("ca_file ", config.ca_file);
    ASSIGN_OR_RETURN(std::vector<bssl::UniquePtr<X509>> cas, ParseCertificates(ca_pem, what));
    X509_STORE* store = SSL_CTX_get_cert_store(ctx.get());
    for (const auto& ca : cas) {
      if (X509_STORE_add_cert(store, ca.get()) != 1) {
        const uint32_t error = ERR_peek_last_error();
        if (ERR_GET_LIB(error) == ERR_LIB_X509 && ERR_GET_REASON(error) == X509_R_CERT_ALREADY_IN_HASH_TABLE) {
          ERR_clear_error();
          continue;
        }
        return tls::SslError("X509_STORE_add_cert");
      }
    }
  } else if (SSL_CTX_load_verify_locations(ctx.get(), "/etc/ssl/certs/ca-certificates.crt", nullptr) != 1) {
    return tls::SslError("SSL_CTX_load_verify_locations(/etc/ssl/certs/ca-certificates.crt)");
  }

  ASSIGN_OR_RETURN(const std::string cert_pem, PemFrom(config.cert_pem, config.cert_file, "cert_pem", "cert_file"));
  ASSIGN_OR_RETURN(const std::string key_pem, PemFrom(config.key_pem, config.key_file, "key_pem", "key_file"));
  if (cert_pem.empty() != key_pem.empty()) {
    return absl::InvalidArgumentError("a client certificate needs a key and a key needs a certificate");
  }
  if (!cert_pem.empty()) {
    const std::string what = config.cert_file.empty() ? "cert_pem" : absl::StrCat("cert_file ", config.cert_file);
    ASSIGN_OR_RETURN(std::vector<bssl::UniquePtr<X509>> chain, ParseCertificates(cert_pem, what));
    if (SSL_CTX_use_certificate(ctx.get(), chain[0].get()) != 1) {
      return tls::SslError(absl::StrCat("SSL_CTX_use_certificate(", what, ")"), absl::StatusCode::kInvalidArgument);
    }
    for (size_t i = 1; i < chain.size(); ++i) {
      if (SSL_CTX_add1_chain_cert(ctx.get(), chain[i].get()) != 1) return tls::SslError("SSL_CTX_add1_chain_cert");
    }
    const std::string key_what = config.key_file.empty() ? "key_pem" : absl::StrCat("key_file ", config.key_file);
    bssl::UniquePtr<BIO> bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
    if (!bio) return tls::SslError("BIO_new_mem_buf");
    bssl::UniquePtr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) return tls::SslError(absl::StrCat(key_what, ": no PEM private key"), absl::StatusCode::kInvalidArgument);
    if (X509_check_private_key(chain[0].get(), key.get()) != 1) {
      return tls::SslError(absl::StrCat(key_what, " does not match the client certificate in ", what),
                           absl::StatusCode::kInvalidArgument);
    }
    if (SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1) {
      return tls::SslError(absl::StrCat("SSL_CTX_use_PrivateKey(", key_what, ")"), absl::StatusCode::kInvalidArgument);
    }
    if (SSL_CTX_check_private_key(ctx.get()) != 1) {
      return tls::SslError(absl::StrCat(key_what, " does not match the client certificate"),
                           absl::StatusCode::kInvalidArgument);
    }
  }

  static constexpr uint8_t kAlpnBoth[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  const uint8_t* alpn = config.disable_http2 ? kAlpnBoth + 3 : kAlpnBoth;
  const size_t alpn_len = config.disable_http2 ? sizeof(kAlpnBoth) - 3 : sizeof(kAlpnBoth);
  if (SSL_CTX_set_alpn_protos(ctx.get(), alpn, alpn_len) != 0) return tls::SslError("SSL_CTX_set_alpn_protos");
  return ctx;
}

// ---------------------------------------------------------------------------------------------------------------
// Requests.

bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || absl::StrContains("!#$%&'*+-.^_`|~", c);
}

absl::Status ValidateRequest(const Request& request) {
  if (request.method.empty() || !std::all_of(request.method.begin(), request.method.end(), IsTokenChar)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid method \"", absl::CEscape(request.method), "\""));
  }
  if (request.path.empty() || request.path[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid path \"", absl::CEscape(request.path), "\": must start with '/'"));
  }
  for (const char c : request.path) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid path \"", absl::CEscape(request.path), "\": control character or space"));
    }
  }
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) {
      return absl::InvalidArgumentError(absl::StrCat("invalid header name \"", absl::CEscape(name), "\""));
    }
    for (const char c : value) {
      if (c == '\r' || c == '\n' || c == '\0') {
        return absl::InvalidArgumentError(absl::StrCat("invalid value for header ", name));
      }
    }
    for (absl::string_view reserved : {"host", "content-length", "transfer-encoding", "connection", "keep-alive",
                                       "upgrade", "te", "proxy-connection"}) {
      if (absl::EqualsIgnoreCase(name, reserved)) {
        return absl::InvalidArgumentError(absl::StrCat("header ", name, " is set by the client"));
      }
    }
  }
  return absl::OkStatus();
}

bool HasHeader(const Request& request, absl::string_view name) {
  for (const auto& header : request.headers) {
    if (absl::EqualsIgnoreCase(header.first, name)) return true;
  }
  return false;
}

// UvFailure returns Unavailable "<what>: <libuv's reason>" for the libuv error `rc`, marked as a connection reset
// (client::MarkConnectionReset) when it is UV_ECONNRESET.
absl::Status UvFailure(absl::string_view what, int rc) {
  absl::Status status = absl::UnavailableError(absl::StrCat(what, ": ", uv_strerror(rc)));
  return rc == UV_ECONNRESET ? MarkConnectionReset(std::move(status)) : status;
}

bool MethodHasBody(const Request& request) {
  return !request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
}

// A Call is one Do or Watch. Created on the caller's thread, then touched only on the I/O thread; its callbacks run
// on `executor`.
struct Call {
  Request request;
  base::Executor* executor = nullptr;
  class Core* core = nullptr;
  std::string description;  // "GET https://host:port/path" for messages

  // Do.
  ResponseCallback done;
  // Watch: shared with the tasks posted to the executor (which may run after the call finished on the I/O thread).
  struct WatchSinks {
    absl::AnyInvocable<void(const Response&)> on_headers;
    absl::AnyInvocable<void(absl::string_view)> on_data;
    absl::AnyInvocable<void(absl::Status)> done;
    // Bytes posted to on_data that have not run yet (ClientConfig::max_response_body_bytes bounds it).
    std::atomic<size_t> undelivered{0};
  };
  std::shared_ptr<WatchSinks> watch;

  // I/O thread state.
  bool finished = false;
  bool queued = false;     // in Core::pending_
  bool retried = false;    // retried once already
  bool head_seen = false;  // a final status arrived
  bool watch_head_delivered = false;
  bool any_response = false;  // any response byte arrived
  Response response;
  class Connection* connection = nullptr;
  int32_t stream_id = -1;
  size_t body_offset = 0;
  uv_timer_t* timer = nullptr;  // owned; closed by StopTimer
};

using CallPtr = std::shared_ptr<Call>;

class Core;

// ---------------------------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------------------------
// Core: the client's I/O-thread state: connections, calls waiting for one, the token. Everything but the
// constructor's inputs is touched only on the I/O thread.

class Core {
 public:
  Core(ClientConfig config, Target target, bssl::UniquePtr<SSL_CTX> ctx, std::string token)
      : config_(std::move(config)),
        target_(std::move(target)),
        ctx_(std::move(ctx)),
        file_token_(std::move(token)),
        file_token_read_(absl::Now()) {
    server_name_ = config_.tls_server_name.empty() ? target_.host : config_.tls_server_name;
    user_agent_ = config_.user_agent.empty() ? std::string(kDefaultUserAgent) : config_.user_agent;
  }

  uv_loop_t* loop() { return io_->loop(); }
  void set_io(IoThread* io) { io_ = io; }
  const ClientConfig& config() const { return config_; }
  const Target& target() const { return target_; }
  SSL_CTX* ssl_ctx() const { return ctx_.get(); }
  const std::string& server_name() const { return server_name_; }
  const std::string& user_agent() const { return user_agent_; }
  char* read_buffer() { return read_buffer_; }

  // Start arms the call's timeout and queues it for a connection.
  void Start(const CallPtr& call);
  // Finish completes `call` once: stops its timer, detaches it from its connection, posts the result.
  void Finish(Call* call, absl::StatusOr<Response> result);
  // CheckBodyLimit returns ResourceExhausted naming ClientConfig::max_response_body_bytes when `length` more body
  // bytes would take `call` over it (a Do's buffered body, a watch's undelivered data), else OK.
  absl::Status CheckBodyLimit(const Call& call, size_t length) const;
  // AppendBody buffers a Do's body bytes, or posts a watch's to its on_data (counted as undelivered until it runs).
  void AppendBody(Call* call, absl::string_view chunk);
  // Retry puts a call back at the head of the queue (once).
  void Retry(const CallPtr& call);
  // Dispatch gives queued calls to usable connections and dials new ones as needed.
  void Dispatch();
  // ConnectionFailed fails every queued call with `status` when the connection failed before it was ready (no call
  // was bound to it).
  void ConnectionFailed(const absl::Status& status);
  // ReapConnections deletes closed connections whose callbacks have all run.
  void ReapConnections();
  void NoteProtocol(Connection::Protocol protocol) { last_protocol_ = protocol; }
  // Shutdown fails every call with Cancelled and closes every connection (the client is being destroyed).
  void Shutdown();
  // Token returns the bearer token to send ("" for none), re-reading the token file when stale.
  std::string Token();

 private:
  static void OnTimeout(uv_timer_t* timer);
  void StopTimer(Call* call);

  const ClientConfig config_;
  const Target target_;
  const bssl::UniquePtr<SSL_CTX> ctx_;
  std::string server_name_;
  std::string user_agent_;
  IoThread* io_ = nullptr;
  std::string file_token_;
  absl::Time file_token_read_;

  std::list<std::unique_ptr<Connection>> connections_;
  std::deque<CallPtr> pending_;
  absl::flat_hash_map<Call*, CallPtr> live_;  // every started, unfinished call
  Connection::Protocol last_protocol_ = Connection::Protocol::kUnknown;
  uint64_t next_connection_id_ = 1;
  bool shut_down_ = false;
  char read_buffer_[kReadBufferSize];
};

// ---------------------------------------------------------------------------------------------------------------
// Connection implementation.

Connection::~Connection() = default;

void Connection::Open() {
  state_ = State::kResolving;
  resolve_.data = this;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  const std::string port = absl::StrCat(core_->target().port);
  const int rc = uv_getaddrinfo(core_->loop(), &resolve_, &Connection::OnResolved, core_->target().host.c_str(),
                                port.c_str(), &hints);
  if (rc != 0) {
    Close(absl::UnavailableError(absl::StrCat("lookup ", core_->target().host, ": ", uv_strerror(rc))));
    return;
  }
  resolving_ = true;
  ++outstanding_;
}

void Connection::OnResolved(uv_getaddrinfo_t* request, int status, addrinfo* result) {
  auto* self = static_cast<Connection*>(request->data);
  --self->outstanding_;
  self->resolving_ = false;
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(result, uv_freeaddrinfo);
  if (self->state_ == State::kClosed) {
    self->core_->ReapConnections();
    return;
  }
  if (status != 0 || result == nullptr) {
    self->Close(absl::UnavailableError(
        absl::StrCat("lookup ", self->core_->target().host, ": ", status != 0 ? uv_strerror(status) : "no address")));
    self->core_->ReapConnections();  // nothing else is outstanding: `self` goes now
    return;
  }
  if (const int rc = uv_tcp_init(self->core_->loop(), &self->tcp_); rc != 0) {
    self->Close(absl::InternalError(absl::StrCat("uv_tcp_init: ", uv_strerror(rc))));
    self->core_->ReapConnections();
    return;
  }
  self->tcp_.data = self;
  self->tcp_open_ = true;
  ++self->outstanding_;
  uv_tcp_nodelay(&self->tcp_, 1);
  self->state_ = State::kConnecting;
  self->connect_.data = self;
  // The first address (Go dials the others on failure; a cluster's API server address is one IP).
  if (const int rc = uv_tcp_connect(&self->connect_, &self->tcp_, result->ai_addr, &Connection::OnConnected); rc != 0) {
    self->Close(absl::UnavailableError(
        absl::StrCat("dial tcp ", self->core_->target().address, ": connect: ", uv_strerror(rc))));
    return;
  }
  ++self->outstanding_;
}

void Connection::OnConnected(uv_connect_t* request, int status) {
  auto* self = static_cast<Connection*>(request->data);
  --self->outstanding_;
  if (self->state_ == State::kClosed) {
    self->core_->ReapConnections();
    return;
  }
  if (status != 0) {
    self->Close(UvFailure(absl::StrCat("dial tcp ", self->core_->target().address, ": connect"), status));
    return;
  }
  self->ssl_.reset(SSL_new(self->core_->ssl_ctx()));
  if (!self->ssl_) return self->Close(tls::SslError("SSL_new"));
  self->rbio_ = BIO_new(BIO_s_mem());
  self->wbio_ = BIO_new(BIO_s_mem());
  if (self->rbio_ == nullptr || self->wbio_ == nullptr) {
    BIO_free(self->rbio_);
    BIO_free(self->wbio_);
    self->rbio_ = self->wbio_ = nullptr;
    return self->Close(tls::SslError("BIO_new"));
  }
  BIO_set_mem_eof_return(self->rbio_, -1);  // empty means "retry", not EOF
  SSL_set_bio(self->ssl_.get(), self->rbio_, self->wbio_);
  SSL_set_connect_state(self->ssl_.get());
  const std::string& name = self->core_->server_name();
  X509_VERIFY_PARAM* param = SSL_get0_param(self->ssl_.get());
  if (IsIpLiteral(name)) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) != 1) {
      return self->Close(tls::SslError("X509_VERIFY_PARAM_set1_ip_asc"));
    }
  } else {
    if (SSL_set_tlsext_host_name(self->ssl_.get(), name.c_str()) != 1) {
      return self->Close(tls::SslError("SSL_set_tlsext_host_name"));
    }
    if (X509_VERIFY_PARAM_set1_host(param, name.data(), name.size()) != 1) {
      return self->Close(tls::SslError("X509_VERIFY_PARAM_set1_host"));
    }
  }
  if (const int rc =
          uv_read_start(reinterpret_cast<uv_stream_t*>(&self->tcp_), &Connection::OnAlloc, &Connection::OnRead);
      rc != 0) {
    return self->Close(absl::UnavailableError(absl::StrCat("uv_read_start: ", uv_strerror(rc))));
  }
  self->state_ = State::kHandshaking;
  self->Process();
}

void Connection::OnAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(handle->data);
  *buf = uv_buf_init(self->core_->read_buffer(), kReadBufferSize);
}

void Connection::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(stream->data);
  if (self->state_ == State::kClosed) return;
  if (nread == UV_EOF) {
    self->OnPeerClosed();
    return;
  }
  if (nread < 0) {
    self->Close(UvFailure(absl::StrCat("read tcp ", self->core_->target().address), static_cast<int>(nread)));
    return;
  }
  if (nread == 0) return;
  if (BIO_write(self->rbio_, buf->base, static_cast<int>(nread)) != nread) {
    self->Close(tls::SslError("BIO_write"));
    return;
  }
  self->Process();
}

void Connection::OnPeerClosed() {
  peer_closed_ = true;
  if (protocol_ == Protocol::kHttp1 && h1_call_ != nullptr) {
    // A response delimited by the end of the connection ends here.
    const llhttp_errno_t rc = llhttp_finish(&parser_);
    if ((rc == HPE_OK || rc == HPE_PAUSED) && h1_message_done_) {
      if (absl::Status status = AfterHttp1Message(); !status.ok()) return Close(status);
    }
  }
  const bool quiet = state_ == State::kReady && Idle();
  Close(quiet ? absl::OkStatus()
              : absl::UnavailableError(absl::StrCat(
                    "connection to ", core_->target().address,
                    state_ == State::kHandshaking ? " closed during the TLS handshake" : " closed by the server")));
}

void Connection::Process() {
  if (state_ == State::kHandshaking) {
    bool done = false;
    if (absl::Status status = Handshake(&done); !status.ok()) return Close(status);
    if (!done) {
      if (absl::Status status = Flush(); !status.ok()) return Close(status);
      return;
    }
    if (absl::Status status = OnHandshakeDone(); !status.ok()) return Close(status);
  }
  if (state_ != State::kReady) return;
  if (absl::Status status = ReadApplicationData(); !status.ok()) return Close(status);
  if (state_ != State::kReady) return;
  if (absl::Status status = Flush(); !status.ok()) return Close(status);
  core_->Dispatch();  // calls a GOAWAY or a refused stream sent back to the queue
  if (state_ != State::kReady) return;
  BecameIdleMaybe();
}

absl::Status Connection::Handshake(bool* done) {
  const int rc = SSL_do_handshake(ssl_.get());
  if (rc == 1) {
    *done = true;
    return absl::OkStatus();
  }
  const int error = SSL_get_error(ssl_.get(), rc);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return absl::OkStatus();
  // Flush an alert we may owe the server, best effort.
  Flush().IgnoreError();
  const std::string prefix = absl::StrCat("TLS handshake with ", core_->target().address, " failed: ");
  const long verify = SSL_get_verify_result(ssl_.get());
  if (verify != X509_V_OK) {
    ERR_clear_error();
    return absl::UnavailableError(absl::StrCat(prefix,
                                               "certificate verify failed: ", X509_verify_cert_error_string(verify),
                                               " (server name \"", core_->server_name(), "\")"));
  }
  return absl::UnavailableError(absl::StrCat(prefix, tls::ConsumeSslErrors()));
}

absl::Status Connection::OnHandshakeDone() {
  const uint8_t* alpn = nullptr;
  unsigned alpn_len = 0;
  SSL_get0_alpn_selected(ssl_.get(), &alpn, &alpn_len);
  const absl::string_view selected(reinterpret_cast<const char*>(alpn), alpn_len);
  state_ = State::kReady;
  if (selected == "h2") {
    protocol_ = Protocol::kHttp2;
    RETURN_IF_ERROR(StartHttp2());
  } else {
    protocol_ = Protocol::kHttp1;
    llhttp_init(&parser_, HTTP_RESPONSE, Http1Settings());
    parser_.data = this;
  }
  core_->NoteProtocol(protocol_);
  RETURN_IF_ERROR(Flush());
  core_->Dispatch();
  return absl::OkStatus();
}

absl::Status Connection::ReadApplicationData() {
  char buffer[16 * 1024];
  while (state_ == State::kReady) {
    const int n = SSL_read(ssl_.get(), buffer, sizeof(buffer));
    if (n > 0) {
      if (protocol_ == Protocol::kHttp2) {
        const ssize_t rc =
            nghttp2_session_mem_recv(session_.get(), reinterpret_cast<const uint8_t*>(buffer), static_cast<size_t>(n));
        if (rc < 0) {
          if (!callback_error_.ok()) return callback_error_;
          return absl::UnavailableError(absl::StrCat("HTTP/2 error from ", core_->target().address, ": ",
                                                     nghttp2_strerror(static_cast<int>(rc))));
        }
      } else {
        RETURN_IF_ERROR(ExecuteHttp1(buffer, static_cast<size_t>(n)));
      }
      continue;
    }
    const int error = SSL_get_error(ssl_.get(), n);
    if (error == SSL_ERROR_WANT_READ) return absl::OkStatus();
    if (error == SSL_ERROR_ZERO_RETURN) {
      OnPeerClosed();
      return absl::OkStatus();
    }
    return absl::UnavailableError(
        absl::StrCat("TLS read from ", core_->target().address, ": ", tls::ConsumeSslErrors()));
  }
  return absl::OkStatus();
}

absl::Status Connection::Flush() {
  if (state_ == State::kClosed) return absl::OkStatus();
  if (protocol_ == Protocol::kHttp2 && session_ != nullptr) {
    for (;;) {
      const uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(session_.get(), &data);
      if (n < 0) return http2::NghttpError("nghttp2_session_mem_send", static_cast<int>(n));
      if (n == 0) break;
      const int written = SSL_write(ssl_.get(), data, static_cast<int>(n));
      if (written != n) return tls::SslError("SSL_write", absl::StatusCode::kUnavailable);
    }
  }
  const size_t pending = BIO_pending(wbio_);
  if (pending == 0) return absl::OkStatus();
  std::string out(pending, '\0');
  if (BIO_read(wbio_, out.data(), static_cast<int>(pending)) != static_cast<int>(pending)) {
    return tls::SslError("BIO_read");
  }
  return Write(out);
}

struct WriteRequest {
  uv_write_t request;
  std::string data;
};

absl::Status Connection::Write(absl::string_view data) {
  auto* write = new WriteRequest{{}, std::string(data)};
  write->request.data = this;
  uv_buf_t buf = uv_buf_init(write->data.data(), static_cast<unsigned>(write->data.size()));
  if (const int rc = uv_write(&write->request, reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1, &Connection::OnWritten);
      rc != 0) {
    delete write;
    return UvFailure(absl::StrCat("write tcp ", core_->target().address), rc);
  }
  ++outstanding_;
  return absl::OkStatus();
}

void Connection::OnWritten(uv_write_t* request, int status) {
  auto* self = static_cast<Connection*>(request->data);
  delete reinterpret_cast<WriteRequest*>(request);  // `request` is the first member
  --self->outstanding_;
  if (self->state_ == State::kClosed) {
    self->core_->ReapConnections();
    return;
  }
  if (status != 0) {
    self->Close(UvFailure(absl::StrCat("write tcp ", self->core_->target().address), status));
  }
}

void Connection::Close(const absl::Status& status) {
  if (state_ == State::kClosed) return;
  const bool was_ready = state_ == State::kReady;
  state_ = State::kClosed;
  StopIdleTimer();
  if (resolving_) uv_cancel(reinterpret_cast<uv_req_t*>(&resolve_));
  if (tcp_open_) {
    tcp_open_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &Connection::OnClosed);
  }
  const absl::Status failure =
      status.ok() ? absl::UnavailableError(absl::StrCat("connection to ", core_->target().address, " closed")) : status;
  // Fail or retry the calls bound to this connection.
  std::vector<CallPtr> calls;
  if (h1_call_ != nullptr) calls.push_back(std::move(h1_call_));
  for (auto& [id, call] : streams_) calls.push_back(call);
  streams_.clear();
  for (const CallPtr& call : calls) {
    call->connection = nullptr;
    if (call->finished) continue;
    const bool reused = served_ > 0;
    if (!call->any_response && reused && !call->retried && absl::IsUnavailable(status)) {
      core_->Retry(call);
    } else {
      core_->Finish(call.get(), failure);
    }
  }
  if (!was_ready && !status.ok()) core_->ConnectionFailed(status);
  core_->Dispatch();
  // Deleted from ReapConnections once the close callbacks ran.
}

void Connection::OnClosed(uv_handle_t* handle) {
  auto* self = static_cast<Connection*>(handle->data);
  --self->outstanding_;
  self->core_->ReapConnections();
}

void Connection::BecameIdleMaybe() {
  if (state_ != State::kReady || !Idle()) return;
  if (goaway_) return Close(absl::OkStatus());  // HTTP/2 GOAWAY and nothing left on it
  if (!idle_timer_open_) {
    if (const int rc = uv_timer_init(core_->loop(), &idle_timer_); rc != 0) {
      return Close(absl::InternalError(absl::StrCat("uv_timer_init: ", uv_strerror(rc))));
    }
    idle_timer_.data = this;
    idle_timer_open_ = true;
    ++outstanding_;
  }
  const uint64_t ms = static_cast<uint64_t>(absl::ToInt64Milliseconds(core_->config().idle_connection_timeout));
  if (const int rc = uv_timer_start(&idle_timer_, &Connection::OnIdleTimer, std::max<uint64_t>(ms, 1), 0); rc != 0) {
    return Close(absl::InternalError(absl::StrCat("uv_timer_start: ", uv_strerror(rc))));
  }
}

void Connection::StopIdleTimer() {
  if (!idle_timer_open_) return;
  uv_timer_stop(&idle_timer_);
  if (state_ == State::kClosed) {
    idle_timer_open_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&idle_timer_), &Connection::OnClosed);
  }
}

void Connection::OnIdleTimer(uv_timer_t* timer) {
  auto* self = static_cast<Connection*>(timer->data);
  if (self->Idle()) self->Close(absl::OkStatus());
}

void Connection::Submit(const CallPtr& call) {
  StopIdleTimer();
  call->connection = this;
  const absl::Status status = protocol_ == Protocol::kHttp2 ? SubmitHttp2(call) : SubmitHttp1(call);
  if (!status.ok()) {
    if (absl::IsInvalidArgument(status)) {
      call->connection = nullptr;
      core_->Finish(call.get(), status);
      return;
    }
    return Close(status);
  }
  if (absl::Status flushed = Flush(); !flushed.ok()) Close(flushed);
}

void Connection::Detach(Call* call) {
  call->connection = nullptr;
  if (state_ == State::kClosed) return;
  if (protocol_ == Protocol::kHttp2) {
    auto it = streams_.find(call->stream_id);
    if (it == streams_.end() || it->second.get() != call) return;
    streams_.erase(it);
    // Cancel the stream (RFC 9113 CANCEL); its close is ignored since it is no longer in streams_.
    if (const int rc = nghttp2_submit_rst_stream(session_.get(), NGHTTP2_FLAG_NONE, call->stream_id, NGHTTP2_CANCEL);
        rc != 0) {
      return Close(http2::NghttpError("nghttp2_submit_rst_stream", rc));
    }
    if (absl::Status status = Flush(); !status.ok()) return Close(status);
    BecameIdleMaybe();
  } else if (h1_call_.get() == call) {
    // HTTP/1.1 cannot abandon a response half-way: the connection goes.
    h1_call_ = nullptr;
    Close(absl::OkStatus());
  }
}

// --- HTTP/2 ---

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

nghttp2_nv MakeNv(absl::string_view name, absl::string_view value) {
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
                    NGHTTP2_NV_FLAG_NONE};
}

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

// --- HTTP/1.1 ---

const llhttp_settings_t* Connection::Http1Settings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_header_field = &Connection::OnH1HeaderField;
    s.on_header_value = &Connection::OnH1HeaderValue;
    s.on_header_value_complete = &Connection::OnH1HeaderValueComplete;
    s.on_headers_complete = &Connection::OnH1HeadersComplete;
    s.on_body = &Connection::OnH1Body;
    s.on_message_complete = &Connection::OnH1MessageComplete;
    return s;
  }();
  return &settings;
}

absl::Status Connection::SubmitHttp1(const CallPtr& call) {
  const Request& request = call->request;
  std::string out =
      absl::StrCat(request.method, " ", request.path, " HTTP/1.1\r\nHost: ", core_->target().authority, "\r\n");
  if (!HasHeader(request, "user-agent")) absl::StrAppend(&out, "User-Agent: ", core_->user_agent(), "\r\n");
  if (!HasHeader(request, "authorization")) {
    if (const std::string token = core_->Token(); !token.empty()) {
      absl::StrAppend(&out, "Authorization: Bearer ", token, "\r\n");
    }
  }
  if (MethodHasBody(request)) absl::StrAppend(&out, "Content-Length: ", request.body.size(), "\r\n");
  for (const auto& [name, value] : request.headers) absl::StrAppend(&out, name, ": ", value, "\r\n");
  absl::StrAppend(&out, "\r\n", request.body);
  h1_call_ = call;
  h1_message_done_ = false;
  h1_field_.clear();
  h1_value_.clear();
  if (SSL_write(ssl_.get(), out.data(), static_cast<int>(out.size())) != static_cast<int>(out.size())) {
    return tls::SslError("SSL_write", absl::StatusCode::kUnavailable);
  }
  return absl::OkStatus();
}

absl::Status Connection::ExecuteHttp1(const char* data, size_t len) {
  if (h1_call_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("unsolicited response from ", core_->target().address));
  }
  h1_call_->any_response = true;
  const llhttp_errno_t rc = llhttp_execute(&parser_, data, len);
  if (state_ == State::kClosed) return absl::OkStatus();  // a callback failed the call and closed (body limit)
  if (rc != HPE_OK && rc != HPE_PAUSED) {
    return absl::UnavailableError(absl::StrCat("malformed HTTP/1.1 response from ", core_->target().address, ": ",
                                               llhttp_errno_name(rc), " ", llhttp_get_error_reason(&parser_)));
  }
  if (rc == HPE_PAUSED) {
    // Paused at the end of a message (OnH1MessageComplete): anything after it is unsolicited.
    const char* pos = llhttp_get_error_pos(&parser_);
    llhttp_resume(&parser_);
    if (pos != nullptr && pos < data + len) {
      return absl::UnavailableError(absl::StrCat("unsolicited data after a response from ", core_->target().address));
    }
  }
  if (h1_message_done_) RETURN_IF_ERROR(AfterHttp1Message());
  return absl::OkStatus();
}

absl::Status Connection::AfterHttp1Message() {
  CallPtr call = std::move(h1_call_);
  h1_call_ = nullptr;
  h1_message_done_ = false;
  ++served_;
  if (call != nullptr) {
    call->connection = nullptr;
    core_->Finish(call.get(), std::move(call->response));
  }
  if (!h1_keep_alive_ || peer_closed_) {
    Close(absl::OkStatus());
    return absl::OkStatus();
  }
  core_->Dispatch();
  BecameIdleMaybe();
  return absl::OkStatus();
}

int Connection::OnH1HeaderField(llhttp_t* parser, const char* at, size_t length) {
  static_cast<Connection*>(parser->data)->h1_field_.append(at, length);
  return 0;
}

int Connection::OnH1HeaderValue(llhttp_t* parser, const char* at, size_t length) {
  static_cast<Connection*>(parser->data)->h1_value_.append(at, length);
  return 0;
}

int Connection::OnH1HeaderValueComplete(llhttp_t* parser) {
  auto* self = static_cast<Connection*>(parser->data);
  if (self->h1_call_ != nullptr) {
    self->h1_call_->response.headers.emplace_back(absl::AsciiStrToLower(self->h1_field_),
                                                  std::string(absl::StripAsciiWhitespace(self->h1_value_)));
  }
  self->h1_field_.clear();
  self->h1_value_.clear();
  return 0;
}

int Connection::OnH1HeadersComplete(llhttp_t* parser) {
  auto* self = static_cast<Connection*>(parser->data);
  Call* call = self->h1_call_.get();
  if (call == nullptr) return -1;
  call->response.status = parser->status_code;
  if (parser->status_code >= 200) {
    call->head_seen = true;
    if (call->watch != nullptr) self->core_->Finish(call, call->response);
  }
  return call->request.method == "HEAD" ? 1 : 0;  // 1: no body follows
}

int Connection::OnH1Body(llhttp_t* parser, const char* at, size_t length) {
  auto* self = static_cast<Connection*>(parser->data);
  Call* call = self->h1_call_.get();
  if (call == nullptr) return 0;
  if (absl::Status status = self->core_->CheckBodyLimit(*call, length); !status.ok()) {
    // Finish detaches the call, which closes the connection (HTTP/1.1 cannot skip the rest); stop parsing.
    self->core_->Finish(call, std::move(status));
    return -1;
  }
  self->core_->AppendBody(call, absl::string_view(at, length));
  return 0;
}

int Connection::OnH1MessageComplete(llhttp_t* parser) {
  auto* self = static_cast<Connection*>(parser->data);
  Call* call = self->h1_call_.get();
  if (call == nullptr) return HPE_PAUSED;
  if (parser->status_code < 200) {
    // 1xx: the final response follows.
    call->response.headers.clear();
    return 0;
  }
  self->h1_keep_alive_ = llhttp_should_keep_alive(parser) != 0;
  self->h1_message_done_ = true;
  return HPE_PAUSED;
}

// ---------------------------------------------------------------------------------------------------------------
// Core implementation.

void Core::Start(const CallPtr& call) {
  if (shut_down_) {
    call->finished = false;
    live_[call.get()] = call;
    Finish(call.get(), absl::CancelledError("the client is shutting down"));
    return;
  }
  live_[call.get()] = call;
  auto* timer = new uv_timer_t;
  if (const int rc = uv_timer_init(loop(), timer); rc != 0) {
    delete timer;
    Finish(call.get(), absl::InternalError(absl::StrCat("uv_timer_init: ", uv_strerror(rc))));
    return;
  }
  timer->data = call.get();
  call->timer = timer;
  const absl::Duration timeout =
      call->request.timeout > absl::ZeroDuration() ? call->request.timeout : config_.default_timeout;
  const uint64_t ms = static_cast<uint64_t>(std::max<int64_t>(1, absl::ToInt64Milliseconds(timeout)));
  if (const int rc = uv_timer_start(timer, &Core::OnTimeout, ms, 0); rc != 0) {
    Finish(call.get(), absl::InternalError(absl::StrCat("uv_timer_start: ", uv_strerror(rc))));
    return;
  }
  call->queued = true;
  pending_.push_back(call);
  Dispatch();
}

void Core::OnTimeout(uv_timer_t* timer) {
  auto* call = static_cast<Call*>(timer->data);
  Core* core = call->core;
  const absl::Duration timeout =
      call->request.timeout > absl::ZeroDuration() ? call->request.timeout : core->config_.default_timeout;
  core->Finish(call, absl::DeadlineExceededError(absl::StrCat(call->description, ": timed out after ",
                                                              absl::FormatDuration(timeout),
                                                              call->head_seen ? "" : " waiting for the response")));
}

void Core::StopTimer(Call* call) {
  if (call->timer == nullptr) return;
  uv_timer_stop(call->timer);
  uv_close(reinterpret_cast<uv_handle_t*>(call->timer),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
  call->timer = nullptr;
}

void Core::Finish(Call* call, absl::StatusOr<Response> result) {
  if (call->finished) return;
  // A watch's head: deliver the headers, stop the timer (it bounds only the head), keep the call open.
  const bool watch_head = call->watch != nullptr && result.ok() && !call->watch_head_delivered;
  if (watch_head) {
    call->watch_head_delivered = true;
    StopTimer(call);
    call->executor->Post([sinks = call->watch, response = *std::move(result)] {
      if (sinks->on_headers) sinks->on_headers(response);
    });
    return;
  }
  call->finished = true;
  StopTimer(call);
  if (call->queued) {
    call->queued = false;
    pending_.erase(
        std::remove_if(pending_.begin(), pending_.end(), [call](const CallPtr& c) { return c.get() == call; }),
        pending_.end());
  }
  CallPtr keep;
  if (auto it = live_.find(call); it != live_.end()) {
    keep = std::move(it->second);
    live_.erase(it);
  }
  if (call->connection != nullptr) call->connection->Detach(call);
  if (call->watch != nullptr) {
    absl::Status status = result.ok() ? absl::OkStatus() : result.status();
    call->executor->Post([sinks = call->watch, status = std::move(status)]() mutable {
      if (sinks->done) sinks->done(std::move(status));
      // Release the caller's callbacks (and what they capture) on their executor.
      sinks->on_headers = nullptr;
      sinks->on_data = nullptr;
      sinks->done = nullptr;
    });
  } else {
    call->executor->Post(
        [done = std::move(call->done), result = std::move(result)]() mutable { done(std::move(result)); });
  }
}

absl::Status Core::CheckBodyLimit(const Call& call, size_t length) const {
  const size_t limit = config_.max_response_body_bytes;
  if (limit == 0) return absl::OkStatus();
  const size_t held =
      call.watch != nullptr ? call.watch->undelivered.load(std::memory_order_relaxed) : call.response.body.size();
  if (held <= limit && length <= limit - held) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat(call.description, call.watch != nullptr ? ": watch data not yet delivered" : ": response body",
                   " exceeds max_response_body_bytes (", limit, " bytes)"));
}

void Core::AppendBody(Call* call, absl::string_view chunk) {
  if (call->watch == nullptr) {
    call->response.body.append(chunk.data(), chunk.size());
    return;
  }
  call->watch->undelivered.fetch_add(chunk.size(), std::memory_order_relaxed);
  call->executor->Post([sinks = call->watch, chunk = std::string(chunk)] {
    sinks->undelivered.fetch_sub(chunk.size(), std::memory_order_relaxed);
    if (sinks->on_data) sinks->on_data(chunk);
  });
}

void Core::Retry(const CallPtr& call) {
  if (call->finished) return;
  call->retried = true;
  call->connection = nullptr;
  call->stream_id = -1;
  call->body_offset = 0;
  call->any_response = false;
  call->response = Response();
  call->queued = true;
  pending_.push_front(call);
}

void Core::Dispatch() {
  if (shut_down_) return;
  while (!pending_.empty()) {
    Connection* target = nullptr;
    for (const auto& connection : connections_) {
      if (connection->protocol() == Connection::Protocol::kHttp2 && connection->Usable()) {
        target = connection.get();
        break;
      }
      if (connection->protocol() == Connection::Protocol::kHttp1 && connection->Idle()) target = connection.get();
    }
    if (target == nullptr) break;
    CallPtr call = std::move(pending_.front());
    pending_.pop_front();
    call->queued = false;
    target->Submit(call);
  }
  if (pending_.empty()) return;
  size_t connecting = 0;
  size_t open = 0;
  for (const auto& connection : connections_) {
    const Connection::State state = connection->state();
    if (state == Connection::State::kClosed) continue;
    ++open;
    if (state != Connection::State::kReady) ++connecting;
  }
  if (last_protocol_ != Connection::Protocol::kHttp1) {
    // Unknown or HTTP/2: one connection carries everything.
    if (connecting > 0) return;
    for (const auto& connection : connections_) {
      if (connection->protocol() == Connection::Protocol::kHttp2 && connection->Usable()) return;
    }
    connecting = 0;
    open = 0;
  }
  const size_t max_open = static_cast<size_t>(std::max(1, config_.max_http1_connections));
  while (connecting < pending_.size() && open < max_open) {
    connections_.push_back(std::make_unique<Connection>(this, next_connection_id_++));
    ++connecting;
    ++open;
    connections_.back()->Open();
    if (last_protocol_ != Connection::Protocol::kHttp1) break;
  }
}

void Core::ConnectionFailed(const absl::Status& status) {
  std::deque<CallPtr> pending;
  pending.swap(pending_);
  for (const CallPtr& call : pending) {
    call->queued = false;
    Finish(call.get(), status);
  }
}

void Core::ReapConnections() {
  connections_.remove_if([](const std::unique_ptr<Connection>& connection) { return connection->Deletable(); });
}

void Core::Shutdown() {
  shut_down_ = true;
  const absl::Status cancelled = absl::CancelledError("the client was destroyed");
  std::vector<CallPtr> calls;
  for (auto& [call, ptr] : live_) calls.push_back(ptr);
  for (const CallPtr& call : calls) Finish(call.get(), cancelled);
  for (const auto& connection : connections_) connection->Close(absl::OkStatus());
}

std::string Core::Token() {
  if (!config_.bearer_token.empty()) return config_.bearer_token;
  if (config_.bearer_token_file.empty()) return "";
  const absl::Time now = absl::Now();
  if (now - file_token_read_ >= config_.token_file_refresh) {
    // client-go's cachingTokenSource: a failed re-read keeps the token we have.
    absl::StatusOr<std::string> token = tls::ReadFileToString(config_.bearer_token_file);
    if (token.ok()) {
      file_token_ = std::string(absl::StripAsciiWhitespace(*token));
      file_token_read_ = now;
    }
  }
  return file_token_;
}

// ---------------------------------------------------------------------------------------------------------------
// The client.

class HttpsWatch : public WatchHandle {
 public:
  HttpsWatch(std::weak_ptr<IoThread> io, Core* core, CallPtr call)
      : io_(std::move(io)), core_(core), call_(std::move(call)) {}
  void Cancel() override {
    std::shared_ptr<IoThread> io = io_.lock();
    if (io == nullptr) return;
    // The task runs only while the I/O thread (and so the Core) is alive: Post refuses once Stop began.
    io->Post([core = core_, call = call_] { core->Finish(call.get(), absl::CancelledError("watch cancelled")); });
  }

 private:
  std::weak_ptr<IoThread> io_;
  Core* const core_;
  CallPtr call_;
};

class HttpsClient : public HttpClient {
 public:
  HttpsClient(std::unique_ptr<Core> core, std::shared_ptr<IoThread> io) : core_(std::move(core)), io_(std::move(io)) {}
  ~HttpsClient() override {
    io_->Stop([core = core_.get()] { core->Shutdown(); });
  }

  void Do(Request request, base::Executor* executor, ResponseCallback done) override {
    auto call = NewCall(std::move(request), executor);
    call->done = std::move(done);
    Submit(std::move(call));
  }

  std::unique_ptr<WatchHandle> Watch(Request request, base::Executor* executor,
                                     absl::AnyInvocable<void(const Response&)> on_headers,
                                     absl::AnyInvocable<void(absl::string_view)> on_data,
                                     absl::AnyInvocable<void(absl::Status)> done) override {
    auto call = NewCall(std::move(request), executor);
    call->watch = std::make_shared<Call::WatchSinks>();
    call->watch->on_headers = std::move(on_headers);
    call->watch->on_data = std::move(on_data);
    call->watch->done = std::move(done);
    auto handle = std::make_unique<HttpsWatch>(io_, core_.get(), call);
    Submit(std::move(call));
    return handle;
  }

 private:
  CallPtr NewCall(Request request, base::Executor* executor) {
    auto call = std::make_shared<Call>();
    call->description = absl::StrCat(request.method, " https://", core_->target().authority, request.path);
    call->request = std::move(request);
    call->executor = executor;
    call->core = core_.get();
    return call;
  }

  void Submit(CallPtr call) {
    if (absl::Status status = ValidateRequest(call->request); !status.ok()) {
      PostFailure(*call, status);
      return;
    }
    Core* core = core_.get();
    CallPtr copy = call;
    if (!io_->Post([core, call = std::move(copy)] { core->Start(call); })) {
      PostFailure(*call, absl::CancelledError("the client is shutting down"));
    }
  }

  static void PostFailure(Call& call, absl::Status status) {
    if (call.watch != nullptr) {
      call.executor->Post([sinks = call.watch, status = std::move(status)]() mutable {
        if (sinks->done) sinks->done(std::move(status));
      });
    } else {
      call.executor->Post(
          [done = std::move(call.done), status = std::move(status)]() mutable { done(std::move(status)); });
    }
  }

  std::unique_ptr<Core> core_;
  std::shared_ptr<IoThread> io_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<HttpClient>> NewHttpClient(const ClientConfig& config) {
  ASSIGN_OR_RETURN(Target target, ParseHost(config.host));
  if (config.default_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("default_timeout must be positive");
  }
  if (config.max_http1_connections < 1) return absl::InvalidArgumentError("max_http1_connections must be at least 1");
  ASSIGN_OR_RETURN(bssl::UniquePtr<SSL_CTX> ctx, NewSslCtx(config));
  std::string token;
  if (config.bearer_token.empty() && !config.bearer_token_file.empty()) {
    ASSIGN_OR_RETURN(std::string content, tls::ReadFileToString(config.bearer_token_file));
    token = std::string(absl::StripAsciiWhitespace(content));
  }
  auto core = std::make_unique<Core>(config, std::move(target), std::move(ctx), std::move(token));
  auto io = std::make_shared<IoThread>();
  core->set_io(io.get());
  RETURN_IF_ERROR(io->Start());
  return std::unique_ptr<HttpClient>(new HttpsClient(std::move(core), std::move(io)));
}

}  // namespace apiserve::client
