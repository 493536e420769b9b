#ifndef APISERVE_HTTP_JSON_PATCH_H_
#define APISERVE_HTTP_JSON_PATCH_H_

// The two JSON patch formats a kube API server accepts for PATCH on any resource (kube's
// endpoints/handlers/patch.go, which every resource shares — so they live here, next to the JSON value, not in one
// resource's code):
//
//   application/merge-patch+json  RFC 7386: ApplyMergePatch(&doc, patch)
//   application/json-patch+json   RFC 6902: ApplyJsonPatch(&doc, patch) (JSON Pointers, RFC 6901)
//
// Both work on http::JsonValue and leave the document unchanged when they fail.

#include "absl/status/status.h"
#include "http/json_value.h"

namespace apiserve::http {

// ApplyMergePatch merges `patch` into `*target` (RFC 7386): an object patch sets its members recursively, null
// removes a member; any other patch replaces the target. Never fails.
void ApplyMergePatch(JsonValue* target, const JsonValue& patch);

// ApplyJsonPatch applies the operations of `patch` (a JSON array of {"op","path",...} objects: add, remove,
// replace, move, copy, test) to `*target`, all or nothing. Errors: InvalidArgument for a malformed patch
// ("json patch must be an array of operations", "json patch operation 2: unknown op \"frob\"", a missing "path"
// or "value"); FailedPrecondition when an operation does not apply to the document ("json patch operation 1
// (replace): path \"/spec/x\" does not exist", "... test failed"). On error `*target` is unchanged.
absl::Status ApplyJsonPatch(JsonValue* target, const JsonValue& patch);

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_JSON_PATCH_H_
