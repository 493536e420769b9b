#ifndef APISERVE_SERVER_CONNECTION_H_
#define APISERVE_SERVER_CONNECTION_H_

// server::Connection: one accepted TCP connection: the glue between its socket (libuv), its TLS session
// (server::TlsTransport, memory BIOs), the codec ALPN chose, its one timer (policy: server/connection_timer.h) and
// its ConnectionSet (limits, idle list, counters: server/connection_set.h).
//
// Data path: uv read → TlsTransport::Receive (ciphertext) → Read → codec.Feed → handlers; codec output → Seal
// (batched into as few TLS records as fit) → TakeCiphertext → one uv_write per pass. Above the write high-water mark
// the connection stops pulling codec output and stops reading until the socket drains.
//
// Timers (one uv_timer_t): the TLS handshake and an incomplete request head share the read-header timeout; an idle
// connection gets the idle timeout (HTTP/1.1: close; HTTP/2: two-phase GOAWAY). Busy connections have no timer.
//
// Draining (Drain, during the shutdown delay while the listener stays open): the client is asked to move to another
// replica without losing a request. HTTP/1.1: every later response carries `Connection: close`; HTTP/2: the GOAWAY
// shutdown notice (the first phase; the second comes with BeginShutdown). A connection idle for drain_idle_grace is
// closed (HTTP/2: GOAWAY with the last stream id first). Connections accepted while draining are drained once their
// handshake completes.
//
// Closing: graceful (close_notify, then shutdown(2) after the writes drain), lingering after an error response
// (half-close, discard input for linger_timeout), or abrupt (peer gone, forced at the end of shutdown).
//
// Threading: loop-affine; created, used and destroyed on its EventLoop. Owned by its ConnectionSet.

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/metrics/metric.h"
#include "http/codec_counters.h"
#include "http/handler.h"
#include "http/server_codec.h"
#include "lifecycle/signal.h"
#include "openssl/ssl.h"
#include "server/connection_set.h"
#include "server/connection_timer.h"
#include "server/event_loop.h"
#include "server/tls_transport.h"
#include "uv.h"

namespace apiserve::server {

// CodecFactory makes the codec for a negotiated ALPN protocol ("h2", "http/1.1", or "" when the client sent none).
// An error (say, nghttp2 could not allocate a session) closes that connection, logged and counted
// (ConnectionCounters::codec_failures); it never falls back to another protocol's codec.
using CodecFactory = std::function<absl::StatusOr<std::unique_ptr<http::ServerCodec>>(
    absl::string_view alpn, const http::CodecContext& context)>;

// TlsHooks let the TLS layer (tls::ServerContext) take part in each connection. All optional.
struct TlsHooks {
  // new_ssl makes the SSL for a connection accepted on `local_ip` (SNI-less certificate choice). Default:
  // SSL_new(ssl_ctx).
  std::function<bssl::UniquePtr<SSL>(absl::string_view local_ip)> new_ssl;
  // inspect fills what the request layer learns from a finished handshake beyond ALPN, version and SNI (the
  // client certificate's identity or its verification error).
  std::function<void(SSL* ssl, http::ConnectionInfo* info)> inspect;
  // on_handshake_failure classifies, counts and logs a failed handshake. Default: count and log at -v=5.
  std::function<void(const SSL* ssl, int rc, absl::string_view remote)> on_handshake_failure;
};

// ConnectionContext is shared by every connection of one loop. Borrowed pointers outlive the connections.
struct ConnectionContext {
  EventLoop* loop = nullptr;
  SSL_CTX* ssl_ctx = nullptr;
  http::Handler* handler = nullptr;
  CodecFactory codec_factory;
  TlsHooks tls;
  lifecycle::Signal* shutting_down = nullptr;
  ConnectionLimit* limit = nullptr;  // null: unlimited; shared by the server's loops
  bool draining = false;             // set by ConnectionSet::Drain: new connections are drained after the handshake
  ConnectionOptions options;
  ConnectionCounters counters;
};

// KnownAddresses: what the accepting side already knows of a new socket's addresses, so that Connection::Adopt need
// not ask the kernel (getpeername, getsockname). Each may be null: then it is asked.
struct KnownAddresses {
  const sockaddr_storage* peer = nullptr;   // as accept4 returned it
  const sockaddr_storage* local = nullptr;  // the listener's own address, when it is not a wildcard
};

class Connection : public http::CodecCallbacks, public std::enable_shared_from_this<Connection> {
 public:
  // Adopt takes ownership of the accepted socket `fd` and starts its handshake; over --max-connections it closes
  // `fd` at once (logging once per burst).
  static void Adopt(int fd, ConnectionContext* context, ConnectionSet* set, KnownAddresses known = {});

