#include "chain/openapi_proto.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "chain/proto_wire.h"
#include "http/json_writer.h"

namespace apiserve::chain {
namespace {

using http::JsonValue;

// --- YAML -------------------------------------------------------------------------------------------------------

// PlainSafe: `s` can be written as a plain YAML scalar and reads back as the same string (not a bool, null or number
// in YAML 1.1 or 1.2, no indicator characters).
bool PlainSafe(absl::string_view s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  if (!absl::ascii_isalpha(s.front()) && s.front() != '_' && s.front() != '/') return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '/' && c != '-' && c != ' ') return false;
  }
  for (const char* word : {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}) {
    if (absl::EqualsIgnoreCase(s, word)) return false;
  }
  return true;
}

void AppendScalar(const JsonValue& value, std::string* out) {
  switch (value.type()) {
    case JsonValue::Type::kNull:
      out->append("null");
      return;
    case JsonValue::Type::kBool:
      out->append(value.bool_value() ? "true" : "false");
      return;
    case JsonValue::Type::kNumber:
      out->append(value.number_text());
      return;
    case JsonValue::Type::kString:
      if (PlainSafe(value.string_value())) {
        out->append(value.string_value());
      } else {
        http::AppendJsonString(out, value.string_value());  // JSON's escapes are YAML double-quoted escapes
      }
      return;
    case JsonValue::Type::kArray:
      out->append("[]");  // only reached for empty collections
      return;
    case JsonValue::Type::kObject:
      out->append("{}");
      return;
  }
}

bool IsBlock(const JsonValue& value) {
  return (value.is_object() && !value.object().empty()) || (value.is_array() && !value.array().empty());
}

// AppendBlock writes a non-empty collection, one entry a line at column `column`; with `inline_first` the first
// entry continues a line already written (after "- ").
void AppendBlock(const JsonValue& value, size_t column, bool inline_first, std::string* out) {
  bool first = true;
  auto start_line = [&] {
    if (!(first && inline_first)) out->append(column, ' ');
    first = false;
  };
  if (value.is_object()) {
    for (const auto& [key, member] : value.object()) {
      start_line();
      AppendScalar(JsonValue::String(key), out);
      out->push_back(':');
      if (IsBlock(member)) {
        out->push_back('\n');
        AppendBlock(member, column + 4, false, out);
      } else {
        out->push_back(' ');
        AppendScalar(member, out);
        out->push_back('\n');
      }
    }
    return;
  }
  for (const JsonValue& item : value.array()) {
    start_line();
    out->append("- ");
    if (IsBlock(item)) {
      AppendBlock(item, column + 2, true, out);
    } else {
      AppendScalar(item, out);
      out->push_back('\n');
    }
  }
}

// --- JSON → openapi.v2 messages ------------------------------------------------------------------------------------
//
// A message is a list of Fields: which JSON member becomes which protobuf field, and how. WriteField is the one place
// that reads a member and encodes it, so each message below is its field table (plus the few oneofs).

using Convert = ProtoWriter (*)(const JsonValue&);

// Kind: how a JSON member becomes a protobuf field. A member of another JSON type is skipped.
enum class Kind {
  kString,      // a string: a proto3 string (not written when empty)
  kBool,        // a bool: a proto3 bool (not written when false)
  kDouble,      // a number: a proto3 double (not written when zero)
  kInt64,       // a number: a proto3 int64 (not written when zero)
  kStrings,     // an array: a repeated string of its string items (other items skipped)
  kItem,        // any value: the message `convert` builds from it
  kObject,      // an object: the message `convert` builds from it
  kArray,       // an array: a repeated message, `convert` of each item
  kMap,         // an object: a wrapper message whose field 1 holds a Named* pair per member, `convert` of its value
  kExtensions,  // the object's own `x-` members, each a NamedAny (no key)
};

struct Field {
  int number;
  Kind kind;
  const char* key;
  Convert convert;
};

