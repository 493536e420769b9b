#include "chain/filters/panic_recovery.h"

#include <exception>

#include "base/logger.h"
#include "http/kube_status.h"

namespace apiserve::chain {

http::HandlerPtr WithPanicRecovery(http::HandlerPtr next) {
  return http::HandlerFunc([next = std::move(next)](http::RequestPtr&& request, http::ResponseWriter&& writer) {
    const http::Completer completer = writer.completer();
    // A reference, not copies of method and target: a target longer than the short-string buffer would cost every
    // request an allocation for a log line that a panic alone writes.
    const http::RequestPtr kept = request;
    std::string what;
    try {
      next->Serve(std::move(request), std::move(writer));
      return;
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "unknown exception";
    }
    LOG(ERROR) << "apiserver panic'd on " << kept->method << " " << kept->target << ": " << what;
    if (completer.head_sent()) {
      completer.TryAbort().IgnoreError();
    } else {
      completer.TrySend(http::PanicResponse()).IgnoreError();
    }
  });
}

}  // namespace apiserve::chain
