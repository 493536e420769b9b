#include "chain/openapi_kinds.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "http/json_writer.h"

namespace apiserve::chain {
namespace {

// Operation is one verb on one path.
struct Operation {
  std::string method;  // "get", "post", ...
  std::string action;  // x-kubernetes-action
  std::string operation_id;
  std::string response_ref;  // definition name of the 200 body; empty: none
  std::string kind;          // for x-kubernetes-group-version-kind
};

struct PathItem {
  std::vector<Operation> operations;
  std::vector<std::string> parameters;  // path parameters: "namespace", "name"
};

std::string Capitalized(absl::string_view word) {
  std::string out(word);
  if (!out.empty()) out[0] = absl::ascii_toupper(out[0]);
  return out;
}

// CamelGroupVersion: "CoreV1", "NotesExampleIoV1" (kube's operation-id prefix).
std::string CamelGroupVersion(absl::string_view group, absl::string_view version) {
  std::string out = group.empty() ? "Core" : "";
  for (absl::string_view label : absl::StrSplit(group, absl::ByAnyChar(".-"), absl::SkipEmpty())) {
    absl::StrAppend(&out, Capitalized(label));
  }
  return absl::StrCat(out, Capitalized(version));
}

void GroupVersionKind(http::JsonWriter& json, absl::string_view group, absl::string_view version,
                      absl::string_view kind) {
  json.BeginObject();
  json.Key("group");
  json.String(group);
  json.Key("kind");
  json.String(kind);
  json.Key("version");
  json.String(version);
  json.EndObject();
}

std::string Ref(bool v3, absl::string_view name) {
  return absl::StrCat(v3 ? "#/components/schemas/" : "#/definitions/", name);
}

std::string PathItemJson(const PathItem& item, absl::string_view group, absl::string_view version, bool v3) {
  http::JsonWriter json;
  json.BeginObject();
  for (const Operation& op : item.operations) {
    json.Key(op.method);
    json.BeginObject();
    json.Key("description");
    json.String(absl::StrCat(op.action, " ", op.kind));
    json.Key("operationId");
    json.String(op.operation_id);
    if (!v3) {
      json.Key("produces");
      json.BeginArray();
      json.String("application/json");
      json.EndArray();
    }
    if (op.method == "post" || op.method == "put" || op.method == "patch") {
      // kube's write parameters that a server built on apiserve can honour. kubectl looks for fieldValidation on the
      // PATCH operation of a kind to validate on the server (else it fetches the protobuf /openapi/v2 document).
      // dryRun is not listed: a handler that ignored it would write for real.
      json.Key("parameters");
      json.BeginArray();
      for (const char* name : {"fieldManager", "fieldValidation"}) {
        json.BeginObject();
        json.Key("name");
        json.String(name);
        json.Key("in");
        json.String("query");
        if (v3) {
          json.Key("schema");
          json.BeginObject();
          json.Key("type");
          json.String("string");
          json.Key("uniqueItems");
          json.Bool(true);
          json.EndObject();
        } else {
          json.Key("type");
          json.String("string");
          json.Key("uniqueItems");
          json.Bool(true);
        }
        json.EndObject();
      }
      json.EndArray();
    }
    json.Key("responses");
    json.BeginObject();
    json.Key("200");
    json.BeginObject();
    json.Key("description");
    json.String("OK");
    if (!op.response_ref.empty()) {
      if (v3) {
        json.Key("content");
        json.BeginObject();
        json.Key("application/json");
        json.BeginObject();
      }
      json.Key("schema");
      json.BeginObject();
      json.Key("$ref");
      json.String(Ref(v3, op.response_ref));
      json.EndObject();
      if (v3) {
        json.EndObject();
        json.EndObject();
      }
    }
    json.EndObject();
    json.EndObject();
    json.Key("x-kubernetes-action");
    json.String(op.action);
    json.Key("x-kubernetes-group-version-kind");
    GroupVersionKind(json, group, version, op.kind);
    json.EndObject();
  }
  if (!item.parameters.empty()) {
    json.Key("parameters");
    json.BeginArray();
    for (const std::string& name : item.parameters) {
      json.BeginObject();
      json.Key("name");
      json.String(name);
      json.Key("in");
      json.String("path");
      json.Key("required");
      json.Bool(true);
      if (v3) {
        json.Key("schema");
        json.BeginObject();
        json.Key("type");
        json.String("string");
        json.EndObject();
      } else {
        json.Key("type");
        json.String("string");
      }
      json.EndObject();
    }
    json.EndArray();
  }
  json.EndObject();
  return json.Take();
}

std::string ListSchema(absl::string_view item_ref, absl::string_view kind, absl::string_view list_kind) {
  http::JsonWriter json;
  json.BeginObject();
  json.Key("description");
  json.String(absl::StrCat(list_kind, " is a list of ", kind));
  json.Key("type");
  json.String("object");
  json.Key("required");
  json.BeginArray();
  json.String("items");
  json.EndArray();
  json.Key("properties");
  json.BeginObject();
  json.Key("apiVersion");
  json.Raw(R"({"type":"string"})");
  json.Key("items");
  json.BeginObject();
  json.Key("type");
  json.String("array");
  json.Key("items");
  json.BeginObject();
  json.Key("$ref");
  json.String(item_ref);
  json.EndObject();
  json.EndObject();
  json.Key("kind");
  json.Raw(R"({"type":"string"})");
  json.Key("metadata");
  json.Raw(R"({"type":"object"})");
  json.EndObject();
  json.EndObject();
  return json.Take();
}

struct VerbShape {
  const char* verb;
  const char* method;
  const char* action;
  const char* id_prefix;
  bool collection;  // served on the collection path (else on the object path)
};

constexpr VerbShape kShapes[] = {
    {"list", "get", "list", "list", true},
    {"create", "post", "post", "create", true},
    {"deletecollection", "delete", "deletecollection", "deleteCollection", true},
    {"get", "get", "get", "read", false},
    {"update", "put", "put", "replace", false},
    {"patch", "patch", "patch", "patch", false},
    {"delete", "delete", "delete", "delete", false},
};

}  // namespace

std::string OpenApiDefinitionName(absl::string_view group, absl::string_view version, absl::string_view kind) {
  std::vector<absl::string_view> labels = absl::StrSplit(group.empty() ? "core.api.k8s.io" : group, '.');
  std::reverse(labels.begin(), labels.end());
  return absl::StrCat(absl::StrJoin(labels, "."), ".", version, ".", kind);
}

std::string WithGroupVersionKind(absl::string_view schema, absl::string_view group, absl::string_view version,
                                 absl::string_view kind) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(schema);
  absl::string_view inner = absl::StripAsciiWhitespace(trimmed.substr(1, trimmed.size() - 2));
  http::JsonWriter gvk;
  gvk.BeginArray();
  GroupVersionKind(gvk, group, version, kind);
  gvk.EndArray();
  return absl::StrCat("{", inner, inner.empty() ? "" : ",", "\"x-kubernetes-group-version-kind\":", gvk.Take(), "}");
}

