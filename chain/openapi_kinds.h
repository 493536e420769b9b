#ifndef APISERVE_CHAIN_OPENAPI_KINDS_H_
#define APISERVE_CHAIN_OPENAPI_KINDS_H_

// OpenAPI fragments for installed API groups (chain/api_group.h): each kind's schema as a definition (v2) or
// component schema (v3) carrying kube's `x-kubernetes-group-version-kind` extension — how kubectl explain and
// kubectl's validation find a kind — a generated list-kind schema, and the resource paths with one operation per
// verb (kube's operation naming: listNamespacedNote, readNote, replaceNamespacedNoteStatus, ...) and
// `x-kubernetes-action`.
//
// Definition names follow kube's for CRDs: the group's DNS labels reversed, then version and kind
// ("notes.example.io", "v1", "Note" → "io.example.notes.v1.Note"); the core group is "io.k8s.api.core".

#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "chain/api_group.h"

namespace apiserve::chain {

// OpenApiFragments: path → path item JSON, and definition name → schema JSON, for one document.
struct OpenApiFragments {
  std::map<std::string, std::string> paths;
  std::map<std::string, std::string> schemas;
};

// OpenApiDefinitionName returns the definition name of a kind (see above).
std::string OpenApiDefinitionName(absl::string_view group, absl::string_view version, absl::string_view kind);

// WithGroupVersionKind returns `schema` (a JSON object) with `"x-kubernetes-group-version-kind":[{...}]` appended.
std::string WithGroupVersionKind(absl::string_view schema, absl::string_view group, absl::string_view version,
                                 absl::string_view kind);

// AddGroupVersionToOpenApi adds `version`'s resource paths and kind schemas to `out`, in the v2 (Swagger) or v3
// dialect.
void AddGroupVersionToOpenApi(const APIGroupInfo& group, const APIGroupVersion& version, bool v3,
                              OpenApiFragments* out);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_OPENAPI_KINDS_H_
