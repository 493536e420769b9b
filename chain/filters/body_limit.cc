#include "chain/filters/body_limit.h"

#include <utility>

#include "http/kube_status.h"

namespace apiserve::chain {

http::HandlerPtr WithRequestBodyLimit(http::HandlerPtr next, uint64_t max_bytes) {
  if (max_bytes == 0) {
    return http::HandlerFunc([next = std::move(next)](http::RequestPtr&& request, http::ResponseWriter&& writer) {
      if (request->body_stream != nullptr) request->body_stream->SetLimit(http::kNoBodyLimit);
      next->Serve(std::move(request), std::move(writer));
    });
  }
  http::ResponsePtr too_large = http::Shared(http::RequestEntityTooLargeResponse(max_bytes));
  return http::HandlerFunc(
      [next = std::move(next), max_bytes, too_large](http::RequestPtr&& request, http::ResponseWriter&& writer) {
        http::RequestBody* body = request->body_stream.get();
        if (body == nullptr) {
          next->Serve(std::move(request), std::move(writer));
          return;
        }
        if (body->content_length().value_or(0) > max_bytes) {
          writer.Send(too_large).IgnoreError();
          return;
        }
        body->SetLimit(max_bytes,
                       [completer = writer.completer(), too_large] { completer.TrySend(too_large).IgnoreError(); });
        next->Serve(std::move(request), std::move(writer));
      });
}

}  // namespace apiserve::chain
