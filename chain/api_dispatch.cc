#include "chain/api_dispatch.h"

#include <utility>

#include "http/kube_status.h"

namespace apiserve::chain {
namespace {

// NamespaceFromPath: the request named a namespace with /namespaces/<ns>/ before the resource. (Request info also
// sets the namespace of `/api/v1/namespaces/<name>`, the namespace object itself.)
bool NamespaceFromPath(const RequestInfo& info) {
  if (info.namespace_name.empty()) return false;
  return !(info.resource == "namespaces" && info.name == info.namespace_name);
}

bool IsCollectionVerb(const std::string& verb) {
  return verb == "list" || verb == "watch" || verb == "create" || verb == "deletecollection";
}

bool IsObjectVerb(const std::string& verb) {
  return verb == "get" || verb == "watch" || verb == "update" || verb == "patch" || verb == "delete";
}

const http::HandlerPtr* HandlerFor(const VerbHandlers& handlers, const std::string& verb) {
  auto it = handlers.find(verb);
  return it == handlers.end() ? nullptr : &it->second;
}

ResourceRoute Error(ResourceRoute route, int status) {
  route.error_status = status;
  route.handler = nullptr;
  return route;
}

}  // namespace

ResourceRoute RouteResourceRequest(const APIGroupVersion& version, const RequestInfo& info) {
  ResourceRoute route;
  route.resource = info.resource.empty() ? nullptr : FindResource(version, info.resource);
  if (route.resource == nullptr) return Error(route, 404);
  const APIResource& resource = *route.resource;
  route.long_running = resource.long_running;
  const bool namespace_in_path = NamespaceFromPath(info);
  if (!resource.namespaced && namespace_in_path) return Error(route, 404);
  if (resource.namespaced && !namespace_in_path) {
    // Only the collection exists across namespaces, for list and watch.
    if (!info.name.empty() || !info.subresource.empty()) return Error(route, 404);
    if (info.verb != "list" && info.verb != "watch") return Error(route, 405);
  }
  if (!info.subresource.empty()) {
    route.subresource = FindSubresource(resource, info.subresource);
    if (route.subresource == nullptr) return Error(route, 404);
    route.long_running = route.long_running || route.subresource->long_running;
    route.handler = HandlerFor(route.subresource->handlers, info.verb);
    return route.handler == nullptr ? Error(route, 405) : route;
  }
  const bool verb_fits_path = info.name.empty() ? IsCollectionVerb(info.verb) : IsObjectVerb(info.verb);
  if (!verb_fits_path) return Error(route, 405);
  route.handler = HandlerFor(resource.handlers, info.verb);
  return route.handler == nullptr ? Error(route, 405) : route;
}

http::Response MethodNotSupportedResponse() {
  http::KubeStatus status;
  status.message = "the server does not allow this method on the requested resource";
  status.reason = "MethodNotAllowed";
  status.code = 405;
  status.details_retry_after_seconds = 0;
  return http::JsonResponse(405, http::EncodeKubeStatus(status));
}

http::HandlerPtr GroupVersionHandler(std::shared_ptr<const APIGroupInfo> group, size_t version_index) {
  const http::ResponsePtr not_found = http::Shared(http::NotFoundStatusResponse());
  const http::ResponsePtr not_allowed = http::Shared(MethodNotSupportedResponse());
  return http::HandlerFunc([group = std::move(group), version_index, not_found, not_allowed](
                               http::RequestPtr request, http::ResponseWriter writer) {
    const RequestInfo* info = request->Context<RequestInfo>();
    if (info == nullptr) {  // served without the filter chain (tests, a bare mux): the handlers still find it
      info = request->SetContext(std::make_shared<RequestInfo>(ParseRequestInfo(*request)));
    }
    const ResourceRoute route = RouteResourceRequest(group->versions[version_index], *info);
    if (route.handler == nullptr) {
      writer.Send(route.error_status == 405 ? not_allowed : not_found).IgnoreError();
      return;
    }
    (*route.handler)->Serve(std::move(request), std::move(writer));
  });
}

}  // namespace apiserve::chain
