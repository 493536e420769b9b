#include "notes/note_object.h"

#include <algorithm>
#include <iterator>
#include <random>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/go_quote.h"

namespace sample::notes {
namespace {

using apiserve::base::GoQuote;

std::mt19937_64& Random() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return random;
}

// NewUid returns a random (version 4) UUID, as kube's uuid.NewUUID.
std::string NewUid() {
  uint64_t high = Random()(), low = Random()();
  high = (high & ~uint64_t{0xF000}) | 0x4000;                    // version 4
  low = (low & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);  // RFC 4122 variant
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", high >> 32, (high >> 16) & 0xFFFF, high & 0xFFFF, low >> 48,
                         low & 0xFFFFFFFFFFFF);
}

// GenerateName is kube's SimpleNameGenerator: the prefix (cut to 58 characters) and 5 random characters.
std::string GenerateName(absl::string_view prefix) {
  static constexpr absl::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string name(prefix.substr(0, 63 - 5));
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  for (int i = 0; i < 5; ++i) name.push_back(kAlphabet[pick(Random())]);
  return name;
}

// JsonTypeName is the OpenAPI type of a JSON value, as kube's schema validation names it.
std::string JsonTypeName(const JsonValue& value) {
  switch (value.type()) {
    case JsonValue::Type::kNull:
      return "null";
    case JsonValue::Type::kBool:
      return "boolean";
    case JsonValue::Type::kNumber:
      return value.AsInt64().has_value() ? "integer" : "number";
    case JsonValue::Type::kString:
      return "string";
    case JsonValue::Type::kArray:
      return "array";
    case JsonValue::Type::kObject:
      return "object";
  }
  return "unknown";
}

// Summarize is kube's summarizeData(body, 30): what a decode error shows of the body.
std::string Summarize(absl::string_view body) {
  if (body.empty()) return "<empty>";
  if (body[0] == '{') return body.size() > 30 ? absl::StrCat(body.substr(0, 30), " ...") : std::string(body);
  return body.size() > 30 ? absl::StrCat(absl::BytesToHexString(body.substr(0, 30)), " ...")
                          : absl::BytesToHexString(body);
}

bool IsDns1123Subdomain(absl::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (absl::string_view label : absl::StrSplit(name, '.')) {
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-')) return false;
    }
  }
  return true;
}

constexpr absl::string_view kMetadataFields[] = {
    "name", "generateName", "namespace", "uid", "resourceVersion", "creationTimestamp", "labels", "annotations"};

// OrderMetadata puts metadata's fields in one order (kMetadataFields), so every answer reads the same.
void OrderMetadata(JsonValue* note) {
  JsonValue* metadata = note->Find("metadata");
  JsonValue ordered = JsonValue::MakeObject();
  for (absl::string_view field : kMetadataFields) {
    if (JsonValue* value = metadata->Find(field)) ordered.Set(field, std::move(*value));
  }
  *metadata = std::move(ordered);
}

// Canonical rebuilds `note` with only the Note's fields, in their order (unknown fields pruned).
JsonValue Canonical(const JsonValue& note) {
  JsonValue out = JsonValue::MakeObject();
  out.Set("apiVersion", JsonValue::String(std::string(kApiVersion)));
  out.Set("kind", JsonValue::String(std::string(kKind)));
  JsonValue metadata = JsonValue::MakeObject();
  if (const JsonValue* in = note.Find("metadata"); in != nullptr && in->is_object()) {
    for (absl::string_view field : {"name", "generateName", "namespace", "uid", "resourceVersion", "creationTimestamp",
                                    "labels", "annotations"}) {
      if (const JsonValue* value = in->Find(field); value != nullptr && !value->is_null()) metadata.Set(field, *value);
    }
  }
  out.Set("metadata", std::move(metadata));
  if (const JsonValue* spec = note.Find("spec"); spec != nullptr && !spec->is_null()) {
    if (!spec->is_object()) {
      out.Set("spec", *spec);  // left for Validate to report
    } else {
      JsonValue pruned = JsonValue::MakeObject();
      if (const JsonValue* text = spec->Find("text"); text != nullptr && !text->is_null()) pruned.Set("text", *text);
      out.Set("spec", std::move(pruned));
    }
  }
  return out;
}

void ValidateStringMap(const JsonValue& metadata, absl::string_view field, std::vector<StatusCause>* causes) {
  const JsonValue* map = metadata.Find(field);
  if (map == nullptr) return;
  const std::string path = absl::StrCat("metadata.", field);
  if (!map->is_object()) {
    causes->push_back(
        FieldInvalid(path, GoQuote(JsonTypeName(*map)),
                     absl::StrCat(path, " in body must be of type object: ", GoQuote(JsonTypeName(*map)))));
    return;
  }
  for (const JsonValue::Member& member : map->object()) {
    const std::string member_path = absl::StrCat(path, "[", member.first, "]");
    if (!member.second.is_string()) {
      causes->push_back(FieldInvalid(
          member_path, GoQuote(JsonTypeName(member.second)),
          absl::StrCat(member_path, " in body must be of type string: ", GoQuote(JsonTypeName(member.second)))));
    }
  }
}

}  // namespace