constexpr Field Str(int number, const char* key) { return {number, Kind::kString, key, nullptr}; }
constexpr Field Bool(int number, const char* key) { return {number, Kind::kBool, key, nullptr}; }
constexpr Field Double(int number, const char* key) { return {number, Kind::kDouble, key, nullptr}; }
constexpr Field Int64(int number, const char* key) { return {number, Kind::kInt64, key, nullptr}; }
constexpr Field Strings(int number, const char* key) { return {number, Kind::kStrings, key, nullptr}; }
constexpr Field Item(int number, const char* key, Convert c) { return {number, Kind::kItem, key, c}; }
constexpr Field Object(int number, const char* key, Convert c) { return {number, Kind::kObject, key, c}; }
constexpr Field Array(int number, const char* key, Convert c) { return {number, Kind::kArray, key, c}; }
constexpr Field Map(int number, const char* key, Convert c) { return {number, Kind::kMap, key, c}; }
constexpr Field Extensions(int number) { return {number, Kind::kExtensions, "", nullptr}; }

// AppendStrings writes the string items of `array` (nothing if it is not an array) as repeated `field`.
void AppendStrings(ProtoWriter& w, int field, const JsonValue& array) {
  if (!array.is_array()) return;
  for (const JsonValue& item : array.array()) {
    if (item.is_string()) w.String(field, item.string_value());
  }
}

// Any: openapi.v2.Any { google.protobuf.Any value = 1; string yaml = 2; } — gnostic fills only yaml.
ProtoWriter Any(const JsonValue& value) {
  ProtoWriter any;
  any.OptString(2, YamlOf(value));
  return any;
}

bool AnyName(absl::string_view) { return true; }
bool IsExtension(absl::string_view name) { return absl::StartsWith(name, "x-"); }
bool IsPath(absl::string_view name) { return absl::StartsWith(name, "/"); }
bool IsResponseCode(absl::string_view name) {
  return name == "default" || (name.size() == 3 && absl::ascii_isdigit(name[0]) && absl::ascii_isdigit(name[1]) &&
                               absl::ascii_isdigit(name[2]));
}

// NamedPairs writes each member of `object` whose name passes `keep` as a Named* pair { string name = 1; value = 2 }
// at `field` of `w`, with `convert` building the value message.
void NamedPairs(ProtoWriter& w, int field, const JsonValue& object, Convert convert,
                bool (*keep)(absl::string_view name)) {
  if (!object.is_object()) return;
  for (const auto& [name, value] : object.object()) {
    if (!keep(name)) continue;
    ProtoWriter pair;
    pair.OptString(1, name);
    pair.Message(2, convert(value));
    w.Message(field, pair);
  }
}

// WriteField writes `f` of `object` to `w`, its field number shifted by `offset`.
void WriteField(ProtoWriter& w, const JsonValue& object, const Field& f, int offset) {
  const int number = f.number + offset;
  if (f.kind == Kind::kExtensions) return NamedPairs(w, number, object, Any, IsExtension);
  const JsonValue* v = object.Find(f.key);
  if (v == nullptr) return;
  switch (f.kind) {
    case Kind::kString:
      if (v->is_string()) w.OptString(number, v->string_value());
      return;
    case Kind::kBool:
      if (v->is_bool()) w.OptBool(number, v->bool_value());
      return;
    case Kind::kDouble:
      if (v->is_number()) w.OptDouble(number, v->AsDouble().value_or(0));
      return;
    case Kind::kInt64:
      if (v->is_number()) w.OptInt64(number, v->AsInt64().value_or(0));
      return;
    case Kind::kStrings:
      return AppendStrings(w, number, *v);
    case Kind::kItem:
      return w.Message(number, f.convert(*v));
    case Kind::kObject:
      if (v->is_object()) w.Message(number, f.convert(*v));
      return;
    case Kind::kArray:
      if (!v->is_array()) return;
      for (const JsonValue& item : v->array()) w.Message(number, f.convert(item));
      return;
    case Kind::kMap:
      if (v->is_object()) {
        ProtoWriter map;
        NamedPairs(map, 1, *v, f.convert, AnyName);
        w.Message(number, map);
      }
      return;
    case Kind::kExtensions:
      return;
  }
}

