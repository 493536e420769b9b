#include "chain/filters/timeout.h"

#include "chain/request_info.h"
#include "http/kube_status.h"

namespace apiserve::chain {

http::HandlerPtr WithRequestTimeout(http::HandlerPtr next, absl::Duration timeout) {
  static const http::ResponsePtr* const kTimeout = new http::ResponsePtr(http::Shared(http::TimeoutResponse()));
  return http::HandlerFunc([next = std::move(next), timeout](http::RequestPtr request, http::ResponseWriter writer) {
    const RequestInfo* info = request->Context<RequestInfo>();
    if (request->executor == nullptr || timeout <= absl::ZeroDuration() || (info != nullptr && info->long_running)) {
      next->Serve(std::move(request), std::move(writer));
      return;
    }
    const http::Completer completer = writer.completer();
    base::CancelHandle timer = request->executor->RunAfter(timeout, [completer] {
      if (completer.done()) return;
      if (completer.head_sent()) {
        completer.TryAbort().IgnoreError();
      } else {
        completer.TrySend(*kTimeout).IgnoreError();
      }
    });
    writer.OnComplete([timer](const http::Completion&) mutable { timer.Cancel(); });
    next->Serve(std::move(request), std::move(writer));
  });
}

}  // namespace apiserve::chain