std::string MetadataString(const JsonValue& note, absl::string_view field) {
  const JsonValue* metadata = note.Find("metadata");
  const JsonValue* value = metadata == nullptr ? nullptr : metadata->Find(field);
  return value != nullptr && value->is_string() ? value->string_value() : std::string();
}

std::optional<ApiError> DecodeNote(absl::string_view body, JsonValue* note) {
  absl::StatusOr<JsonValue> parsed = apiserve::http::ParseJson(body);
  if (!parsed.ok()) {
    return BadRequest(
        absl::StrCat("the object provided is unrecognized (must be of type Note): couldn't get "
                     "version/kind; json parse error: ",
                     parsed.status().message(), " (", Summarize(body), ")"));
  }
  if (!parsed->is_object()) {
    return BadRequest(
        absl::StrCat("the object provided is unrecognized (must be of type Note): couldn't get "
                     "version/kind; json parse error: json: cannot unmarshal ",
                     JsonTypeName(*parsed), " into an object (", Summarize(body), ")"));
  }
  if (const JsonValue* v = parsed->Find("apiVersion");
      v != nullptr && !(v->is_string() && v->string_value() == kApiVersion)) {
    return BadRequest(absl::StrCat("the API version in the data (", v->is_string() ? v->string_value() : v->Serialize(),
                                   ") does not match the expected API version (", kApiVersion, ")"));
  }
  if (const JsonValue* k = parsed->Find("kind"); k != nullptr && !(k->is_string() && k->string_value() == kKind)) {
    return BadRequest(absl::StrCat("the kind in the data (", k->is_string() ? k->string_value() : k->Serialize(),
                                   ") does not match the expected kind (", kKind, ")"));
  }
  if (const JsonValue* m = parsed->Find("metadata"); m != nullptr && !m->is_object() && !m->is_null()) {
    return BadRequest(
        absl::StrCat("the object provided is unrecognized (must be of type Note): .metadata is of the "
                     "type ",
                     JsonTypeName(*m), ", expected an object"));
  }
  *note = *std::move(parsed);
  return std::nullopt;
}

