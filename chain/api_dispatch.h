#ifndef APISERVE_CHAIN_API_DISPATCH_H_
#define APISERVE_CHAIN_API_DISPATCH_H_

// Routing of resource requests inside one installed group version, as kube's installer lays out the paths:
//
//   namespaced resource   /<gv path>/namespaces/<ns>/<res>            list, watch, create, deletecollection
//                         /<gv path>/namespaces/<ns>/<res>/<name>     get, watch, update, patch, delete
//                         /<gv path>/namespaces/<ns>/<res>/<name>/<sub>
//                         /<gv path>/<res>                            list, watch (across namespaces)
//   cluster-scoped        /<gv path>/<res>[/<name>[/<sub>]]
//
// A path that does not exist (unknown resource or subresource, a namespaced object without its namespace, a
// cluster-scoped resource under /namespaces/) is kube's 404 Status, `the server could not find the requested
// resource`; a path that exists with a verb the resource has no handler for (or a verb that does not belong on that
// path, such as POST to an object) is kube's 405 Status, `the server does not allow this method on the requested
// resource` (reason MethodNotAllowed).

#include <memory>

#include "chain/api_group.h"
#include "chain/request_info.h"
#include "http/handler.h"
#include "http/response.h"

namespace apiserve::chain {

// ResourceRoute is where a resource request goes: a handler, or the error status (404 or 405).
struct ResourceRoute {
  const APIResource* resource = nullptr;
  const APISubresource* subresource = nullptr;
  const http::HandlerPtr* handler = nullptr;  // into the group's VerbHandlers; null with an error status
  int error_status = 0;                       // 0, 404 or 405
  bool long_running = false;                  // the resource or subresource is long-running
};

// RouteResourceRequest applies the rules above to `info` (parsed from a path under `version`'s path).
ResourceRoute RouteResourceRequest(const APIGroupVersion& version, const RequestInfo& info);

// MethodNotSupportedResponse is kube's 405 Status (errors.NewMethodNotSupported through go-restful's error handler):
// `the server does not allow this method on the requested resource`, reason MethodNotAllowed, details {}.
http::Response MethodNotSupportedResponse();

// GroupVersionHandler serves the resource requests under `group`'s version `version_index` (its prefix
// "/apis/<g>/<v>/" or "/api/<v>/"): it reads the request's RequestInfo (parsing and attaching it when no filter
// did, so verb handlers always find request->Context<RequestInfo>()) and calls the verb's handler, or answers
// 404/405. `group` is shared and must not change.
http::HandlerPtr GroupVersionHandler(std::shared_ptr<const APIGroupInfo> group, size_t version_index);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_API_DISPATCH_H_
