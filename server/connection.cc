#include "server/connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/logger.h"
#include "base/recycling_allocator.h"
#include "base/tsan_fd.h"
#include "server/socket_address.h"
#include "tls/ssl_error.h"

namespace apiserve::server {
namespace {

// What Go's server writes, in plain text, to a client that sent HTTP to the TLS port.
constexpr absl::string_view kHttpToHttpsResponse =
    "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n";

constexpr size_t kTlsRecordPlaintext = 16384;
constexpr size_t kReadBufferSize = 64 * 1024;

char* LoopReadBuffer() {
  thread_local std::unique_ptr<char[]> buffer(new char[kReadBufferSize]);
  return buffer.get();
}

absl::Status UvError(absl::string_view call, int rc) {
  return absl::InternalError(absl::StrCat(call, ": ", uv_strerror(rc)));
}

struct WriteRequest {
  uv_write_t request;
  std::string data;
};

// CloseTcp closes a connection's handle and, with it, its descriptor: uv_close closes a stream's descriptor before
// it returns, with a syscall ThreadSanitizer does not see (base/tsan_fd.h).
void CloseTcp(uv_tcp_t* tcp, uv_close_cb on_close) {
  uv_os_fd_t fd = -1;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(tcp), &fd) != 0) fd = -1;
  uv_close(reinterpret_cast<uv_handle_t*>(tcp), on_close);
  base::NoteUninterceptedClose(fd);
}

}  // namespace

Connection::Connection(ConnectionContext* context, ConnectionSet* set) : context_(context), set_(set) {}

Connection::~Connection() {
  if (codec_ != nullptr) context_->counters.AddCodec(codec_->counters());
}

namespace {

std::string PeerOf(int fd) {
  sockaddr_storage address;
  socklen_t length = sizeof(address);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "unknown";
  return FormatAddress(address);
}

// RejectOverLimit closes an accepted connection at once: the server is at --max-connections and nothing is idle.
void RejectOverLimit(int fd, ConnectionContext* context) {
  ++context->counters.refusals;
  if (context->limit->StartBurst()) {
    LOG(WARNING) << "Too many open connections (" << context->limit->max() << "): closing new connection from "
                 << PeerOf(fd);
  }
  ::close(fd);
}

}  // namespace

void Connection::Adopt(int fd, ConnectionContext* context, ConnectionSet* set, KnownAddresses known) {
  if (context->limit != nullptr) {
    const ConnectionLimit::Admission admission = context->limit->Acquire(set);
    if (admission == ConnectionLimit::Admission::kRefused) return RejectOverLimit(fd, context);
    if (admission != ConnectionLimit::Admission::kUnderLimit && context->limit->StartEvictionBurst()) {
      LOG(WARNING) << "Too many open connections (" << context->limit->max()
                   << "): closing the longest-idle connection to admit a new one from " << PeerOf(fd);
    }
  }
  std::shared_ptr<Connection> connection(new Connection(context, set));
  Connection* c = connection.get();
  c->holds_slot_ = context->limit != nullptr;
  // Until both handles are open the connection is not in the set: a failure closes what is open and frees it.
  enum Opened { kNoHandle, kHandleWithoutFd, kHandleWithFd };
  auto abandon = [&](absl::Status status, Opened opened) {
    ++context->counters.internal_errors;
    LOG(ERROR) << "Closing a new connection from " << PeerOf(fd) << ": " << status.message();
    if (c->holds_slot_) context->limit->Release();
    c->holds_slot_ = false;
    if (opened != kHandleWithFd) ::close(fd);
    if (opened == kNoHandle) return;
    // The shared_ptr kept in the callback data frees the object.
    auto* holder = new std::shared_ptr<Connection>(std::move(connection));
    c->tcp_.data = holder;
    CloseTcp(&c->tcp_, [](uv_handle_t* handle) { delete static_cast<std::shared_ptr<Connection>*>(handle->data); });
  };
  if (int rc = uv_tcp_init(context->loop->uv_loop(), &c->tcp_); rc != 0) {
    return abandon(UvError("uv_tcp_init", rc), kNoHandle);
  }
  c->tcp_.data = c;
  if (int rc = uv_tcp_open(&c->tcp_, fd); rc != 0) return abandon(UvError("uv_tcp_open", rc), kHandleWithoutFd);
  if (int rc = uv_timer_init(context->loop->uv_loop(), &c->timer_); rc != 0) {
    return abandon(UvError("uv_timer_init", rc), kHandleWithFd);
  }
  c->timer_.data = c;
  c->handles_open_ = 2;
  ++context->counters.accepted;
  set->Add(std::move(connection));
  if (absl::Status status = c->Start(known); !status.ok()) return c->Fail(std::move(status));
  c->UpdateTimer();
  c->UpdateReading();
}