  ~Connection() override;

  // BeginShutdown starts a graceful close (see http::ServerCodec::BeginShutdown); the connection closes itself
  // once its in-flight requests are answered.
  void BeginShutdown();
  // Drain asks the client to move to another replica while the server still listens (see the overview): HTTP/1.1
  // closes after its next response, HTTP/2 gets the GOAWAY shutdown notice; either closes once idle for
  // drain_idle_grace. Nothing in flight is cut off. No-op once closing; a connection in its handshake is drained when
  // the handshake completes (ConnectionContext::draining).
  void Drain();
  // CloseNow closes the socket at once; pending exchanges complete as "client gone".
  void CloseNow();
  bool idle() const;
  // Evict closes an idle connection to make room at --max-connections (HTTP/2: GOAWAY, then close; HTTP/1.1:
  // close) and gives its slot back at once. Called by its ConnectionSet.
  void Evict();

  void OnOutputReady() override;

 private:
  // PostProcess runs Process from the loop soon (once, however often it is asked before then).
  void PostProcess();
  // FlushRound moves codec output into TLS records and writes them, up to the high-water mark; false if the
  // connection was closed on a TLS error.
  template <typename Queued, typename Seal>
  bool FlushRound(const Queued& queued, const Seal& seal);
  using State = ConnectionPhase;

  Connection(ConnectionContext* context, ConnectionSet* set);

  static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnTimer(uv_timer_t* timer);

  // Start sets up the addresses and TLS of an adopted connection; Internal naming the failed call.
  absl::Status Start(KnownAddresses known);
  // Fail closes the connection at once after a library call failed: logged and counted (internal_errors).
  void Fail(absl::Status status);
  void Process();
  bool Handshake();
  void ReadPlaintext();
  void Flush();
  void WriteCiphertext();
  // SendHeld sends up to `size` bytes with MSG_MORE (held for the FIN that follows); bytes sent, or a UV error.
  int SendHeld(const char* data, size_t size);
  // QueueCloseNotify seals TLS close_notify into the pending ciphertext, once per connection.
  void QueueCloseNotify();
  void OnWriteDone();
  void UpdateTimer();
  // StartTimer (re)starts timer_ to fire in `ms`; does nothing when ms < 0.
  void StartTimer(int64_t ms);
  void OnTimeout();
  void StartClose(bool graceful, bool linger);
  // CloseIdle closes a connection with no request in progress: HTTP/2 with a GOAWAY first (idle timeout, eviction).
  void CloseIdle();
  void UpdateReading();
  // TrackIdle keeps this connection's place in its set's idle list (only under a ConnectionLimit): in it while
  // `idle`, moved to the end when `restarted` (a request came and went).
  void TrackIdle(bool idle, bool restarted);

  friend class ConnectionSet;

  ConnectionContext* const context_;
  ConnectionSet* const set_;
  uv_tcp_t tcp_;
  uv_timer_t timer_;
  int handles_open_ = 0;
  TlsTransport tls_;
  std::unique_ptr<http::ServerCodec> codec_;
  std::shared_ptr<http::ConnectionInfo> info_;
  bool http2_ = false;              // the codec is HTTP/2 (ALPN "h2"): idle and shutdown closes go through GOAWAY
  bool final_goaway_sent_ = false;  // HTTP/2: the final GOAWAY followed the shutdown notice (after goaway_delay)

  State state_ = State::kHandshake;
  bool in_process_ = false;
  bool flush_posted_ = false;
  bool reading_ = false;
  bool peer_eof_ = false;
  bool shutdown_requested_ = false;
  bool draining_ = false;  // Drain ran on this open connection
  bool lingering_ = false;
  bool close_notify_queued_ = false;
  bool holds_slot_ = false;  // took a slot of context_->limit
  size_t writes_in_flight_ = 0;
  TimerKind timer_kind_ = TimerKind::kNone;
  LazyDeadline deadline_;       // when timer_kind_ fires; timer_ stays armed across changes (connection_timer.h)
  bool idle_trimmed_ = false;   // this idle period's kIdleTrim has fired
  uint64_t requests_seen_ = 0;  // codec_->RequestsDispatched() when the timer was last set
  std::string plaintext_;       // codec output batched for one SSL_write
  // The set's idle list (intrusive: no allocation when a connection goes busy and idle again).
  bool in_idle_list_ = false;
  bool evicted_ = false;
  int64_t idle_since_ms_ = 0;  // uv_now when it became idle
  Connection* idle_prev_ = nullptr;
  Connection* idle_next_ = nullptr;
};

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_CONNECTION_H_