std::optional<ApiError> PrepareForCreate(absl::string_view request_namespace, absl::Time now, JsonValue* note) {
  const std::string body_namespace = MetadataString(*note, "namespace");
  if (!body_namespace.empty() && body_namespace != request_namespace) {
    return BadRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  JsonValue out = Canonical(*note);
  JsonValue* metadata = out.Find("metadata");
  if (MetadataString(out, "name").empty() && !MetadataString(out, "generateName").empty()) {
    metadata->Set("name", JsonValue::String(GenerateName(MetadataString(out, "generateName"))));
  }
  metadata->Set("namespace", JsonValue::String(std::string(request_namespace)));
  metadata->Set("uid", JsonValue::String(NewUid()));
  metadata->Set("resourceVersion", JsonValue::String(""));  // the store sets it
  metadata->Set("creationTimestamp",
                JsonValue::String(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", now, absl::UTCTimeZone())));
  if (std::optional<ApiError> invalid = Validate(out)) return invalid;
  OrderMetadata(&out);
  *note = std::move(out);
  return std::nullopt;
}

std::optional<ApiError> PrepareForUpdate(const JsonValue& current, bool require_resource_version, JsonValue* note) {
  JsonValue out = Canonical(*note);
  JsonValue* metadata = out.Find("metadata");
  for (absl::string_view field : {"name", "namespace", "uid", "creationTimestamp"}) {
    metadata->Set(field, JsonValue::String(MetadataString(current, field)));
  }
  if (require_resource_version && MetadataString(out, "resourceVersion").empty()) {
    return Invalid(MetadataString(current, "name"),
                   {FieldInvalid("metadata.resourceVersion", "0x0", "must be specified for an update")});
  }
  if (std::optional<ApiError> invalid = Validate(out)) return invalid;
  OrderMetadata(&out);
  *note = std::move(out);
  return std::nullopt;
}

std::optional<ApiError> Validate(const JsonValue& note) {
  std::vector<StatusCause> causes;
  const std::string name = MetadataString(note, "name");
  if (name.empty()) {
    causes.push_back(FieldRequired("metadata.name", "name or generateName is required"));
  } else if (!IsDns1123Subdomain(name)) {
    causes.push_back(FieldInvalid(
        "metadata.name", GoQuote(name),
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
        "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
  }
  const JsonValue* metadata = note.Find("metadata");
  ValidateStringMap(*metadata, "labels", &causes);
  ValidateStringMap(*metadata, "annotations", &causes);
  if (const JsonValue* spec = note.Find("spec"); spec != nullptr) {
    if (!spec->is_object()) {
      causes.push_back(
          FieldInvalid("spec", GoQuote(JsonTypeName(*spec)),
                       absl::StrCat("spec in body must be of type object: ", GoQuote(JsonTypeName(*spec)))));
    } else if (const JsonValue* text = spec->Find("text"); text != nullptr && !text->is_string()) {
      causes.push_back(
          FieldInvalid("spec.text", GoQuote(JsonTypeName(*text)),
                       absl::StrCat("spec.text in body must be of type string: ", GoQuote(JsonTypeName(*text)))));
    }
  }
  if (causes.empty()) return std::nullopt;
  return Invalid(name, std::move(causes));
}

bool NoteFilter::Matches(const JsonValue& note) const {
  if (!namespace_name.empty() && MetadataString(note, "namespace") != namespace_name) return false;
  if (!name.empty() && MetadataString(note, "name") != name) return false;
  const JsonValue* metadata = note.Find("metadata");
  const JsonValue* note_labels = metadata == nullptr ? nullptr : metadata->Find("labels");
  for (const Requirement& requirement : labels) {
    const JsonValue* value = note_labels == nullptr ? nullptr : note_labels->Find(requirement.key);
    const bool present = value != nullptr && value->is_string();
    switch (requirement.op) {
      case Requirement::kExists:
        if (!present) return false;
        break;
      case Requirement::kNotExists:
        if (present) return false;
        break;
      case Requirement::kEquals:
        if (!present || value->string_value() != requirement.value) return false;
        break;
      case Requirement::kNotEquals:
        if (present && value->string_value() == requirement.value) return false;
        break;
    }
  }
  return true;
}

std::optional<ApiError> ParseFilter(absl::string_view namespace_name, absl::string_view field_selector,
                                    absl::string_view label_selector, NoteFilter* filter) {
  filter->namespace_name = std::string(namespace_name);
  for (absl::string_view term : absl::StrSplit(field_selector, ',', absl::SkipWhitespace())) {
    term = absl::StripAsciiWhitespace(term);
    std::pair<std::string, std::string> kv;
    if (absl::StrContains(term, "!=")) {
      return BadRequest(absl::StrCat("unsupported field selector: ", term, " (only = and == are supported)"));
    }
    if (absl::StrContains(term, "==")) {
      kv = absl::StrSplit(term, absl::MaxSplits("==", 1));
    } else if (absl::StrContains(term, "=")) {
      kv = absl::StrSplit(term, absl::MaxSplits('=', 1));
    } else {
      return BadRequest(absl::StrCat("invalid selector: '", field_selector, "'; can't understand '", term, "'"));
    }
    if (kv.first == "metadata.name") {
      filter->name = kv.second;
    } else if (kv.first == "metadata.namespace") {
      if (!filter->namespace_name.empty() && filter->namespace_name != kv.second) {
        filter->name = "\x01";  // selects nothing: no note is in two namespaces
      }
      filter->namespace_name = kv.second;
    } else {
      return BadRequest(absl::StrCat("field label not supported: ", kv.first));
    }
  }
  for (absl::string_view term : absl::StrSplit(label_selector, ',', absl::SkipWhitespace())) {
    term = absl::StripAsciiWhitespace(term);
    NoteFilter::Requirement requirement;
    if (absl::StrContains(term, " in ") || absl::StrContains(term, " notin ") || absl::StrContains(term, "(")) {
      return BadRequest(absl::StrCat("unable to parse requirement: set-based selector \"", term,
                                     "\" is not supported by this server"));
    }
    if (absl::StartsWith(term, "!")) {
      requirement = {NoteFilter::Requirement::kNotExists, std::string(absl::StripAsciiWhitespace(term.substr(1))), ""};
    } else if (size_t at = term.find("!="); at != absl::string_view::npos) {
      requirement = {NoteFilter::Requirement::kNotEquals, std::string(absl::StripAsciiWhitespace(term.substr(0, at))),
                     std::string(absl::StripAsciiWhitespace(term.substr(at + 2)))};
    } else if (size_t eq = term.find('='); eq != absl::string_view::npos) {
      const size_t value_at = term.substr(eq, 2) == "==" ? eq + 2 : eq + 1;
      requirement = {NoteFilter::Requirement::kEquals, std::string(absl::StripAsciiWhitespace(term.substr(0, eq))),
                     std::string(absl::StripAsciiWhitespace(term.substr(value_at)))};
    } else {
      requirement = {NoteFilter::Requirement::kExists, std::string(term), ""};
    }
    if (requirement.key.empty()) {
      return BadRequest(absl::StrCat("unable to parse requirement: empty label key in \"", term, "\""));
    }
    filter->labels.push_back(std::move(requirement));
  }
  return std::nullopt;
}

const char* NoteSchema() {
  return R"({"description":"Note is a short text kept by the sample extension API server.","type":"object",)"
         R"("properties":{)"
         R"("apiVersion":{"description":"APIVersion defines the versioned schema of this representation of an )"
         R"(object: notes.example.io/v1.","type":"string"},)"
         R"("kind":{"description":"Kind is the REST resource this object represents: Note.","type":"string"},)"
         R"("metadata":{"description":"Standard object metadata.","type":"object","properties":{)"
         R"("name":{"description":"Name, unique within the namespace (an RFC 1123 subdomain).","type":"string"},)"
         R"("generateName":{"description":"Prefix the server uses to generate a name when name is empty.",)"
         R"("type":"string"},)"
         R"("namespace":{"description":"Namespace the note lives in.","type":"string"},)"
         R"("uid":{"description":"Unique identifier the server sets at creation.","type":"string"},)"
         R"("resourceVersion":{"description":"Opaque version, changed by every write; send it back on update.",)"
         R"("type":"string"},)"
         R"("creationTimestamp":{"description":"When the note was created (RFC 3339).","type":"string",)"
         R"("format":"date-time"},)"
         R"("labels":{"description":"Labels for selecting notes.","type":"object",)"
         R"("additionalProperties":{"type":"string"}},)"
         R"("annotations":{"description":"Annotations: non-identifying metadata.","type":"object",)"
         R"("additionalProperties":{"type":"string"}}}},)"
         R"("spec":{"description":"NoteSpec is what the note says.","type":"object","properties":{)"
         R"("text":{"description":"The note's text.","type":"string"}}}}})";
}

std::vector<std::string> UnknownFields(const JsonValue& note) {
  std::vector<std::string> unknown;
  if (!note.is_object()) return unknown;
  for (const JsonValue::Member& member : note.object()) {
    const std::string& key = member.first;
    if (key == "apiVersion" || key == "kind" || key == "status") continue;
    if (key == "metadata" && member.second.is_object()) {
      // Every field of kube's ObjectMeta is known (the server keeps the ones a Note uses).
      static constexpr absl::string_view kObjectMeta[] = {"name",
                                                          "generateName",
                                                          "namespace",
                                                          "selfLink",
                                                          "uid",
                                                          "resourceVersion",
                                                          "generation",
                                                          "creationTimestamp",
                                                          "deletionTimestamp",
                                                          "deletionGracePeriodSeconds",
                                                          "labels",
                                                          "annotations",
                                                          "ownerReferences",
                                                          "finalizers",
                                                          "managedFields"};
      for (const JsonValue::Member& field : member.second.object()) {
        if (std::find(std::begin(kObjectMeta), std::end(kObjectMeta), field.first) == std::end(kObjectMeta)) {
          unknown.push_back(absl::StrCat("metadata.", field.first));
        }
      }
      continue;
    }
    if (key == "spec" && member.second.is_object()) {
      for (const JsonValue::Member& field : member.second.object()) {
        if (field.first != "text") unknown.push_back(absl::StrCat("spec.", field.first));
      }
      continue;
    }
    if (key != "metadata" && key != "spec") unknown.push_back(key);
  }
  return unknown;
}

std::optional<ApiError> CheckFieldValidation(absl::string_view field_validation, const JsonValue& note,
                                             std::vector<std::string>* warnings) {
  const bool strict = field_validation == "Strict";
  const bool warn = field_validation.empty() || field_validation == "Warn";
  if (!strict && !warn && field_validation != "Ignore") {
    return BadRequest(absl::StrCat("fieldValidation: Unsupported value: \"", field_validation,
                                   "\": supported values: \"Ignore\", \"Strict\", \"Warn\""));
  }
  if (field_validation == "Ignore") return std::nullopt;
  const std::vector<std::string> unknown = UnknownFields(note);
  if (unknown.empty()) return std::nullopt;
  std::vector<std::string> quoted;
  for (const std::string& field : unknown) quoted.push_back(absl::StrCat("unknown field \"", field, "\""));
  if (strict) return BadRequest(absl::StrCat("strict decoding error: ", absl::StrJoin(quoted, ", ")));
  for (const std::string& message : quoted) {
    std::string escaped;
    for (char c : message) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      escaped.push_back(c);
    }
    warnings->push_back(absl::StrCat("299 - \"", escaped, "\""));
  }
  return std::nullopt;
}

}  // namespace sample::notes