absl::Status Connection::Start(KnownAddresses known) {
  // TCP_NODELAY and kube's keepalive come with the socket: the listener set them (server/tcp_options.h).
  auto info = std::make_shared<http::ConnectionInfo>();
  std::string local_ip;
  sockaddr_storage address;
  const sockaddr_storage* peer = known.peer;
  if (peer == nullptr) {
    int length = sizeof(address);
    if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&address), &length) == 0) peer = &address;
  }
  if (peer != nullptr) info->remote_address = FormatAddress(*peer);
  const sockaddr_storage* local = known.local;
  if (local == nullptr) {
    int length = sizeof(address);
    if (uv_tcp_getsockname(&tcp_, reinterpret_cast<sockaddr*>(&address), &length) == 0) local = &address;
  }
  if (local != nullptr) {
    info->local_address = FormatAddress(*local);
    local_ip = FormatIp(*local);
  }
  info_ = std::move(info);

  bssl::UniquePtr<SSL> ssl =
      context_->tls.new_ssl ? context_->tls.new_ssl(local_ip) : bssl::UniquePtr<SSL>(SSL_new(context_->ssl_ctx));
  if (ssl == nullptr) return tls::SslError("SSL_new");
  return tls_.Init(std::move(ssl), TlsTransport::Role::kServer);
}

void Connection::Fail(absl::Status status) {
  if (state_ == State::kClosed) return;
  ++context_->counters.internal_errors;
  LOG(ERROR) << "Closing the connection from " << (info_ != nullptr ? info_->remote_address : "") << ": "
             << status.message();
  CloseNow();
}

void Connection::OnAlloc(uv_handle_t*, size_t, uv_buf_t* buf) {
  buf->base = LoopReadBuffer();
  buf->len = kReadBufferSize;
}

void Connection::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(stream->data);
  if (nread == 0) return;
  if (c->state_ == State::kClosed) return;
  if (nread < 0) {
    c->peer_eof_ = true;
    if (nread == UV_EOF && c->state_ == State::kOpen && !c->lingering_ && !c->idle() && !c->codec_->ClientGoneAtEof()) {
      // An HTTP/1.1 half-close (shutdown(SHUT_WR) after the request): the client still reads; answer what is in
      // flight, then close (Process closes once idle). A client that is really gone makes the next write fail.
      // Not for HTTP/2, nor for a streamed response (a watch that writes nothing for minutes would never learn
      // that its client left): there EOF means the client is gone (ServerCodec::ClientGoneAtEof).
      c->Process();
      return;
    }
    // A socket error, or EOF with nothing in flight: the client is gone (while lingering, that is the end we were
    // waiting for).
    c->CloseNow();
    return;
  }
  if (c->lingering_) return;  // discard: the error response is out, we only wait for the client to stop
  if (absl::Status status = c->tls_.Receive(absl::string_view(buf->base, static_cast<size_t>(nread))); !status.ok()) {
    return c->Fail(std::move(status));
  }
  c->Process();
}

