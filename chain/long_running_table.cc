#include "chain/long_running_table.h"

#include <utility>

namespace apiserve::chain {
namespace {

const http::HandlerPtr& Marker() {
  static const http::HandlerPtr* const marker =
      new http::HandlerPtr(http::HandlerFunc([](http::RequestPtr, http::ResponseWriter) {}));
  return *marker;
}

bool HasLongRunningResource(const APIGroupInfo& group) {
  for (const APIGroupVersion& version : group.versions) {
    for (const APIResource& resource : version.resources) {
      if (resource.long_running) return true;
      for (const APISubresource& sub : resource.subresources) {
        if (sub.long_running) return true;
      }
    }
  }
  return false;
}

}  // namespace

std::unique_ptr<const LongRunningTable> LongRunningTable::Build(
    const std::vector<RouteSpec>& routes, std::vector<std::shared_ptr<const APIGroupInfo>> groups) {
  std::unique_ptr<LongRunningTable> table(new LongRunningTable());
  for (const RouteSpec& route : routes) {
    if (!route.long_running) continue;
    // AlreadyExists: the same path declared long-running by two servers of the chain; one entry answers for both.
    (route.prefix ? table->routes_.HandlePrefix(route.path, Marker()) : table->routes_.Handle(route.path, Marker()))
        .IgnoreError();
    table->any_route_ = true;
  }
  for (std::shared_ptr<const APIGroupInfo>& group : groups) {
    if (HasLongRunningResource(*group)) table->groups_.push_back(std::move(group));
  }
  return table;
}

bool LongRunningTable::Matches(absl::string_view path, const RequestInfo& info) const {
  if (any_route_ && routes_.Lookup(path) == Marker()) return true;
  return info.is_resource_request && !groups_.empty() && MatchesResource(info);
}

bool LongRunningTable::MatchesResource(const RequestInfo& info) const {
  const bool legacy = info.api_prefix == "api";
  for (const std::shared_ptr<const APIGroupInfo>& group : groups_) {
    if (group->name.empty() != legacy || group->name != info.api_group) continue;
    for (const APIGroupVersion& version : group->versions) {
      if (version.version != info.api_version) continue;
      const APIResource* resource = FindResource(version, info.resource);
      if (resource == nullptr) return false;
      if (resource->long_running) return true;
      const APISubresource* sub = info.subresource.empty() ? nullptr : FindSubresource(*resource, info.subresource);
      return sub != nullptr && sub->long_running;
    }
  }
  return false;
}

}  // namespace apiserve::chain
