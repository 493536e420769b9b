#ifndef APISERVE_SERVER_CONNECTION_H_
#define APISERVE_SERVER_CONNECTION_H_

// server::Connection: one accepted TCP connection: TLS over memory BIOs, then the codec ALPN chose.
//
// Data path: uv read → BIO (ciphertext) → SSL_read → codec.Feed → handlers; codec output → SSL_write (batched into
// as few TLS records as fit) → BIO → one uv_write per pass. Above the write high-water mark the connection stops
// pulling codec output and stops reading until the socket drains.
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
#include "server/connection_timer.h"
#include "server/event_loop.h"
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

// ConnectionCounters are per loop: written only by the loop's thread (LoopCounter: no locked instruction), readable
// from any thread (metrics scrapes); the server sums them.
struct ConnectionCounters {
  using Counter = base::metrics::LoopCounter;
  Counter accepted;
  Counter handshake_errors;
  Counter handshake_timeouts;
  Counter read_header_timeouts;
  Counter idle_closes;
  Counter codec_failures;  // the codec factory failed: connection closed after the handshake
  // A library call failed (libuv, BoringSSL, the codec's nghttp2): that connection was closed and logged.
  Counter internal_errors;
  Counter evictions;  // idle connections closed to admit a new one at --max-connections (counted by the victim's loop)
  Counter refusals;   // new connections closed at --max-connections: nothing was idle
  Counter open_http1;
  Counter open_http2;
  // Codec counters (http::CodecCounters) of connections that have closed, summed when each closes.
  std::array<Counter, http::kFloodKinds> floods;  // by http::FloodKind
  Counter goaways_sent;
  Counter error_goaways_sent;
  Counter resets_received;
  Counter drained;  // connections asked to move elsewhere at shutdown (Connection::Drain)

  // Add adds every field of `other` (any thread may call it on a local sum).
  void Add(const ConnectionCounters& other);
  // AddCodec adds what a closed connection's codec counted.
  void AddCodec(const http::CodecCounters& codec);
};

class ConnectionSet;

// ConnectionLimit caps the open connections of a whole server (--max-connections), shared by all its loops.
//
// At the limit, a new connection is admitted by closing the server's longest-idle connection (HTTP/2: GOAWAY;
// HTTP/1.1: close): one with no request or stream open, whose codec is idle. A connection serving a request or a
// watch, receiving a body, with a request head half read, or still in its TLS handshake is never evicted (a
// handshake is bounded by the read-header timeout). With no idle connection anywhere, the newcomer is accepted and
// closed at once (its client learns now, not after waiting in the backlog). Both are counted per loop
// (ConnectionCounters::evictions, ::refusals) and logged once per burst (a burst ends when a connection is admitted
// under the limit).
//
// Across loops: each loop's ConnectionSet keeps its idle connections in the order they became idle and publishes
// when its oldest became idle. The newcomer's loop picks the set whose oldest idle connection is the oldest; if that
// is its own, it evicts at once and the newcomer takes the victim's slot; otherwise it admits the newcomer over the
// limit and posts the eviction to the other loop, which gives the victim's slot back when it runs. Open connections
// exceed `max` by at most kMaxOverLimit while such evictions are in flight (more than that are refused), and stay
// above it only if the other loop found its idle connection busy again by then, until connections close.
// No lock: the admission path is atomics only.
//
// Thread-safe, except AddSet.
class ConnectionLimit {
 public:
  static constexpr int64_t kMaxOverLimit = 16;
  enum class Admission { kUnderLimit, kEvicted, kEvictionPosted, kRefused };

  // `max` > 0.
  explicit ConnectionLimit(int64_t max) : max_(max) {}
  // AddSet registers one loop's connections as a place to evict from; `loop` runs `set`. Both are borrowed and
  // must outlive the limit's use. Call for every loop before any connection is adopted: not thread-safe.
  void AddSet(ConnectionSet* set, base::Executor* loop) { sets_.push_back({set, loop}); }
  // Acquire takes a slot for a connection being adopted on `local`'s loop (call it there), evicting the
  // longest-idle connection at the limit (see above). kRefused: no slot; the caller closes the newcomer.
  Admission Acquire(ConnectionSet* local);
  // Release gives back a slot taken by Acquire.
  void Release() { open_.fetch_sub(1, std::memory_order_relaxed); }
  // StartBurst returns true for the first refusal after a connection admitted under the limit (log once per
  // burst); StartEvictionBurst the same for evictions.
  bool StartBurst() { return !in_burst_.exchange(true, std::memory_order_relaxed); }
  bool StartEvictionBurst() { return !in_eviction_burst_.exchange(true, std::memory_order_relaxed); }
  int64_t max() const { return max_; }
  int64_t open() const { return open_.load(std::memory_order_relaxed); }

 private:
  struct Member {
    ConnectionSet* set;
    base::Executor* loop;
  };
  // TryAcquire takes a slot if open < `ceiling`.
  bool TryAcquire(int64_t ceiling);

  const int64_t max_;
  std::vector<Member> sets_;
  std::atomic<int64_t> open_{0};
  std::atomic<bool> in_burst_{false};
  std::atomic<bool> in_eviction_burst_{false};
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

class Connection : public http::CodecCallbacks, public std::enable_shared_from_this<Connection> {
 public:
  // Adopt takes ownership of the accepted socket `fd` and starts its handshake; over --max-connections it closes
  // `fd` at once (logging once per burst).
  static void Adopt(int fd, ConnectionContext* context, ConnectionSet* set);

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

