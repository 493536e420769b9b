#include "chain/filters/max_in_flight.h"

#include "auth/user_info.h"
#include "chain/request_info.h"
#include "http/kube_status.h"

namespace apiserve::chain {

http::HandlerPtr WithMaxInFlightLimit(http::HandlerPtr next, int64_t max_readonly, int64_t max_mutating,
                                      InFlightCounters* counters) {
  static const http::ResponsePtr* const kTooMany = new http::ResponsePtr(http::Shared(http::TooManyRequestsResponse()));
  return http::HandlerFunc([next = std::move(next), max_readonly, max_mutating, counters](http::RequestPtr request,
                                                                                          http::ResponseWriter writer) {
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
    writer.OnComplete([&pool](const http::Completion&) { pool.fetch_sub(1, std::memory_order_acq_rel); });
    next->Serve(std::move(request), std::move(writer));
  });
}

}  // namespace apiserve::chain
