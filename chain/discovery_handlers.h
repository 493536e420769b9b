#ifndef APISERVE_CHAIN_DISCOVERY_HANDLERS_H_
#define APISERVE_CHAIN_DISCOVERY_HANDLERS_H_

// HTTP handlers for the discovery documents (chain/discovery.h). The root handlers read the installed groups at
// request time through an APIGroupsSource, so groups installed later (also after PrepareRun) appear; documents are
// built once per set of installed groups and shared.
//
// /api and /apis negotiate (chain/discovery_accept.h): the aggregated form answers with
// `Content-Type: application/json;g=apidiscovery.k8s.io;v=<v2|v2beta1>;as=APIGroupDiscoveryList`, a strong ETag
// (a hash of the body that is the same in every process serving the same groups), `Vary: Accept`,
// `Cache-Control: public`, and 304 without a body when If-None-Match names that tag — kube's ServeHTTPWithETag.
// The legacy form answers application/json.
//
// Thread-safe; handlers run on the connection's loop and never block (one short lock around the cache).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chain/api_group.h"
#include "http/handler.h"

namespace apiserve::chain {

// APIGroupsSource returns the installed groups to publish, outermost server first. Called per request.
using APIGroupsSource = std::function<std::vector<std::shared_ptr<const APIGroupInfo>>()>;

// RootDiscoveryHandler serves /api (`legacy`: the core group's APIVersions) or /apis (APIGroupList).
http::HandlerPtr RootDiscoveryHandler(APIGroupsSource source, bool legacy);
// GroupDiscoveryHandler serves /apis/<group> (APIGroup, versions merged across `source`); 404 Status when the
// group has no version left.
http::HandlerPtr GroupDiscoveryHandler(APIGroupsSource source, std::string group);
// ResourceListHandler serves /api/<v> or /apis/<g>/<v> (APIResourceList) for one installed version.
http::HandlerPtr ResourceListHandler(const APIGroupInfo& group, const APIGroupVersion& version);

// DiscoveryETag returns the quoted, process-independent entity tag of `body` (FNV-1a 64, 16 hex digits).
std::string DiscoveryETag(absl::string_view body);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_DISCOVERY_HANDLERS_H_