  // Start sets up the socket options, addresses and TLS of an adopted connection; Internal naming the failed call.
  absl::Status Start();
  // Fail closes the connection at once after a library call failed: logged and counted (internal_errors).
  void Fail(absl::Status status);
  void Process();
  bool Handshake();
  void ReadPlaintext();
  void Flush();
  void WriteCiphertext();
  void OnWriteDone();
  void UpdateTimer();
  void OnTimeout();
  void StartClose(bool graceful, bool linger);
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
  bssl::UniquePtr<SSL> ssl_;
  BIO* read_bio_ = nullptr;   // owned by ssl_
  BIO* write_bio_ = nullptr;  // owned by ssl_
  std::unique_ptr<http::ServerCodec> codec_;
  std::shared_ptr<http::ConnectionInfo> info_;
  bool http2_ = false;  // the codec is HTTP/2 (ALPN "h2"): idle and shutdown closes go through GOAWAY
  bool final_goaway_sent_ = false;  // HTTP/2: the final GOAWAY followed the shutdown notice (after goaway_delay)

  State state_ = State::kHandshake;
  bool in_process_ = false;
  bool flush_posted_ = false;
  bool reading_ = false;
  bool peer_eof_ = false;
  bool shutdown_requested_ = false;
  bool draining_ = false;  // Drain ran on this open connection
  bool lingering_ = false;
  bool holds_slot_ = false;  // took a slot of context_->limit
  size_t writes_in_flight_ = 0;
  TimerKind timer_kind_ = TimerKind::kNone;
  bool idle_trimmed_ = false;   // this idle period's kIdleTrim has fired
  uint64_t requests_seen_ = 0;  // codec_->RequestsDispatched() when the timer was last set
  std::string plaintext_;       // codec output batched for one SSL_write
  std::string first_bytes_;     // the first 5 bytes received (plain HTTP to the TLS port is answered 400)
  // The set's idle list (intrusive: no allocation when a connection goes busy and idle again).
  bool in_idle_list_ = false;
  bool evicted_ = false;
  int64_t idle_since_ms_ = 0;  // uv_now when it became idle
  Connection* idle_prev_ = nullptr;
  Connection* idle_next_ = nullptr;
};

// ConnectionSet owns the live connections of one loop and, under a ConnectionLimit, the list of its idle ones in
// the order they became idle. Loop thread only, except oldest_idle_since().
class ConnectionSet {
 public:
  static constexpr int64_t kNoIdle = INT64_MAX;
  // IdleRelease is what the loop runs when its idle trim fires.
  using IdleRelease = void (*)();

  ConnectionSet() = default;
  ConnectionSet(const ConnectionSet&) = delete;
  ConnectionSet& operator=(const ConnectionSet&) = delete;

  void Add(std::shared_ptr<Connection> connection) {
    Connection* key = connection.get();
    connections_.emplace(key, std::move(connection));
    ++*trim_generation_;  // a pending idle trim is moot
  }
  // EnableIdleTrim: once the set has been empty for `delay`, the loop thread runs `release` (at most one trim at a
  // time per event). The default, ReleaseIdleMemory, gives back the memory the thread keeps for reuse
  // (base::ReleaseIdleRecycledBlocks: recycled blocks and pooled requests), then the heap's free pages to the
  // system (base::TrimFreeHeap: malloc_trim). `loop` runs this set.
  void EnableIdleTrim(base::Executor* loop, absl::Duration delay, IdleRelease release = &ReleaseIdleMemory) {
    trim_loop_ = loop;
    trim_delay_ = delay;
    trim_release_ = release;
  }
  static void ReleaseIdleMemory();
  void Remove(Connection* connection);
  size_t size() const { return connections_.size(); }
  // BeginShutdown asks every connection to close gracefully.
  void BeginShutdown();
  // Drain marks `context` as draining (connections accepted from now on are drained after their handshake) and
  // drains every open connection (Connection::Drain). `context` is the one this set's connections share.
  void Drain(ConnectionContext* context);
  // CloseAll closes every connection at once.
  void CloseAll();
  // OnEmpty runs `callback` (once) when the set becomes empty; at once if it is.
  void OnEmpty(std::function<void()> callback);

  // EvictOldestIdle evicts the connection idle for longest (Connection::Evict); false if none is idle.
  bool EvictOldestIdle();
  // oldest_idle_since is the uv_now (ms, the same monotonic clock on every loop) at which the oldest idle
  // connection became idle, or kNoIdle. Any thread; may lag the loop by an event.
  int64_t oldest_idle_since() const { return oldest_idle_since_.load(std::memory_order_relaxed); }
  size_t idle_count() const { return idle_count_; }

 private:
  friend class Connection;
  void AppendIdle(Connection* connection);
  void UnlinkIdle(Connection* connection);
  void PublishOldestIdle() {
    oldest_idle_since_.store(idle_head_ != nullptr ? idle_head_->idle_since_ms_ : kNoIdle, std::memory_order_relaxed);
  }
  void ScheduleIdleTrim();

  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections_;
  std::function<void()> on_empty_;
  base::Executor* trim_loop_ = nullptr;
  absl::Duration trim_delay_;
  IdleRelease trim_release_ = &ReleaseIdleMemory;
  // Bumped by every Add and every trim scheduled: a trim runs only if nothing happened since it was scheduled (the
  // timer holds a weak reference, so it outliving the set is harmless).
  std::shared_ptr<uint64_t> trim_generation_ = std::make_shared<uint64_t>(0);
  Connection* idle_head_ = nullptr;  // idle longest
  Connection* idle_tail_ = nullptr;
  size_t idle_count_ = 0;
  std::atomic<int64_t> oldest_idle_since_{kNoIdle};
};

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_CONNECTION_H_
