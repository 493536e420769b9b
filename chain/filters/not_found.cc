#include "chain/filters/not_found.h"

#include "chain/filters/context_filters.h"
#include "http/kube_status.h"

namespace apiserve::chain {

http::HandlerPtr TerminalNotFoundHandler() {
  return http::HandlerFunc([not_found = http::Shared(http::NotFoundTextResponse()),
                            incomplete = http::Shared(http::MuxIncompleteResponse())](http::RequestPtr&& request,
                                                                                      http::ResponseWriter&& writer) {
    writer.Send(request->Context<MuxIncompleteMarker>() != nullptr ? incomplete : not_found).IgnoreError();
  });
}

}  // namespace apiserve::chain
