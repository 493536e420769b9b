#include "chain/filters/max_in_flight.h"

#include <algorithm>
#include <set>

#include "auth/user_info.h"
#include "base/mutex.h"
#include "chain/request_info.h"
#include "http/kube_status.h"

namespace apiserve::chain {
namespace {

// Every live InFlightCounters, for RollInFlightWatermarks (kube keeps one package-level watermark; ours are per
// server, so the roll visits each).
struct Registry {
  base::Mutex mu;
  std::set<InFlightCounters*> live ABSL_GUARDED_BY(mu);
};

Registry& Counters() {
  static Registry* const registry = new Registry();
  return *registry;
}

void RaiseTo(std::atomic<int64_t>& mark, int64_t value) {
  int64_t seen = mark.load(std::memory_order_relaxed);
  while (seen < value && !mark.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

void Roll(std::atomic<int64_t>& now, std::atomic<int64_t>& watermark, std::atomic<int64_t>& last_period) {
  last_period.store(watermark.exchange(now.load(std::memory_order_relaxed), std::memory_order_relaxed),
                    std::memory_order_relaxed);
}

}  // namespace

InFlightCounters::InFlightCounters() {
  Registry& registry = Counters();
  base::MutexLock lock(&registry.mu);
  registry.live.insert(this);
}

InFlightCounters::~InFlightCounters() {
  Registry& registry = Counters();
  base::MutexLock lock(&registry.mu);
  registry.live.erase(this);
}

int64_t InFlightCounters::ReadonlyUsage() const {
  return std::max(readonly_watermark.load(std::memory_order_relaxed),
                  readonly_last_period.load(std::memory_order_relaxed));
}

int64_t InFlightCounters::MutatingUsage() const {
  return std::max(mutating_watermark.load(std::memory_order_relaxed),
                  mutating_last_period.load(std::memory_order_relaxed));
}

void RollInFlightWatermarks() {
  Registry& registry = Counters();
  base::MutexLock lock(&registry.mu);
  for (InFlightCounters* counters : registry.live) {
    Roll(counters->readonly, counters->readonly_watermark, counters->readonly_last_period);
    Roll(counters->mutating, counters->mutating_watermark, counters->mutating_last_period);
  }
}

http::HandlerPtr WithMaxInFlightLimit(http::HandlerPtr next, int64_t max_readonly, int64_t max_mutating,
                                      InFlightCounters* counters) {
  static const http::ResponsePtr* const kTooMany = new http::ResponsePtr(http::Shared(http::TooManyRequestsResponse()));
  return http::HandlerFunc([next = std::move(next), max_readonly, max_mutating, counters](
                               http::RequestPtr&& request, http::ResponseWriter&& writer) {
    const RequestInfo* info = request->Context<RequestInfo>();
    if (info != nullptr && info->long_running) {
      next->Serve(std::move(request), std::move(writer));
      return;
    }
    // kube's exemption: system:masters is never throttled, so an administrator gets in under overload (the
    // authentication filter runs first and attached the user).
    if (const auth::UserInfo* user = request->Context<const auth::UserInfo>();
        user != nullptr && auth::InGroup(*user, auth::kMastersGroup)) {
      next->Serve(std::move(request), std::move(writer));
      return;
    }
    const bool mutating = info != nullptr ? IsMutating(*info) : request->method != "GET";
    std::atomic<int64_t>& pool = mutating ? counters->mutating : counters->readonly;
    const int64_t limit = mutating ? max_mutating : max_readonly;
    const int64_t now = pool.fetch_add(1, std::memory_order_acq_rel) + 1;
    if (limit > 0 && now > limit) {
      pool.fetch_sub(1, std::memory_order_acq_rel);
      writer.Send(*kTooMany).IgnoreError();
      return;
    }
    RaiseTo(mutating ? counters->mutating_watermark : counters->readonly_watermark, now);
    writer.OnComplete([&pool](const http::Completion&) { pool.fetch_sub(1, std::memory_order_acq_rel); });
    next->Serve(std::move(request), std::move(writer));
  });
}

}  // namespace apiserve::chain