// WriteFields writes `fields` of `object` to `w` in order, each field number shifted by `offset`.
void WriteFields(ProtoWriter& w, const JsonValue& object, std::initializer_list<Field> fields, int offset = 0) {
  for (const Field& f : fields) WriteField(w, object, f, offset);
}

// Message builds a message from `fields` of `object`.
ProtoWriter Message(const JsonValue& object, std::initializer_list<Field> fields) {
  ProtoWriter w;
  WriteFields(w, object, fields);
  return w;
}

// StringArray { repeated string value = 1; }: an array's string items.
ProtoWriter StringArray(const JsonValue& array) {
  ProtoWriter w;
  AppendStrings(w, 1, array);
  return w;
}

ProtoWriter ExternalDocs(const JsonValue& docs) {
  return Message(docs, {Str(1, "description"), Str(2, "url"), Extensions(3)});
}

ProtoWriter Xml(const JsonValue& xml) {
  return Message(xml, {Str(1, "name"), Str(2, "namespace"), Str(3, "prefix"), Bool(4, "attribute"), Bool(5, "wrapped"),
                       Extensions(6)});
}

ProtoWriter Schema(const JsonValue& schema);

// AdditionalPropertiesItem { oneof { Schema schema = 1; bool boolean = 2; } }: a oneof member is written even when
// false; any other JSON type writes nothing.
void AdditionalProperties(ProtoWriter& w, int field, const JsonValue& schema) {
  const JsonValue* v = schema.Find("additionalProperties");
  if (v == nullptr) return;
  ProtoWriter item;
  if (v->is_bool()) {
    item.Bool(2, v->bool_value());
    w.Message(field, item);
  } else if (v->is_object()) {
    item.Message(1, Schema(*v));
    w.Message(field, item);
  }
}

// TypeItem { repeated string value = 1; }: one type name or an array of them.
ProtoWriter TypeItem(const JsonValue& type) {
  ProtoWriter w;
  if (type.is_string()) w.String(1, type.string_value());
  AppendStrings(w, 1, type);
  return w;
}

// ItemsItem { repeated Schema schema = 1; }: one schema or an array of them.
ProtoWriter ItemsItem(const JsonValue& items) {
  ProtoWriter w;
  if (items.is_object()) w.Message(1, Schema(items));
  if (items.is_array()) {
    for (const JsonValue& s : items.array()) w.Message(1, Schema(s));
  }
  return w;
}

// Schema: gnostic's "deterministic version of a JSON Schema object".
ProtoWriter Schema(const JsonValue& schema) {
  ProtoWriter w;
  if (!schema.is_object()) return w;
  WriteFields(w, schema,
              {Str(1, "$ref"),
               Str(2, "format"),
               Str(3, "title"),
               Str(4, "description"),
               Item(5, "default", Any),
               Double(6, "multipleOf"),
               Double(7, "maximum"),
               Bool(8, "exclusiveMaximum"),
               Double(9, "minimum"),
               Bool(10, "exclusiveMinimum"),
               Int64(11, "maxLength"),
               Int64(12, "minLength"),
               Str(13, "pattern"),
               Int64(14, "maxItems"),
               Int64(15, "minItems"),
               Bool(16, "uniqueItems"),
               Int64(17, "maxProperties"),
               Int64(18, "minProperties"),
               Strings(19, "required"),
               Array(20, "enum", Any)});
  AdditionalProperties(w, 21, schema);
  WriteFields(w, schema,
              {Item(22, "type", TypeItem), Item(23, "items", ItemsItem), Array(24, "allOf", Schema),
               Map(25, "properties", Schema), Str(26, "discriminator"), Bool(27, "readOnly"), Object(28, "xml", Xml),
               Object(29, "externalDocs", ExternalDocs), Item(30, "example", Any), Extensions(31)});
  return w;
}

ProtoWriter FileSchema(const JsonValue& schema) {
  return Message(schema, {Str(1, "format"), Str(2, "title"), Str(3, "description"), Item(4, "default", Any),
                          Strings(5, "required"), Str(6, "type"), Bool(7, "readOnly"),
                          Object(8, "externalDocs", ExternalDocs), Item(9, "example", Any), Extensions(10)});
}

ProtoWriter PrimitivesItems(const JsonValue& items);

