#include "server/connection_set.h"

#include <memory>
#include <utility>
#include <vector>

#include "base/recycling_allocator.h"
#include "server/connection.h"

namespace apiserve::server {

// Connection's side of its set's idle list and of eviction at --max-connections.

void Connection::TrackIdle(bool idle, bool restarted) {
  idle = idle && !evicted_ && state_ == State::kOpen;
  if (in_idle_list_ && (!idle || restarted)) set_->UnlinkIdle(this);
  if (!idle || in_idle_list_) return;
  idle_since_ms_ = static_cast<int64_t>(uv_now(context_->loop->uv_loop()));
  set_->AppendIdle(this);
}

void Connection::Evict() {
  if (in_idle_list_) set_->UnlinkIdle(this);
  if (evicted_ || state_ != State::kOpen) return;
  evicted_ = true;
  ++context_->counters.evictions;
  if (holds_slot_) {
    holds_slot_ = false;
    context_->limit->Release();
  }
  CloseIdle();  // as at the idle timeout
}

void ConnectionCounters::Add(const ConnectionCounters& o) {
  accepted += o.accepted;
  handshake_errors += o.handshake_errors;
  handshake_timeouts += o.handshake_timeouts;
  read_header_timeouts += o.read_header_timeouts;
  idle_closes += o.idle_closes;
  codec_failures += o.codec_failures;
  internal_errors += o.internal_errors;
  evictions += o.evictions;
  refusals += o.refusals;
  open_http1 += o.open_http1;
  open_http2 += o.open_http2;
  for (size_t i = 0; i < floods.size(); ++i) floods[i] += o.floods[i];
  goaways_sent += o.goaways_sent;
  error_goaways_sent += o.error_goaways_sent;
  resets_received += o.resets_received;
  drained += o.drained;
}

void ConnectionCounters::AddCodec(const http::CodecCounters& codec) {
  internal_errors += codec.internal_errors;
  for (size_t i = 0; i < floods.size(); ++i) floods[i] += codec.floods[i];
  goaways_sent += codec.goaways_sent;
  error_goaways_sent += codec.error_goaways_sent;
  resets_received += codec.resets_received;
}

bool ConnectionLimit::TryAcquire(int64_t ceiling) {
  int64_t open = open_.load(std::memory_order_relaxed);
  do {
    if (open >= ceiling) return false;
  } while (!open_.compare_exchange_weak(open, open + 1, std::memory_order_relaxed));
  return true;
}

ConnectionLimit::Admission ConnectionLimit::Acquire(ConnectionSet* local) {
  if (TryAcquire(max_)) {
    in_burst_.store(false, std::memory_order_relaxed);
    in_eviction_burst_.store(false, std::memory_order_relaxed);
    return Admission::kUnderLimit;
  }
  // The set whose oldest idle connection has been idle longest; the local set wins ties (no post).
  const Member* oldest = nullptr;
  int64_t oldest_since = ConnectionSet::kNoIdle;
  for (const Member& member : sets_) {
    const int64_t since = member.set->oldest_idle_since();
    if (since < oldest_since || (since == oldest_since && since != ConnectionSet::kNoIdle && member.set == local)) {
      oldest = &member;
      oldest_since = since;
    }
  }
  if (oldest == nullptr) return Admission::kRefused;
  if (oldest->set == local) {
    // The victim gives its slot back at once; the newcomer takes it.
    if (local->EvictOldestIdle() && TryAcquire(max_ + kMaxOverLimit)) return Admission::kEvicted;
    return Admission::kRefused;
  }
  if (!TryAcquire(max_ + kMaxOverLimit)) return Admission::kRefused;
  ConnectionSet* remote = oldest->set;
  oldest->loop->Post([remote] { remote->EvictOldestIdle(); });
  return Admission::kEvictionPosted;
}

void ConnectionSet::AppendIdle(Connection* c) {
  c->in_idle_list_ = true;
  c->idle_prev_ = idle_tail_;
  c->idle_next_ = nullptr;
  if (idle_tail_ != nullptr) {
    idle_tail_->idle_next_ = c;
  } else {
    idle_head_ = c;
  }
  idle_tail_ = c;
  ++idle_count_;
  if (idle_head_ == c) PublishOldestIdle();
}

void ConnectionSet::UnlinkIdle(Connection* c) {
  const bool was_head = idle_head_ == c;
  (c->idle_prev_ != nullptr ? c->idle_prev_->idle_next_ : idle_head_) = c->idle_next_;
  (c->idle_next_ != nullptr ? c->idle_next_->idle_prev_ : idle_tail_) = c->idle_prev_;
  c->idle_prev_ = c->idle_next_ = nullptr;
  c->in_idle_list_ = false;
  --idle_count_;
  if (was_head) PublishOldestIdle();
}

bool ConnectionSet::EvictOldestIdle() {
  if (idle_head_ == nullptr) return false;
  // Keep the victim alive through Evict, which may close it at once.
  std::shared_ptr<Connection> victim = idle_head_->shared_from_this();
  victim->Evict();
  return true;
}

void ConnectionSet::Remove(Connection* connection) {
  auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  std::shared_ptr<Connection> keep = std::move(it->second);
  connections_.erase(it);
  keep.reset();
  if (!connections_.empty()) return;
  ScheduleIdleTrim();
  if (on_empty_) {
    auto callback = std::move(on_empty_);
    on_empty_ = nullptr;
    callback();
  }
}

void ConnectionSet::ReleaseIdleMemory() {
  base::ReleaseIdleRecycledBlocks();
  base::TrimFreeHeap();
}

void ConnectionSet::ScheduleIdleTrim() {
  if (trim_loop_ == nullptr || trim_delay_ <= absl::ZeroDuration()) return;
  const uint64_t generation = ++*trim_generation_;
  trim_loop_->RunAfter(trim_delay_,
                       [current = std::weak_ptr<uint64_t>(trim_generation_), generation, release = trim_release_] {
                         std::shared_ptr<uint64_t> now = current.lock();
                         if (now != nullptr && *now == generation) release();
                       });
}

void ConnectionSet::BeginShutdown() {
  std::vector<std::shared_ptr<Connection>> all;
  for (auto& [key, connection] : connections_) all.push_back(connection);
  for (auto& connection : all) connection->BeginShutdown();
}

void ConnectionSet::Drain(ConnectionContext* context) {
  context->draining = true;
  std::vector<std::shared_ptr<Connection>> all;
  for (auto& [key, connection] : connections_) all.push_back(connection);
  for (auto& connection : all) connection->Drain();
}

void ConnectionSet::CloseAll() {
  std::vector<std::shared_ptr<Connection>> all;
  for (auto& [key, connection] : connections_) all.push_back(connection);
  for (auto& connection : all) connection->CloseNow();
}

void ConnectionSet::OnEmpty(std::function<void()> callback) {
  if (connections_.empty()) {
    callback();
    return;
  }
  on_empty_ = std::move(callback);
}

void ConnectionSet::PublishOldestIdle() {
  oldest_idle_since_.store(idle_head_ != nullptr ? idle_head_->idle_since_ms_ : kNoIdle, std::memory_order_relaxed);
}

}  // namespace apiserve::server
