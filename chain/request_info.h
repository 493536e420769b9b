#ifndef APISERVE_CHAIN_REQUEST_INFO_H_
#define APISERVE_CHAIN_REQUEST_INFO_H_

// chain::RequestInfo: what kube's RequestInfoFactory derives from a request's path and method, and whether it is
// long-running (not waited for at shutdown, not subject to the request timeout).
//
//   /api/v1/namespaces/default/pods/web/log → resource "pods", name "web", subresource "log", verb "get"
//   /apis/apps/v1/deployments?watch=true     → verb "watch" (long-running)
//   /healthz                                 → non-resource, verb "get"

#include <string>

#include "absl/strings/string_view.h"
#include "http/request.h"

namespace apiserve::chain {

struct RequestInfo {
  bool is_resource_request = false;
  std::string path;
  std::string verb;  // get, list, watch, create, update, patch, delete, deletecollection; or the method, lowercased
  std::string api_prefix;
  std::string api_group;
  std::string api_version;
  std::string namespace_name;
  std::string resource;
  std::string subresource;
  std::string name;
  bool long_running = false;
};

// ParseRequestInfo applies kube's rules (API prefixes "api" and "apis"; "api" is groupless). Long-running: verbs
// watch and proxy, subresources attach, exec, proxy, log, portforward, and paths under /debug/pprof/.
RequestInfo ParseRequestInfo(const http::Request& request);
// ParseRequestInfoInto does the same into `info`, overwriting every field and reusing its strings' buffers.
void ParseRequestInfoInto(const http::Request& request, RequestInfo* info);

// IsMutatingVerb: create, update, patch, delete, deletecollection (for max-in-flight's two pools); for non-resource
// requests, any method but GET, HEAD and OPTIONS.
bool IsMutating(const RequestInfo& info);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_REQUEST_INFO_H_
