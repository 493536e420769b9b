#ifndef APISERVE_CHAIN_LONG_RUNNING_TABLE_H_
#define APISERVE_CHAIN_LONG_RUNNING_TABLE_H_

// chain::LongRunningTable: which paths of a whole delegation chain are served by a long-running route or API
// resource (RouteSpec::long_running, APIResource::long_running, APISubresource::long_running), flattened from every
// server's DelegationTarget::Routes() and APIGroups() when the chain's routes change — never per request.
//
//   std::unique_ptr<const LongRunningTable> table = LongRunningTable::Build(target->Routes(), target->APIGroups());
//   bool long_running = table->Matches(request.path, info);
//
// kube's watch/proxy verbs and long-running subresources are decided by request info (chain/request_info.h); this
// table adds the routes and resources a server declares long-running. Immutable once built: thread-safe.

#include <memory>
#include <vector>

#include "absl/strings/string_view.h"
#include "chain/api_group.h"
#include "chain/path_mux.h"
#include "chain/request_info.h"
#include "chain/route_spec.h"

namespace apiserve::chain {

class LongRunningTable {
 public:
  // Build flattens `routes` (only the long-running ones are kept; a path declared long-running twice is one entry)
  // and `groups` (the chain's API groups, outermost first).
  static std::unique_ptr<const LongRunningTable> Build(const std::vector<RouteSpec>& routes,
                                                       std::vector<std::shared_ptr<const APIGroupInfo>> groups);

  // Matches reports whether `path` falls under a long-running route (exact, or under a long-running prefix), or
  // `info` names a long-running resource or subresource of an installed group version. Lock-free, allocation-free.
  bool Matches(absl::string_view path, const RequestInfo& info) const;

 private:
  LongRunningTable() = default;
  bool MatchesResource(const RequestInfo& info) const;

  bool any_route_ = false;
  PathMux routes_{"long-running routes"};                    // long-running paths mapped to a marker handler
  std::vector<std::shared_ptr<const APIGroupInfo>> groups_;  // only groups with a long-running (sub)resource
};

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_LONG_RUNNING_TABLE_H_