void Connection::Process() {
  if (state_ == State::kClosed) return;
  in_process_ = true;
  const bool handshaking = state_ == State::kHandshake;
  if (handshaking && !Handshake()) {
    in_process_ = false;
    if (state_ != State::kClosed) {
      UpdateTimer();
      UpdateReading();
    }
    return;
  }
  // Reading can resume once output drains (HTTP/1.1 pipelining), so alternate until neither makes progress.
  for (int pass = 0; pass < 4 && state_ == State::kOpen; ++pass) {
    ReadPlaintext();
    if (state_ != State::kOpen) break;
    Flush();
    const bool more_input = codec_->WantsRead() && tls_.HasBufferedInput();
    if (!more_input) break;
  }
  // The memory BIOs grew to the handshake's flights (about 1 KiB each way) and would keep that for the connection's
  // life: a fresh pair, unless something still waits in them (then the idle trim tries again).
  if (handshaking && state_ == State::kOpen) tls_.ReleaseIdleMemory();
  in_process_ = false;
  if (state_ == State::kOpen && codec_->WantsClose() && codec_->PeekOutput().empty()) {
    StartClose(/*graceful=*/!codec_->WantsLingeringClose(), /*linger=*/codec_->WantsLingeringClose());
  }
  if (state_ == State::kOpen && peer_eof_ && idle() && codec_->PeekOutput().empty()) {
    StartClose(/*graceful=*/true, /*linger=*/false);  // half-closed by the client: the last answer is out
  }
  if (state_ == State::kOpen && peer_eof_ && codec_->ClientGoneAtEof()) {
    CloseNow();  // a response began streaming after the client's EOF: nobody will learn when it left
  }
  if (state_ != State::kClosed) {
    UpdateTimer();
    UpdateReading();
  }
}

bool Connection::Handshake() {
  const TlsTransport::HandshakeResult result = tls_.Handshake();
  if (result == TlsTransport::HandshakeResult::kDone) {
    tls_.FillConnectionInfo(info_.get());
    if (context_->tls.inspect) context_->tls.inspect(tls_.ssl(), info_.get());
    http::CodecContext codec_context;
    codec_context.loop = context_->loop;
    if (context_->loop != nullptr) codec_context.clock = context_->loop;
    codec_context.handler = context_->handler;
    codec_context.callbacks = this;
    codec_context.connection = info_;
    codec_context.shutting_down = context_->shutting_down;
    absl::StatusOr<std::unique_ptr<http::ServerCodec>> codec = context_->codec_factory(info_->alpn, codec_context);
    if (!codec.ok() || *codec == nullptr) {
      ++context_->counters.codec_failures;
      LOG(ERROR) << "Closing the connection from " << info_->remote_address << ": cannot create its "
                 << (info_->alpn.empty() ? "HTTP/1.1" : info_->alpn)
                 << " codec: " << (codec.ok() ? "the codec factory returned none" : codec.status().message());
      CloseNow();
      return false;
    }
    codec_ = *std::move(codec);
    http2_ = info_->alpn == "h2";
    ++(http2_ ? context_->counters.open_http2 : context_->counters.open_http1);
    state_ = State::kOpen;
    timer_kind_ = TimerKind::kNone;  // the read-header clock restarts for the first request head
    if (shutdown_requested_) {
      codec_->BeginShutdown();
    } else if (context_->draining) {
      Drain();
    }
    return true;
  }
  if (result == TlsTransport::HandshakeResult::kWantRead) {
    WriteCiphertext();  // our handshake flight
    return false;
  }
  ++context_->counters.handshake_errors;
  if (context_->tls.on_handshake_failure) {
    context_->tls.on_handshake_failure(tls_.ssl(), tls_.last_result(), info_->remote_address);
  } else {
    VLOG(5) << "http: TLS handshake error from " << info_->remote_address << ": " << tls::ConsumeSslErrors();
  }
  if (tls_.LooksLikePlainHttp()) {
    // Plain HTTP to the TLS port: answer it in plain text, as Go's server does, instead of a TLS alert.
    uv_buf_t out =
        uv_buf_init(const_cast<char*>(kHttpToHttpsResponse.data()), static_cast<unsigned>(kHttpToHttpsResponse.size()));
    const int written = uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), &out, 1);
    if (written < 0) {
      VLOG(5) << "writing the plain-HTTP 400 to " << info_->remote_address << ": " << uv_strerror(written);
    }
    StartClose(/*graceful=*/false, /*linger=*/false);  // as Go: close right after it, no TLS alert
    return false;
  }
  WriteCiphertext();  // the alert, if any
  StartClose(/*graceful=*/false, /*linger=*/false);
  return false;
}

