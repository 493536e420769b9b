#include "chain/discovery.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "http/json_writer.h"

namespace apiserve::chain {
namespace {

void StringArray(http::JsonWriter& json, absl::string_view key, const std::vector<std::string>& values,
                 bool omit_empty) {
  if (omit_empty && values.empty()) return;
  json.Key(key);
  json.BeginArray();
  for (const std::string& value : values) json.String(value);
  json.EndArray();
}

void Verbs(http::JsonWriter& json, const VerbHandlers& handlers) {
  json.Key("verbs");
  json.BeginArray();
  for (const auto& [verb, handler] : handlers) json.String(verb);  // a std::map: sorted, as kube sorts them
  json.EndArray();
}

void GroupVersionForDiscovery(http::JsonWriter& json, absl::string_view group, absl::string_view version) {
  json.BeginObject();
  json.Key("groupVersion");
  json.String(GroupVersionString(group, version));
  json.Key("version");
  json.String(version);
  json.EndObject();
}

// WriteGroup writes a metav1.APIGroup's fields after its TypeMeta.
void GroupFields(http::JsonWriter& json, const DiscoveryGroup& group) {
  json.Key("name");
  json.String(group.name);
  json.Key("versions");
  json.BeginArray();
  for (const APIGroupVersion* version : group.versions) GroupVersionForDiscovery(json, group.name, version->version);
  json.EndArray();
  if (!group.versions.empty()) {
    json.Key("preferredVersion");
    GroupVersionForDiscovery(json, group.name, group.versions.front()->version);
  }
}

void ResponseKind(http::JsonWriter& json, absl::string_view group, absl::string_view version, absl::string_view kind) {
  json.Key("responseKind");
  json.BeginObject();
  json.Key("group");
  json.String(group);
  json.Key("version");
  json.String(version);
  json.Key("kind");
  json.String(kind);
  json.EndObject();
}

void AggregatedResource(http::JsonWriter& json, absl::string_view group, absl::string_view version,
                        const APIResource& resource) {
  json.BeginObject();
  json.Key("resource");
  json.String(resource.name);
  ResponseKind(json, group, version, resource.kind);
  json.Key("scope");
  json.String(resource.namespaced ? "Namespaced" : "Cluster");
  json.Key("singularResource");
  json.String(resource.singular_name);
  Verbs(json, resource.handlers);
  StringArray(json, "shortNames", resource.short_names, /*omit_empty=*/true);
  StringArray(json, "categories", resource.categories, /*omit_empty=*/true);
  if (!resource.subresources.empty()) {
    json.Key("subresources");
    json.BeginArray();
    for (const APISubresource& sub : resource.subresources) {
      json.BeginObject();
      json.Key("subresource");
      json.String(sub.name);
      const bool other_gv = !sub.version.empty();
      ResponseKind(json, other_gv ? absl::string_view(sub.group) : group,
                   other_gv ? absl::string_view(sub.version) : version, sub.kind.empty() ? resource.kind : sub.kind);
      Verbs(json, sub.handlers);
      json.EndObject();
    }
    json.EndArray();
  }
  json.EndObject();
}

}  // namespace

std::vector<DiscoveryGroup> MergeDiscoveryGroups(const std::vector<std::shared_ptr<const APIGroupInfo>>& installed,
                                                 bool legacy) {
  std::vector<DiscoveryGroup> groups;
  std::map<std::string, size_t> index;
  std::set<std::pair<std::string, std::string>> seen;
  for (const std::shared_ptr<const APIGroupInfo>& info : installed) {
    if (info->name.empty() != legacy) continue;
    auto [it, inserted] = index.emplace(info->name, groups.size());
    if (inserted) groups.push_back(DiscoveryGroup{info->name, {}});
    DiscoveryGroup& group = groups[it->second];
    for (const APIGroupVersion& version : info->versions) {
      if (seen.emplace(info->name, version.version).second) group.versions.push_back(&version);
    }
  }
  return groups;
}

std::string APIVersionsJson(const DiscoveryGroup& core, absl::string_view server_address) {
  http::JsonWriter json;
  json.BeginObject();
  json.Key("kind");
  json.String("APIVersions");
  json.Key("versions");
  json.BeginArray();
  for (const APIGroupVersion* version : core.versions) json.String(version->version);
  json.EndArray();
  json.Key("serverAddressByClientCIDRs");
  json.BeginArray();
  if (!server_address.empty()) {
    json.BeginObject();
    json.Key("clientCIDR");
    json.String("0.0.0.0/0");
    json.Key("serverAddress");
    json.String(server_address);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return json.Take() + "\n";
}

std::string APIGroupListJson(const std::vector<DiscoveryGroup>& groups) {
  http::JsonWriter json;
  json.BeginObject();
  json.Key("kind");
  json.String("APIGroupList");
  json.Key("apiVersion");
  json.String("v1");
  json.Key("groups");
  json.BeginArray();
  for (const DiscoveryGroup& group : groups) {
    json.BeginObject();
    GroupFields(json, group);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return json.Take() + "\n";
}

std::string APIGroupJson(const DiscoveryGroup& group) {
  http::JsonWriter json;
  json.BeginObject();
  json.Key("kind");
  json.String("APIGroup");
  json.Key("apiVersion");
  json.String("v1");
  GroupFields(json, group);
  json.EndObject();
  return json.Take() + "\n";
}

std::string APIResourceListJson(absl::string_view group, const APIGroupVersion& version) {
  http::JsonWriter json;
  json.BeginObject();
  json.Key("kind");
  json.String("APIResourceList");
  if (!group.empty()) {
    json.Key("apiVersion");
    json.String("v1");
  }
  json.Key("groupVersion");
  json.String(GroupVersionString(group, version.version));
  json.Key("resources");
  json.BeginArray();
  for (const APIResource& resource : version.resources) {
    json.BeginObject();
    json.Key("name");
    json.String(resource.name);
    json.Key("singularName");
    json.String(resource.singular_name);
    json.Key("namespaced");
    json.Bool(resource.namespaced);
    json.Key("kind");
    json.String(resource.kind);
    Verbs(json, resource.handlers);
    StringArray(json, "shortNames", resource.short_names, /*omit_empty=*/true);
    StringArray(json, "categories", resource.categories, /*omit_empty=*/true);
    json.EndObject();
    for (const APISubresource& sub : resource.subresources) {
      json.BeginObject();
      json.Key("name");
      json.String(absl::StrCat(resource.name, "/", sub.name));
      json.Key("singularName");
      json.String("");
      json.Key("namespaced");
      json.Bool(resource.namespaced);
      if (!sub.version.empty()) {
        if (!sub.group.empty()) {
          json.Key("group");
          json.String(sub.group);
        }
        json.Key("version");
        json.String(sub.version);
      }
      json.Key("kind");
      json.String(sub.kind.empty() ? resource.kind : sub.kind);
      Verbs(json, sub.handlers);
      json.EndObject();
    }
  }
  json.EndArray();
  json.EndObject();
  return json.Take() + "\n";
}

absl::string_view AggregatedVersionName(AggregatedVersion version) {
  return version == AggregatedVersion::kV2 ? "v2" : "v2beta1";
}

std::string AggregatedContentType(AggregatedVersion version) {
  return absl::StrCat("application/json;g=apidiscovery.k8s.io;v=", AggregatedVersionName(version),
                      ";as=APIGroupDiscoveryList");
}

std::string APIGroupDiscoveryListJson(const std::vector<DiscoveryGroup>& groups, AggregatedVersion version) {
  http::JsonWriter json;
  json.BeginObject();
  json.Key("kind");
  json.String("APIGroupDiscoveryList");
  json.Key("apiVersion");
  json.String(absl::StrCat("apidiscovery.k8s.io/", AggregatedVersionName(version)));
  json.Key("metadata");
  json.BeginObject();
  json.EndObject();
  json.Key("items");
  json.BeginArray();
  for (const DiscoveryGroup& group : groups) {
    json.BeginObject();
    json.Key("metadata");
    json.BeginObject();
    if (!group.name.empty()) {
      json.Key("name");
      json.String(group.name);
    }
    json.Key("creationTimestamp");
    json.Null();
    json.EndObject();
    json.Key("versions");
    json.BeginArray();
    for (const APIGroupVersion* gv : group.versions) {
      json.BeginObject();
      json.Key("version");
      json.String(gv->version);
      json.Key("resources");
      json.BeginArray();
      for (const APIResource& resource : gv->resources) AggregatedResource(json, group.name, gv->version, resource);
      json.EndArray();
      json.Key("freshness");
      json.String("Current");
      json.EndObject();
    }
    json.EndArray();
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return json.Take() + "\n";
}

}  // namespace apiserve::chain
