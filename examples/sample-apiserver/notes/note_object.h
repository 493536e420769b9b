#ifndef SAMPLE_APISERVER_NOTES_NOTE_OBJECT_H_
#define SAMPLE_APISERVER_NOTES_NOTE_OBJECT_H_

// The Note kind: what a note looks like, how a request body becomes one (decode, defaults, validation — kube's
// create/update "strategy"), selectors over notes, and the kind's OpenAPI schema.
//
//   {"apiVersion":"notes.example.io/v1","kind":"Note",
//    "metadata":{"name","namespace","uid","resourceVersion","creationTimestamp","labels","annotations"},
//    "spec":{"text":"..."}}
//
// Fields outside these are dropped (as kube prunes unknown fields of a structural CRD schema). Pure functions: no
// state, safe from any thread.

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "http/json_value.h"
#include "notes/api_errors.h"

namespace sample::notes {

inline constexpr absl::string_view kGroup = "notes.example.io";
inline constexpr absl::string_view kVersion = "v1";
inline constexpr absl::string_view kApiVersion = "notes.example.io/v1";
inline constexpr absl::string_view kKind = "Note";
inline constexpr absl::string_view kListKind = "NoteList";
inline constexpr absl::string_view kResource = "notes";

using apiserve::http::JsonValue;

// MetadataString returns metadata.<field> if it is a string, else "".
std::string MetadataString(const JsonValue& note, absl::string_view field);

// DecodeNote parses a request body into a note object. 400 BadRequest (kube's texts) when the body is not JSON, not
// an object, or names another apiVersion or kind.
std::optional<ApiError> DecodeNote(absl::string_view body, JsonValue* note);

// PrepareForCreate makes `*note` a new object in `request_namespace`: checks that a namespace in the body matches
// (400), generates the name from metadata.generateName if needed, drops unknown fields, sets uid and
// creationTimestamp (`now`), clears resourceVersion, and validates (422).
std::optional<ApiError> PrepareForCreate(absl::string_view request_namespace, absl::Time now, JsonValue* note);

// PrepareForUpdate makes `*note` the next version of `current`: drops unknown fields and keeps the fields a client
// may not change (name, namespace, uid, creationTimestamp). With `require_resource_version` (PUT: custom resources
// refuse unconditional updates) a missing metadata.resourceVersion is 422. Validates (422).
std::optional<ApiError> PrepareForUpdate(const JsonValue& current, bool require_resource_version, JsonValue* note);

// Validate returns 422 Invalid listing every field error of `note`.
std::optional<ApiError> Validate(const JsonValue& note);

// UnknownFields lists the fields of `note` that a Note does not have, as kube names them ("spec.color", "colour"):
// pruned when stored; reported per ?fieldValidation (CheckFieldValidation).
std::vector<std::string> UnknownFields(const JsonValue& note);

// CheckFieldValidation applies kube's ?fieldValidation to the unknown fields of `note`: Strict (what kubectl sends)
// → 400 `strict decoding error: unknown field "spec.color"`; Warn (the default) → one `Warning: 299 - "unknown field
// \"spec.color\""` per field, appended to `warnings`; Ignore → nothing. Another value is a 400 naming it.
std::optional<ApiError> CheckFieldValidation(absl::string_view field_validation, const JsonValue& note,
                                             std::vector<std::string>* warnings);

// NoteFilter selects notes for list and watch: by namespace (empty: all), fieldSelector (metadata.name,
// metadata.namespace) and labelSelector (equality-based: k=v, k==v, k!=v, k, !k).
struct NoteFilter {
  struct Requirement {
    enum Op { kEquals, kNotEquals, kExists, kNotExists } op;
    std::string key;
    std::string value;
  };
  std::string namespace_name;
  std::string name;
  std::vector<Requirement> labels;

  bool Matches(const JsonValue& note) const;
};

// ParseFilter builds a filter; 400 BadRequest for a selector it cannot parse or a field it does not support.
std::optional<ApiError> ParseFilter(absl::string_view namespace_name, absl::string_view field_selector,
                                    absl::string_view label_selector, NoteFilter* filter);

// NoteSchema is the Note kind's OpenAPI v3 schema (for kubectl explain and kubectl's field validation).
const char* NoteSchema();

}  // namespace sample::notes

#endif  // SAMPLE_APISERVER_NOTES_NOTE_OBJECT_H_