void Connection::ReadPlaintext() {
  char* buffer = LoopReadBuffer();
  while (state_ == State::kOpen && codec_->WantsRead()) {
    const TlsTransport::ReadResult read = tls_.Read(buffer, kReadBufferSize);
    if (read.status == TlsTransport::ReadStatus::kData) {
      codec_->Feed(absl::string_view(buffer, read.size)).IgnoreError();  // errors end in WantsClose
      // Nothing more received: stop here rather than learn it from one more SSL_read (a request per read is the
      // common case, and that read costs BoringSSL's error-state reset and a buffer allocated and freed).
      if (!tls_.HasBufferedInput()) break;
      continue;
    }
    if (read.status == TlsTransport::ReadStatus::kWantRead) break;
    if (read.status == TlsTransport::ReadStatus::kError) {
      VLOG(5) << "TLS read error from " << info_->remote_address << ": " << tls::ConsumeSslErrors();
    }
    peer_eof_ = true;
    CloseNow();
    return;
  }
}

void Connection::Flush() {
  if (state_ != State::kOpen) return;
  auto queued = [this] {
    return uv_stream_get_write_queue_size(reinterpret_cast<uv_stream_t*>(&tcp_)) + tls_.PendingCiphertext() +
           plaintext_.size();
  };
  auto seal = [this](absl::string_view data) { return tls_.Seal(data); };
  // A round fills up to the high-water mark and writes. When the socket takes it all at once (uv_try_write), no
  // write callback will come to ask for more, so go on here; after kFlushRounds, yield to the loop's other
  // connections and continue from a posted Process.
  constexpr int kFlushRounds = 4;
  for (int round = 1;; ++round) {
    if (!FlushRound(queued, seal)) return;
    if (state_ != State::kOpen || writes_in_flight_ > 0 || codec_->PeekOutput().empty()) return;
    if (round == kFlushRounds) {
      PostProcess();
      return;
    }
  }
}

template <typename Queued, typename Seal>
bool Connection::FlushRound(const Queued& queued, const Seal& seal) {
  bool ok = true;
  while (ok && queued() < context_->options.write_high_water_mark) {
    const absl::string_view out = codec_->PeekOutput();
    if (out.empty()) break;
    if (plaintext_.empty() && out.size() >= kTlsRecordPlaintext) {
      // Large pieces go straight into records, without a copy into the batch.
      const size_t take = std::min(out.size(), 4 * kTlsRecordPlaintext);
      ok = seal(out.substr(0, take));
      codec_->ConsumeOutput(take);
      continue;
    }
    const size_t take = std::min(out.size(), kTlsRecordPlaintext - plaintext_.size());
    plaintext_.append(out.data(), take);
    codec_->ConsumeOutput(take);
    if (plaintext_.size() == kTlsRecordPlaintext) {
      ok = seal(plaintext_);
      plaintext_.clear();
    }
  }
  if (ok) ok = seal(plaintext_);
  plaintext_.clear();
  if (!ok) {
    VLOG(5) << "TLS write error to " << info_->remote_address << ": " << tls::ConsumeSslErrors();
    CloseNow();
    return false;
  }
  // The codec's last words are out and it reads no more: Process closes right after this flush, so close_notify
  // rides in the same write as the last response instead of a write of its own.
  if (codec_->PeekOutput().empty() && codec_->WantsClose() && !codec_->WantsRead()) QueueCloseNotify();
  WriteCiphertext();
  return true;
}

