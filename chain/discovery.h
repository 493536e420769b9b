#ifndef APISERVE_CHAIN_DISCOVERY_H_
#define APISERVE_CHAIN_DISCOVERY_H_

// Discovery documents generated from installed API groups, byte for byte as kube writes them (Go field order,
// omitempty as in k8s.io/apimachinery's metav1 and k8s.io/api's apidiscovery/v2 types, "\n" after the object as
// Go's JSON encoder writes it):
//
//   /api              APIVersions {"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[...]} /api/v1
//   APIResourceList        {"kind":"APIResourceList","groupVersion":"v1","resources":[...]} /apis APIGroupList
//   {"kind":"APIGroupList","apiVersion":"v1","groups":[...]} /apis/<g>         APIGroup
//   {"kind":"APIGroup","apiVersion":"v1","name":...} /apis/<g>/<v>     APIResourceList
//   {"kind":"APIResourceList","apiVersion":"v1","groupVersion":"<g>/<v>",...} /api, /apis with Accept
//   ...;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList:
//                     APIGroupDiscoveryList  {"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2",...}
//
// (kube's /api/v1 list has no apiVersion, unlike /apis/<g>/<v>: it is encoded for the empty group version.)
// Resources are in name order with each subresource after its resource as "<res>/<sub>"; verbs are sorted; versions
// keep the installed order (the first is preferred).

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "chain/api_group.h"

namespace apiserve::chain {

// DiscoveryGroup is one group as discovery shows it: its versions, merged down the delegation chain. It borrows
// from the installed groups it was merged from: keep those alive while it is used.
struct DiscoveryGroup {
  std::string name;
  std::vector<const APIGroupVersion*> versions;  // borrowed from the installed APIGroupInfos; preferred first
};

// MergeDiscoveryGroups merges `installed` (a server's groups, then its delegates', outermost first) by name in
// first-seen order, as kube-aggregator merges its backends; a version already seen for a group is skipped (the outer
// server serves it). `legacy`: keep only the core group (""); otherwise only named groups.
std::vector<DiscoveryGroup> MergeDiscoveryGroups(const std::vector<std::shared_ptr<const APIGroupInfo>>& installed,
                                                 bool legacy);

// APIVersionsJson is /api: the core group's versions; `server_address` ("host:port") fills
// serverAddressByClientCIDRs for 0.0.0.0/0 as kube does (an empty list when empty).
std::string APIVersionsJson(const DiscoveryGroup& core, absl::string_view server_address);
// APIGroupListJson is /apis.
std::string APIGroupListJson(const std::vector<DiscoveryGroup>& groups);
// APIGroupJson is /apis/<g>.
std::string APIGroupJson(const DiscoveryGroup& group);
// APIResourceListJson is /api/<v> (group "") or /apis/<g>/<v>.
std::string APIResourceListJson(absl::string_view group, const APIGroupVersion& version);

// The aggregated discovery versions kube serves: apidiscovery.k8s.io/v2 and v2beta1 (same shape).
enum class AggregatedVersion { kV2, kV2Beta1 };
// AggregatedVersionName returns "v2" or "v2beta1".
absl::string_view AggregatedVersionName(AggregatedVersion version);
// AggregatedContentType returns `application/json;g=apidiscovery.k8s.io;v=<v>;as=APIGroupDiscoveryList`.
std::string AggregatedContentType(AggregatedVersion version);
// APIGroupDiscoveryListJson is the aggregated document for /api (the core group) or /apis (named groups).
std::string APIGroupDiscoveryListJson(const std::vector<DiscoveryGroup>& groups, AggregatedVersion version);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_DISCOVERY_H_
