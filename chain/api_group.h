#ifndef APISERVE_CHAIN_API_GROUP_H_
#define APISERVE_CHAIN_API_GROUP_H_

// chain::APIGroupInfo: what GenericServer::InstallAPIGroup installs (kube's genericapiserver.APIGroupInfo, in C++
// terms): a group, its versions (the first is preferred), and per version the resources, each with a handler per
// verb. Discovery, routing and OpenAPI are all generated from it, so a server advertises exactly what it serves.
//
//   APIResource notes;
//   notes.name = "notes";                // plural: the path segment
//   notes.kind = "Note";                 // singular_name defaults to "note"
//   notes.short_names = {"nt"};
//   notes.handlers = {{"get", get}, {"list", list}, {"create", create}, {"watch", watch}};
//   notes.openapi_schema = R"({"type":"object","properties":{...}})";
//   RETURN_IF_ERROR(server->InstallAPIGroup({"notes.example.io", {{"v1", {notes}}}}));
//
// A verb is advertised in discovery if and only if it has a handler. Verbs are kube's request-info verbs: get, list,
// watch, create, update, patch, delete, deletecollection (chain/request_info.h). Handlers run on the connection's
// loop (http::Handler) and find the parsed request in request->Context<RequestInfo>() (namespace, name, ...).

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "http/handler.h"

namespace apiserve::chain {

// VerbHandlers maps a verb ("get", "list", ...) to the handler that serves it.
using VerbHandlers = std::map<std::string, http::HandlerPtr>;

// APISubresource is `<resource>/<name>` served under an object: /.../<resource>/<object>/<name>.
struct APISubresource {
  std::string name;  // "status", "scale"
  // The kind it answers with (empty: the resource's kind). When that kind is another group version's (kube's
  // deployments/scale answers autoscaling/v1 Scale), `version` names it, with `group` ("" for core); with `version`
  // empty the kind is in the resource's group version.
  std::string kind;
  std::string group;
  std::string version;
  VerbHandlers handlers;
  bool long_running = false;  // every request to it streams or waits (not timed out, not waited for at shutdown)
};

// APIResource is one resource of a group version.
struct APIResource {
  std::string name;           // plural, lowercase: "notes"
  std::string singular_name;  // "note"; empty: the kind, lowercased (as kube defaults it)
  std::string kind;           // "Note"
  bool namespaced = true;     // served under /namespaces/<ns>/ (and listed/watched across namespaces)
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  VerbHandlers handlers;
  std::vector<APISubresource> subresources;
  // Every request to the resource is long-running (a stream), not only watches.
  bool long_running = false;
  // The kind's OpenAPI v3 schema (a JSON object), published at /openapi/v2 and /openapi/v3 with kube's
  // x-kubernetes-group-version-kind extension; empty: none published.
  std::string openapi_schema;
  // The list kind, for OpenAPI only ("NoteList"); empty: <kind>List.
  std::string list_kind;
};

struct APIGroupVersion {
  std::string version;  // "v1"
  std::vector<APIResource> resources;
};

struct APIGroupInfo {
  std::string name;                       // "notes.example.io"; "" for the legacy core group (/api)
  std::vector<APIGroupVersion> versions;  // the first is the preferred version
};

// IsKnownVerb reports whether `verb` is one of kube's eight resource verbs.
bool IsKnownVerb(absl::string_view verb);

// ValidateAPIGroupInfo returns InvalidArgument naming every problem: a missing or malformed group, version or
// resource name, duplicates, a resource without kind or handlers, an unknown verb, a null handler, a schema that is
// not a JSON object. `legacy` says whether this is the core group (which must be named "").
absl::Status ValidateAPIGroupInfo(const APIGroupInfo& group, bool legacy);

// NormalizeAPIGroupInfo fills the defaults (singular names) and sorts each version's resources and each resource's
// subresources by name (kube's discovery order).
void NormalizeAPIGroupInfo(APIGroupInfo* group);

// GroupVersionString returns "v1" for the core group, "<group>/<version>" otherwise.
std::string GroupVersionString(absl::string_view group, absl::string_view version);
// GroupVersionPath returns "/api/v1" for the core group, "/apis/<group>/<version>" otherwise.
std::string GroupVersionPath(absl::string_view group, absl::string_view version);

// FindResource returns the resource named `name`, or null.
const APIResource* FindResource(const APIGroupVersion& version, absl::string_view name);
// FindSubresource returns the subresource named `name`, or null.
const APISubresource* FindSubresource(const APIResource& resource, absl::string_view name);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_API_GROUP_H_
