#include "notes/api_errors.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "http/json_writer.h"

namespace sample::notes {
namespace {

using apiserve::http::JsonWriter;

constexpr absl::string_view kGroup = "notes.example.io";
constexpr absl::string_view kQualifiedResource = "notes.notes.example.io";
constexpr absl::string_view kQualifiedKind = "Note.notes.example.io";

// ResourceDetails: the details kube's NewNotFound / NewAlreadyExists / NewConflict carry (kind is the resource).
ApiError WithResourceDetails(ApiError error, absl::string_view name) {
  error.has_details = true;
  error.name = std::string(name);
  error.group = std::string(kGroup);
  error.kind = "notes";
  return error;
}

// BeginStatus opens a metav1.Status object up to and including its status field (Go's field order).
void BeginStatus(JsonWriter* json, absl::string_view status) {
  json->BeginObject();
  json->Key("kind");
  json->String("Status");
  json->Key("apiVersion");
  json->String("v1");
  json->Key("metadata");
  json->BeginObject();
  json->EndObject();
  json->Key("status");
  json->String(status);
}

void OptionalString(JsonWriter* json, absl::string_view key, absl::string_view value) {
  if (value.empty()) return;
  json->Key(key);
  json->String(value);
}

ApiError Make(int code, absl::string_view reason, std::string message) {
  ApiError error;
  error.code = code;
  error.reason = std::string(reason);
  error.message = std::move(message);
  return error;
}

}  // namespace

ApiError NotFound(absl::string_view name) {
  return WithResourceDetails(Make(404, "NotFound", absl::StrCat(kQualifiedResource, " \"", name, "\" not found")),
                             name);
}

ApiError AlreadyExists(absl::string_view name) {
  return WithResourceDetails(
      Make(409, "AlreadyExists", absl::StrCat(kQualifiedResource, " \"", name, "\" already exists")), name);
}

ApiError Conflict(absl::string_view name) {
  return WithResourceDetails(
      Make(409, "Conflict",
           absl::StrCat(
               "Operation cannot be fulfilled on ", kQualifiedResource, " \"", name,
               "\": the object has been modified; please apply your changes to the latest version and try again")),
      name);
}

ApiError Invalid(absl::string_view name, std::vector<StatusCause> causes) {
  std::vector<std::string> texts;
  for (const StatusCause& cause : causes) texts.push_back(absl::StrCat(cause.field, ": ", cause.message));
  std::string aggregate = texts.size() == 1 ? texts[0] : absl::StrCat("[", absl::StrJoin(texts, ", "), "]");
  ApiError error = Make(422, "Invalid", absl::StrCat(kQualifiedKind, " \"", name, "\" is invalid: ", aggregate));
  error.has_details = true;
  error.name = std::string(name);
  error.group = std::string(kGroup);
  error.kind = "Note";
  error.causes = std::move(causes);
  return error;
}

ApiError BadRequest(std::string message) { return Make(400, "BadRequest", std::move(message)); }
ApiError Expired(std::string message) { return Make(410, "Expired", std::move(message)); }
ApiError UnsupportedMediaType(std::string message) { return Make(415, "UnsupportedMediaType", std::move(message)); }

StatusCause FieldRequired(std::string field, absl::string_view detail) {
  return {"FieldValueRequired", detail.empty() ? "Required value" : absl::StrCat("Required value: ", detail),
          std::move(field)};
}

StatusCause FieldInvalid(std::string field, absl::string_view value, absl::string_view detail) {
  return {"FieldValueInvalid", absl::StrCat("Invalid value: ", value, ": ", detail), std::move(field)};
}

std::string EncodeStatus(const ApiError& error) {
  JsonWriter json;
  BeginStatus(&json, "Failure");
  json.Key("message");
  json.String(error.message);
  json.Key("reason");
  json.String(error.reason);
  if (error.has_details) {
    json.Key("details");
    json.BeginObject();
    OptionalString(&json, "name", error.name);
    OptionalString(&json, "group", error.group);
    OptionalString(&json, "kind", error.kind);
    OptionalString(&json, "uid", error.uid);
    if (!error.causes.empty()) {
      json.Key("causes");
      json.BeginArray();
      for (const StatusCause& cause : error.causes) {
        json.BeginObject();
        OptionalString(&json, "reason", cause.reason);
        OptionalString(&json, "message", cause.message);
        OptionalString(&json, "field", cause.field);
        json.EndObject();
      }
      json.EndArray();
    }
    json.EndObject();
  }
  json.Key("code");
  json.Int(error.code);
  json.EndObject();
  return json.Take() + "\n";
}

apiserve::http::Response ErrorResponse(const ApiError& error) {
  return apiserve::http::JsonResponse(error.code, EncodeStatus(error));
}

std::string SuccessStatus(absl::string_view name, absl::string_view uid) {
  JsonWriter json;
  BeginStatus(&json, "Success");
  json.Key("details");
  json.BeginObject();
  OptionalString(&json, "name", name);
  OptionalString(&json, "group", kGroup);
  OptionalString(&json, "kind", "notes");
  OptionalString(&json, "uid", uid);
  json.EndObject();
  json.EndObject();
  return json.Take() + "\n";
}

}  // namespace sample::notes
