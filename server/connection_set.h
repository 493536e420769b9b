#ifndef APISERVE_SERVER_CONNECTION_SET_H_
#define APISERVE_SERVER_CONNECTION_SET_H_

// The bookkeeping around server::Connection: the per-loop counters (ConnectionCounters), the server-wide cap on open
// connections with its idle-eviction policy (ConnectionLimit), and the live connections of one loop with the list of
// its idle ones (ConnectionSet). Connection itself is in server/connection.h.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "absl/time/time.h"
#include "base/executor.h"
#include "base/metrics/metric.h"
#include "http/codec_counters.h"

namespace apiserve::server {

class Connection;
struct ConnectionContext;

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
  void PublishOldestIdle();
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

#endif  // APISERVE_SERVER_CONNECTION_SET_H_