// PrimitiveFields writes the fields PrimitivesItems, Header and the non-body parameter sub-schemas share, in
// PrimitivesItems' numbering (type = 1 … multipleOf = 17) shifted by `offset`.
void PrimitiveFields(ProtoWriter& w, const JsonValue& object, int offset) {
  WriteFields(w, object,
              {Str(1, "type"), Str(2, "format"), Object(3, "items", PrimitivesItems), Str(4, "collectionFormat"),
               Item(5, "default", Any), Double(6, "maximum"), Bool(7, "exclusiveMaximum"), Double(8, "minimum"),
               Bool(9, "exclusiveMinimum"), Int64(10, "maxLength"), Int64(11, "minLength"), Str(12, "pattern"),
               Int64(13, "maxItems"), Int64(14, "minItems"), Bool(15, "uniqueItems"), Array(16, "enum", Any),
               Double(17, "multipleOf")},
              offset);
}

ProtoWriter PrimitivesItems(const JsonValue& items) {
  ProtoWriter w;
  PrimitiveFields(w, items, 0);
  WriteFields(w, items, {Extensions(18)});
  return w;
}

ProtoWriter Header(const JsonValue& header) {
  ProtoWriter w;
  PrimitiveFields(w, header, 0);
  WriteFields(w, header, {Str(18, "description"), Extensions(19)});
  return w;
}

// JsonReference { string _ref = 1; string description = 2; }
ProtoWriter JsonReference(const JsonValue& ref) { return Message(ref, {Str(1, "$ref"), Str(2, "description")}); }

// Parameter { oneof { BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2; } }, by `in`.
// Sub-schemas: required = 1, in = 2, description = 3, name = 4; query and formData then allowEmptyValue = 5 and the
// primitive fields from 6; header and path the primitive fields from 5.
ProtoWriter Parameter(const JsonValue& parameter) {
  ProtoWriter w;
  const JsonValue* in = parameter.Find("in");
  const std::string where = in != nullptr && in->is_string() ? in->string_value() : "";
  if (where == "body") {
    w.Message(1, Message(parameter, {Str(1, "description"), Str(2, "name"), Str(3, "in"), Bool(4, "required"),
                                     Object(5, "schema", Schema), Extensions(6)}));
    return w;
  }
  int kind = 0;  // NonBodyParameter's oneof field
  if (where == "header") kind = 1;
  if (where == "formData") kind = 2;
  if (where == "query") kind = 3;
  if (where == "path") kind = 4;
  if (kind == 0) return w;  // gnostic rejects other locations
  const bool allow_empty = kind == 2 || kind == 3;
  ProtoWriter sub = Message(parameter, {Bool(1, "required"), Str(2, "in"), Str(3, "description"), Str(4, "name")});
  if (allow_empty) WriteFields(sub, parameter, {Bool(5, "allowEmptyValue")});
  const int offset = allow_empty ? 5 : 4;
  PrimitiveFields(sub, parameter, offset);
  WriteFields(sub, parameter, {Extensions(18)}, offset);
  ProtoWriter non_body;
  non_body.Message(kind, sub);
  w.Message(2, non_body);
  return w;
}

// A oneof { T value = 1; JsonReference json_reference = 2; } of a value that may be a "$ref".
template <Convert kValue>
ProtoWriter ValueOrReference(const JsonValue& value) {
  ProtoWriter w;
  if (value.Find("$ref") != nullptr) {
    w.Message(2, JsonReference(value));
  } else {
    w.Message(1, kValue(value));
  }
  return w;
}

// SchemaItem { oneof { Schema schema = 1; FileSchema file_schema = 2; } }
ProtoWriter SchemaItem(const JsonValue& schema) {
  ProtoWriter item;
  const JsonValue* type = schema.Find("type");
  if (type != nullptr && type->is_string() && type->string_value() == "file") {
    item.Message(2, FileSchema(schema));
  } else {
    item.Message(1, Schema(schema));
  }
  return item;
}

ProtoWriter Response(const JsonValue& response) {
  return Message(response, {Str(1, "description"), Object(2, "schema", SchemaItem), Map(3, "headers", Header),
                            Map(4, "examples", Any), Extensions(5)});
}

