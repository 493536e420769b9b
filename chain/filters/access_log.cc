#include "chain/filters/access_log.h"

#include "absl/time/clock.h"
#include "base/go_duration.h"
#include "base/logger.h"

namespace apiserve::chain {
namespace {

absl::Time Now(const http::Request& request) {
  return request.executor != nullptr ? request.executor->Now() : absl::Now();
}

}  // namespace

http::HandlerPtr WithAccessLog(http::HandlerPtr next) {
  return http::HandlerFunc([next = std::move(next)](http::RequestPtr request, http::ResponseWriter writer) {
    if (base::Logger::Global().VEnabled(3)) {
      // Latency from the request's received stamp, on its executor's clock: the clock the request metrics use.
      if (request->received_time == absl::InfinitePast()) request->received_time = Now(*request);
      writer.OnComplete([request](const http::Completion& done) {
        const auto agent = request->headers.Get("User-Agent");
        VLOG(3) << "\"HTTP\" verb=\"" << request->method << "\" URI=\"" << request->target << "\" latency=\""
                << base::FormatGoDuration(Now(*request) - request->received_time) << "\" userAgent=\""
                << (agent.has_value() ? *agent : "") << "\" audit-ID=\""
                << request->headers.Get("Audit-Id").value_or("") << "\" srcIP=\""
                << (request->connection ? request->connection->remote_address : "") << "\" resp=" << done.status
                << " protocol=\"" << http::ProtocolName(request->protocol) << "\"";
      });
    }
    next->Serve(std::move(request), std::move(writer));
  });
}

}  // namespace apiserve::chain