void Connection::WriteCiphertext() {
  const size_t size = tls_.PendingCiphertext();
  if (size == 0 || state_ == State::kClosed) return;
  // The ciphertext goes through a per-thread scratch buffer and, when nothing is queued ahead of it, straight to
  // the socket (uv_try_write): no request object, no copy kept, and no epoll_ctl, which a completed uv_write costs
  // libuv on every write. Only what the socket does not take now is copied into a queued uv_write.
  thread_local std::unique_ptr<char[]> scratch;
  thread_local size_t scratch_size = 0;
  if (scratch_size < size) {
    scratch.reset(new char[size]);
    scratch_size = size;
  }
  if (absl::Status status = tls_.TakeCiphertext(scratch.get(), size); !status.ok()) return Fail(std::move(status));
  size_t written = 0;
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  if (writes_in_flight_ == 0) {
    int rc;
    if (close_notify_queued_) {
      // The connection's last bytes: MSG_MORE holds them for the FIN that StartClose sends right after, so the
      // answer, close_notify and FIN leave in one segment instead of two.
      rc = SendHeld(scratch.get(), size);
    } else {
      uv_buf_t buf = uv_buf_init(scratch.get(), static_cast<unsigned>(size));
      rc = uv_try_write(stream, &buf, 1);
    }
    if (rc >= 0) {
      written = static_cast<size_t>(rc);
    } else if (rc != UV_EAGAIN) {
      CloseNow();  // EPIPE/ECONNRESET: the client is gone
      return;
    }
  }
  if (written == size) return;
  auto* write = new WriteRequest;
  write->data.assign(scratch.get() + written, size - written);
  write->request.data = write;
  uv_buf_t buf = uv_buf_init(write->data.data(), static_cast<unsigned>(write->data.size()));
  ++writes_in_flight_;
  const int rc = uv_write(&write->request, stream, &buf, 1, [](uv_write_t* request, int status) {
    auto* w = static_cast<WriteRequest*>(request->data);
    auto* c = static_cast<Connection*>(request->handle->data);
    delete w;
    c->OnWriteDone();
    // EPIPE/ECONNRESET: the client is gone. Reading would say so too, but not while reading is stopped
    // (backpressure, or a half-closed client).
    if (status < 0 && status != UV_ECANCELED) c->CloseNow();
  });
  if (rc != 0) {
    --writes_in_flight_;
    delete write;
    CloseNow();
  }
}

void Connection::OnWriteDone() {
  --writes_in_flight_;
  if (state_ != State::kOpen) return;
  const size_t queued = uv_stream_get_write_queue_size(reinterpret_cast<uv_stream_t*>(&tcp_));
  if (queued < context_->options.write_high_water_mark / 2 && !in_process_) Process();
}

void Connection::OnOutputReady() {
  if (in_process_) return;  // Process flushes before it returns
  PostProcess();
}

void Connection::PostProcess() {
  if (flush_posted_ || state_ != State::kOpen) return;
  flush_posted_ = true;
  context_->loop->Post([weak = weak_from_this()] {
    if (auto c = weak.lock()) {
      c->flush_posted_ = false;
      c->Process();
    }
  });
}

void Connection::UpdateTimer() {
  // A request ends the idle period, even one answered within a single pass that never showed the codec busy.
  const uint64_t dispatched = codec_ != nullptr ? codec_->RequestsDispatched() : 0;
  const bool new_requests = dispatched != requests_seen_;
  requests_seen_ = dispatched;
  TimerState state;
  state.phase = state_;
  state.codec_phase = codec_ != nullptr ? codec_->phase() : http::CodecPhase::kIdle;
  state.lingering = lingering_;
  state.final_goaway_due = shutdown_requested_ && http2_ && !final_goaway_sent_;
  state.draining = draining_;
  state.idle_trimmed = idle_trimmed_;
  state.new_requests = new_requests;
  const TimerChoice choice = ChooseTimer(state, context_->options);
  const TimerKind want = choice.kind;
  const absl::Duration duration = choice.duration;
  idle_trimmed_ = choice.idle_trimmed;
  if (context_->limit != nullptr) {
    TrackIdle((want == TimerKind::kIdle || want == TimerKind::kIdleTrim) && !shutdown_requested_ &&
                  codec_->ActiveRequests() == 0,
              new_requests);
  }
  if (want == timer_kind_ && !new_requests) return;
  timer_kind_ = want;
  if (want == TimerKind::kNone) return deadline_.Clear();
  const int64_t ms = std::max<int64_t>(1, absl::ToInt64Milliseconds(duration));
  StartTimer(deadline_.Want(uv_now(timer_.loop), static_cast<uint64_t>(ms)));
}

