#include "chain/filters/panic_recovery.h"

#include <exception>

#include "base/logger.h"
#include "http/kube_status.h"

namespace apiserve::chain {

http::HandlerPtr WithPanicRecovery(http::HandlerPtr next) {
  return http::HandlerFunc([next = std::move(next)](http::RequestPtr request, http::ResponseWriter writer) {
    const http::Completer completer = writer.completer();
    const std::string method = request->method;
    const std::string target = request->target;
    std::string what;
    try {
      next->Serve(std::move(request), std::move(writer));
      return;
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "unknown exception";
    }
    LOG(ERROR) << "apiserver panic'd on " << method << " " << target << ": " << what;
    if (completer.head_sent()) {
      completer.TryAbort().IgnoreError();
    } else {
      completer.TrySend(http::PanicResponse()).IgnoreError();
    }
  });
}

}  // namespace apiserve::chain