// Responses { repeated NamedResponseValue response_code = 1; repeated NamedAny vendor_extension = 2; }
ProtoWriter Responses(const JsonValue& responses) {
  ProtoWriter w;
  NamedPairs(w, 1, responses, ValueOrReference<Response>, IsResponseCode);
  WriteFields(w, responses, {Extensions(2)});
  return w;
}

// SecurityRequirement { repeated NamedStringArray additional_properties = 1; }
ProtoWriter SecurityRequirement(const JsonValue& requirement) {
  ProtoWriter w;
  NamedPairs(w, 1, requirement, StringArray, AnyName);
  return w;
}

ProtoWriter Operation(const JsonValue& op) {
  return Message(
      op, {Strings(1, "tags"), Str(2, "summary"), Str(3, "description"), Object(4, "externalDocs", ExternalDocs),
           Str(5, "operationId"), Strings(6, "produces"), Strings(7, "consumes"),
           Array(8, "parameters", ValueOrReference<Parameter>), Object(9, "responses", Responses),
           Strings(10, "schemes"), Bool(11, "deprecated"), Array(12, "security", SecurityRequirement), Extensions(13)});
}

ProtoWriter PathItem(const JsonValue& item) {
  return Message(
      item, {Str(1, "$ref"), Object(2, "get", Operation), Object(3, "put", Operation), Object(4, "post", Operation),
             Object(5, "delete", Operation), Object(6, "options", Operation), Object(7, "head", Operation),
             Object(8, "patch", Operation), Array(9, "parameters", ValueOrReference<Parameter>), Extensions(10)});
}

// Paths { repeated NamedAny vendor_extension = 1; repeated NamedPathItem path = 2; }
ProtoWriter Paths(const JsonValue& paths) {
  ProtoWriter w;
  WriteFields(w, paths, {Extensions(1)});
  NamedPairs(w, 2, paths, PathItem, IsPath);
  return w;
}

ProtoWriter Contact(const JsonValue& contact) {
  return Message(contact, {Str(1, "name"), Str(2, "url"), Str(3, "email"), Extensions(4)});
}

ProtoWriter License(const JsonValue& license) {
  return Message(license, {Str(1, "name"), Str(2, "url"), Extensions(3)});
}

ProtoWriter Info(const JsonValue& info) {
  return Message(info, {Str(1, "title"), Str(2, "version"), Str(3, "description"), Str(4, "termsOfService"),
                        Object(5, "contact", Contact), Object(6, "license", License), Extensions(7)});
}

ProtoWriter Tag(const JsonValue& tag) {
  return Message(tag, {Str(1, "name"), Str(2, "description"), Object(3, "externalDocs", ExternalDocs), Extensions(4)});
}

ProtoWriter Document(const JsonValue& doc) {
  return Message(doc, {Str(1, "swagger"), Object(2, "info", Info), Str(3, "host"), Str(4, "basePath"),
                       Strings(5, "schemes"), Strings(6, "consumes"), Strings(7, "produces"), Object(8, "paths", Paths),
                       Map(9, "definitions", Schema), Map(10, "parameters", Parameter), Map(11, "responses", Response),
                       Array(12, "security", SecurityRequirement), Array(14, "tags", Tag),
                       Object(15, "externalDocs", ExternalDocs), Extensions(16)});
}

}  // namespace

std::string YamlOf(const JsonValue& value) {
  std::string out;
  if (IsBlock(value)) {
    AppendBlock(value, 0, false, &out);
  } else {
    AppendScalar(value, &out);
    out.push_back('\n');
  }
  return out;
}

absl::StatusOr<std::string> OpenApiV2ToProtobuf(absl::string_view json) {
  http::JsonParseOptions options;
  options.max_bytes = json.size();  // our own document: no size limit
  absl::StatusOr<JsonValue> doc = http::ParseJson(json, options);
  if (!doc.ok()) return doc.status();
  if (!doc->is_object()) return absl::InvalidArgumentError("OpenAPI v2 document is not a JSON object");
  return Document(*doc).Take();
}

}  // namespace apiserve::chain