void Connection::StartTimer(int64_t ms) {
  if (ms < 0) return;  // the armed timer fires first and re-arms (LazyDeadline)
  if (int rc = uv_timer_start(&timer_, &Connection::OnTimer, static_cast<uint64_t>(ms), 0); rc != 0) {
    Fail(UvError("uv_timer_start", rc));
  }
}

void Connection::OnTimer(uv_timer_t* timer) {
  auto* connection = static_cast<Connection*>(timer->data);
  int64_t rearm = -1;
  if (connection->deadline_.Fired(uv_now(timer->loop), &rearm)) return connection->OnTimeout();
  connection->StartTimer(rearm);
}

void Connection::CloseIdle() {
  if (http2_ && !final_goaway_sent_) {
    // GOAWAY with the last stream id at once (no stream is open), then close when it is out.
    codec_->BeginShutdown();
    codec_->CompleteShutdown();
    Process();
  } else {
    StartClose(/*graceful=*/true, /*linger=*/false);
  }
}

void Connection::OnTimeout() {
  const TimerKind kind = timer_kind_;
  timer_kind_ = TimerKind::kNone;
  switch (kind) {
    case TimerKind::kReadHeader:
      ++(state_ == State::kHandshake ? context_->counters.handshake_timeouts : context_->counters.read_header_timeouts);
      CloseNow();
      return;
    case TimerKind::kIdleTrim:
      idle_trimmed_ = true;
      codec_->ReleaseIdleMemory();
      tls_.ReleaseIdleMemory();
      std::string().swap(plaintext_);
      UpdateTimer();  // the rest of the idle timeout
      return;
    case TimerKind::kIdle:
      if (!draining_) ++context_->counters.idle_closes;
      return CloseIdle();
    case TimerKind::kGoaway:
      shutdown_requested_ = true;
      codec_->CompleteShutdown();
      final_goaway_sent_ = true;  // no second GOAWAY timer; the codec closes when its streams are done
      Process();
      return;
    case TimerKind::kLinger:
      CloseNow();
      return;
    case TimerKind::kNone:
      return;
  }
}

void Connection::UpdateReading() {
  const size_t queued = uv_stream_get_write_queue_size(reinterpret_cast<uv_stream_t*>(&tcp_));
  bool want = false;
  if (state_ == State::kHandshake) want = true;
  if (state_ == State::kOpen) {
    want = !peer_eof_ && codec_->WantsRead() && queued < context_->options.write_high_water_mark;
  }
  if (state_ == State::kClosing) want = lingering_;
  if (want == reading_) return;
  reading_ = want;
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  const int rc = want ? uv_read_start(stream, &Connection::OnAlloc, &Connection::OnRead) : uv_read_stop(stream);
  // UV_EALREADY: already reading (StartClose re-applies the lingering choice): nothing to do.
  if (rc != 0 && rc != UV_EALREADY) Fail(UvError(want ? "uv_read_start" : "uv_read_stop", rc));
}

