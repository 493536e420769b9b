#include "chain/filters/context_filters.h"

#include <memory>
#include <string>

#include "base/object_pool.h"

namespace apiserve::chain {
namespace {

// Every field is overwritten by ParseRequestInfoInto, so an idle RequestInfo keeps its strings for the next request,
// but not one longer than this (a request path may be as long as the header limit allows).
constexpr size_t kMaxKeptFieldBytes = 1024;

void KeepSmallBuffers(RequestInfo* info) {
  for (std::string* field : {&info->path, &info->verb, &info->api_prefix, &info->api_group, &info->api_version,
                             &info->namespace_name, &info->resource, &info->subresource, &info->name}) {
    if (field->capacity() > kMaxKeptFieldBytes) std::string().swap(*field);
  }
}
using RequestInfoPool = base::ObjectPool<RequestInfo, &KeepSmallBuffers, /*kMaxIdle=*/128>;

}  // namespace

http::HandlerPtr WithMuxAndDiscoveryComplete(http::HandlerPtr next, const lifecycle::Signal* complete) {
  return http::HandlerFunc(
      [next = std::move(next), complete](http::RequestPtr&& request, http::ResponseWriter&& writer) {
        if (complete != nullptr && !complete->HasFired()) {
          request->SetContext(std::make_shared<MuxIncompleteMarker>());
        }
        next->Serve(std::move(request), std::move(writer));
      });
}

http::HandlerPtr WithRequestInfo(http::HandlerPtr next, LongRunningPredicate extra_long_running) {
  return http::HandlerFunc([next = std::move(next), extra = std::move(extra_long_running)](
                               http::RequestPtr&& request, http::ResponseWriter&& writer) {
    std::shared_ptr<RequestInfo> info = RequestInfoPool::Acquire();
    ParseRequestInfoInto(*request, info.get());
    if (!info->long_running && extra && extra(*request, *info)) info->long_running = true;
    request->SetContext(std::move(info));
    next->Serve(std::move(request), std::move(writer));
  });
}

http::HandlerPtr WithRequestReceivedTimestamp(http::HandlerPtr next) {
  return http::HandlerFunc([next = std::move(next)](http::RequestPtr&& request, http::ResponseWriter&& writer) {
    http::StampReceivedTime(request.get());
    next->Serve(std::move(request), std::move(writer));
  });
}

}  // namespace apiserve::chain