void AddGroupVersionToOpenApi(const APIGroupInfo& group, const APIGroupVersion& version, bool v3,
                              OpenApiFragments* out) {
  const std::string base = GroupVersionPath(group.name, version.version);
  const std::string camel_gv = CamelGroupVersion(group.name, version.version);
  std::map<std::string, PathItem> items;
  for (const APIResource& resource : version.resources) {
    std::string item_name, list_name;
    if (!resource.openapi_schema.empty()) {
      const std::string list_kind = resource.list_kind.empty() ? resource.kind + "List" : resource.list_kind;
      item_name = OpenApiDefinitionName(group.name, version.version, resource.kind);
      list_name = OpenApiDefinitionName(group.name, version.version, list_kind);
      out->schemas[item_name] =
          WithGroupVersionKind(resource.openapi_schema, group.name, version.version, resource.kind);
      out->schemas[list_name] = WithGroupVersionKind(ListSchema(Ref(v3, item_name), resource.kind, list_kind),
                                                     group.name, version.version, list_kind);
    }
    const std::string ns_part = resource.namespaced ? "Namespaced" : "";
    const std::string collection = resource.namespaced ? absl::StrCat(base, "/namespaces/{namespace}/", resource.name)
                                                       : absl::StrCat(base, "/", resource.name);
    const std::string object = collection + "/{name}";
    std::vector<std::string> collection_params;
    if (resource.namespaced) collection_params.push_back("namespace");
    std::vector<std::string> object_params = collection_params;
    object_params.push_back("name");
    for (const VerbShape& shape : kShapes) {
      if (resource.handlers.count(shape.verb) == 0) continue;
      const bool list = std::string(shape.verb) == "list";
      PathItem& item = items[shape.collection ? collection : object];
      item.parameters = shape.collection ? collection_params : object_params;
      item.operations.push_back(Operation{
          shape.method, shape.action, absl::StrCat(shape.id_prefix, camel_gv, ns_part, resource.kind),
          list ? list_name : (std::string(shape.verb) == "deletecollection" ? "" : item_name), resource.kind});
      if (list && resource.namespaced) {
        PathItem& across = items[absl::StrCat(base, "/", resource.name)];
        across.operations.push_back(Operation{"get", "list",
                                              absl::StrCat("list", camel_gv, resource.kind, "ForAllNamespaces"),
                                              list_name, resource.kind});
      }
    }
    for (const APISubresource& sub : resource.subresources) {
      const bool same_kind = sub.version.empty() && (sub.kind.empty() || sub.kind == resource.kind);
      const std::string kind = sub.kind.empty() ? resource.kind : sub.kind;
      PathItem& item = items[absl::StrCat(object, "/", sub.name)];
      item.parameters = object_params;
      for (const VerbShape& shape : kShapes) {
        if (sub.handlers.count(shape.verb) == 0 || shape.collection) continue;
        item.operations.push_back(
            Operation{shape.method, shape.action,
                      absl::StrCat(shape.id_prefix, camel_gv, ns_part, resource.kind, Capitalized(sub.name)),
                      same_kind ? item_name : "", kind});
      }
      if (sub.handlers.count("create") > 0) {
        item.operations.push_back(
            Operation{"post", "post", absl::StrCat("create", camel_gv, ns_part, resource.kind, Capitalized(sub.name)),
                      same_kind ? item_name : "", kind});
      }
    }
  }
  for (const auto& [path, item] : items) {
    if (!item.operations.empty()) out->paths[path] = PathItemJson(item, group.name, version.version, v3);
  }
}

}  // namespace apiserve::chain