void Connection::StartClose(bool graceful, bool linger) {
  if (state_ == State::kClosing || state_ == State::kClosed) return;
  state_ = State::kClosing;
  if (codec_) codec_->OnPeerClosed();  // exchanges still open complete as "client gone"
  if (graceful || linger) {
    QueueCloseNotify();
    WriteCiphertext();
    if (state_ == State::kClosed) return;  // the write found the client gone
  }
  lingering_ = linger;
  if (writes_in_flight_ == 0) {
    // Nothing queued in libuv: shutdown(2) now, the FIN right behind (or, held by MSG_MORE, with) the last bytes.
    // An error (ENOTCONN: the peer reset) changes nothing: the close goes on.
    if (uv_os_fd_t fd; uv_fileno(reinterpret_cast<const uv_handle_t*>(&tcp_), &fd) == 0) ::shutdown(fd, SHUT_WR);
    if (!linger) {
      CloseNow();
      return;
    }
    reading_ = false;  // force UpdateReading to apply the lingering choice
    UpdateReading();
    UpdateTimer();
    return;
  }
  auto* request = new uv_shutdown_t;
  request->data = this;
  // shutdown(2) after the queued writes: the client reads the whole response, then EOF.
  const int rc = uv_shutdown(request, reinterpret_cast<uv_stream_t*>(&tcp_), [](uv_shutdown_t* req, int) {
    auto* c = static_cast<Connection*>(req->data);
    delete req;
    if (!c->lingering_) c->CloseNow();
  });
  if (rc != 0) {
    delete request;
    CloseNow();
    return;
  }
  reading_ = !linger;  // force UpdateReading to apply the lingering choice
  UpdateReading();
  UpdateTimer();
}

int Connection::SendHeld(const char* data, size_t size) {
  uv_os_fd_t fd;
  if (int rc = uv_fileno(reinterpret_cast<const uv_handle_t*>(&tcp_), &fd); rc != 0) return rc;
  const ssize_t sent = ::send(fd, data, size, MSG_MORE | MSG_NOSIGNAL | MSG_DONTWAIT);
  if (sent >= 0) return static_cast<int>(sent);
  return errno == EAGAIN || errno == EWOULDBLOCK ? UV_EAGAIN : -errno;
}

void Connection::QueueCloseNotify() {
  if (close_notify_queued_) return;
  close_notify_queued_ = true;
  // 0: sent, the peer's not yet seen. A failure only costs the alert: the close goes on.
  if (absl::Status status = tls_.Shutdown(); !status.ok()) {
    VLOG(5) << "close_notify for " << info_->remote_address << ": " << status.message();
  }
}

void Connection::CloseNow() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  if (in_idle_list_) set_->UnlinkIdle(this);
  if (codec_) codec_->OnPeerClosed();
  if (codec_) --(info_->alpn == "h2" ? context_->counters.open_http2 : context_->counters.open_http1);
  auto on_close = [](uv_handle_t* handle) {
    auto* c = static_cast<Connection*>(handle->data);
    if (--c->handles_open_ > 0) return;
    if (c->holds_slot_) c->context_->limit->Release();
    c->set_->Remove(c);  // destroys the connection
  };
  CloseTcp(&tcp_, on_close);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), on_close);
}

void Connection::BeginShutdown() {
  if (state_ == State::kClosed || state_ == State::kClosing) return;
  shutdown_requested_ = true;
  if (state_ == State::kHandshake) {
    CloseNow();
    return;
  }
  codec_->BeginShutdown();
  Process();
}

void Connection::Drain() {
  if (state_ != State::kOpen || shutdown_requested_ || draining_) return;  // handshake: see Handshake()
  ++context_->counters.drained;
  // HTTP/1.1: `Connection: close` on the next response. HTTP/2: the shutdown notice only; the final GOAWAY (last
  // stream id) comes with BeginShutdown when the listener closes, or when idle for drain_idle_grace. A client that
  // honours the notice moves now; a proxy that ignores it (HAProxy keeps a backend connection in use until the
  // health check marks the server down) never has a stream refused while it still routes here.
  draining_ = true;
  codec_->BeginDrain();
  timer_kind_ = TimerKind::kNone;  // restart an idle clock at drain_idle_grace
  if (!in_process_) Process();
}

bool Connection::idle() const { return state_ != State::kOpen || codec_->ActiveRequests() == 0; }

}  // namespace apiserve::server
