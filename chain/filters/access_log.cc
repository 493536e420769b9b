#include "chain/filters/access_log.h"

#include "base/go_duration.h"
#include "base/logger.h"

namespace apiserve::chain {

http::HandlerPtr WithAccessLog(http::HandlerPtr next) {
  return http::HandlerFunc([next = std::move(next)](http::RequestPtr&& request, http::ResponseWriter&& writer) {
    if (base::Logger::Global().VEnabled(3)) {
      // Latency from the request's received stamp, on the request's clock: the one the request metrics use.
      http::StampReceivedTime(request.get());
      writer.OnComplete([request](const http::Completion& done) {
        const auto agent = request->headers.Get("User-Agent");
        VLOG(3) << "\"HTTP\" verb=\"" << request->method << "\" URI=\"" << request->target << "\" latency=\""
                << base::FormatGoDuration(http::RequestClockNow(*request) - request->received_time) << "\" userAgent=\""
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
