#include "client/connection.h"

#include <arpa/inet.h>

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/tsan_fd.h"
#include "client/core.h"
#include "openssl/err.h"
#include "tls/ssl_error.h"

namespace apiserve::client::internal {

namespace {

bool IsIpLiteral(const std::string& host) {
  in6_addr v6;
  in_addr v4;
  return inet_pton(AF_INET, host.c_str(), &v4) == 1 || inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

// UvFailure returns Unavailable "<what>: <libuv's reason>" for the libuv error `rc`, marked as a connection reset
// (client::MarkConnectionReset) when it is UV_ECONNRESET.
absl::Status UvFailure(absl::string_view what, int rc) {
  absl::Status status = absl::UnavailableError(absl::StrCat(what, ": ", uv_strerror(rc)));
  return rc == UV_ECONNRESET ? MarkConnectionReset(std::move(status)) : status;
}

struct WriteRequest {
  uv_write_t request;
  std::string data;
};

}  // namespace

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
    uv_os_fd_t fd = -1;
    if (uv_fileno(reinterpret_cast<uv_handle_t*>(&tcp_), &fd) != 0) fd = -1;
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &Connection::OnClosed);
    base::NoteUninterceptedClose(fd);  // libuv closed it with a syscall TSan does not see
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

}  // namespace apiserve::client::internal
