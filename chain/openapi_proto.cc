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

const JsonValue* Member(const JsonValue& object, absl::string_view key) { return object.Find(key); }

void StringField(ProtoWriter& w, int field, const JsonValue& object, absl::string_view key) {
  const JsonValue* v = Member(object, key);
  if (v != nullptr && v->is_string()) w.OptString(field, v->string_value());
}

void BoolField(ProtoWriter& w, int field, const JsonValue& object, absl::string_view key) {
  const JsonValue* v = Member(object, key);
  if (v != nullptr && v->is_bool()) w.OptBool(field, v->bool_value());
}

void DoubleField(ProtoWriter& w, int field, const JsonValue& object, absl::string_view key) {
  const JsonValue* v = Member(object, key);
  if (v != nullptr && v->is_number()) w.OptDouble(field, v->AsDouble().value_or(0));
}

void Int64Field(ProtoWriter& w, int field, const JsonValue& object, absl::string_view key) {
  const JsonValue* v = Member(object, key);
  if (v != nullptr && v->is_number()) w.OptInt64(field, v->AsInt64().value_or(0));
}

// StringsField: a repeated string from an array of strings (other items skipped).
void StringsField(ProtoWriter& w, int field, const JsonValue& object, absl::string_view key) {
  const JsonValue* v = Member(object, key);
  if (v == nullptr || !v->is_array()) return;
  for (const JsonValue& item : v->array()) {
    if (item.is_string()) w.String(field, item.string_value());
  }
}

// Any: openapi.v2.Any { google.protobuf.Any value = 1; string yaml = 2; } — gnostic fills only yaml.
ProtoWriter Any(const JsonValue& value) {
  ProtoWriter any;
  any.OptString(2, YamlOf(value));
  return any;
}

void AnyField(ProtoWriter& w, int field, const JsonValue& object, absl::string_view key) {
  if (const JsonValue* v = Member(object, key); v != nullptr) w.Message(field, Any(*v));
}

void AnysField(ProtoWriter& w, int field, const JsonValue& object, absl::string_view key) {
  const JsonValue* v = Member(object, key);
  if (v == nullptr || !v->is_array()) return;
  for (const JsonValue& item : v->array()) w.Message(field, Any(item));
}

// NamedAny { string name = 1; Any value = 2; }
ProtoWriter NamedAny(absl::string_view name, const JsonValue& value) {
  ProtoWriter named;
  named.OptString(1, name);
  named.Message(2, Any(value));
  return named;
}

// VendorExtensions writes every `x-` member of `object` as a NamedAny at `field`.
void VendorExtensions(ProtoWriter& w, int field, const JsonValue& object) {
  if (!object.is_object()) return;
  for (const auto& [key, value] : object.object()) {
    if (absl::StartsWith(key, "x-")) w.Message(field, NamedAny(key, value));
  }
}

// NamedPairs writes each member of `object` as a Named* pair { name = 1; value = 2 } at `field` of `w`,
// with `convert` building the value message.
template <typename Convert>
void NamedPairs(ProtoWriter& w, int field, const JsonValue& object, Convert convert) {
  if (!object.is_object()) return;
  for (const auto& [name, value] : object.object()) {
    ProtoWriter pair;
    pair.OptString(1, name);
    pair.Message(2, convert(value));
    w.Message(field, pair);
  }
}

// A wrapper message whose only field (1) is a repeated Named* list: Definitions, Properties, Examples, Headers,
// ParameterDefinitions, ResponseDefinitions.
template <typename Convert>
ProtoWriter NamedMap(const JsonValue& object, Convert convert) {
  ProtoWriter map;
  NamedPairs(map, 1, object, convert);
  return map;
}

// ExternalDocs { description = 1; url = 2; vendor_extension = 3; }
ProtoWriter ExternalDocs(const JsonValue& docs) {
  ProtoWriter w;
  StringField(w, 1, docs, "description");
  StringField(w, 2, docs, "url");
  VendorExtensions(w, 3, docs);
  return w;
}

void MessageField(ProtoWriter& w, int field, const JsonValue& object, absl::string_view key,
                  ProtoWriter (*convert)(const JsonValue&)) {
  const JsonValue* v = Member(object, key);
  if (v != nullptr && v->is_object()) w.Message(field, convert(*v));
}

ProtoWriter Schema(const JsonValue& schema);

ProtoWriter Xml(const JsonValue& xml) {
  ProtoWriter w;
  StringField(w, 1, xml, "name");
  StringField(w, 2, xml, "namespace");
  StringField(w, 3, xml, "prefix");
  BoolField(w, 4, xml, "attribute");
  BoolField(w, 5, xml, "wrapped");
  VendorExtensions(w, 6, xml);
  return w;
}

// Schema: gnostic's "deterministic version of a JSON Schema object".
ProtoWriter Schema(const JsonValue& schema) {
  ProtoWriter w;
  if (!schema.is_object()) return w;
  StringField(w, 1, schema, "$ref");
  StringField(w, 2, schema, "format");
  StringField(w, 3, schema, "title");
  StringField(w, 4, schema, "description");
  AnyField(w, 5, schema, "default");
  DoubleField(w, 6, schema, "multipleOf");
  DoubleField(w, 7, schema, "maximum");
  BoolField(w, 8, schema, "exclusiveMaximum");
  DoubleField(w, 9, schema, "minimum");
  BoolField(w, 10, schema, "exclusiveMinimum");
  Int64Field(w, 11, schema, "maxLength");
  Int64Field(w, 12, schema, "minLength");
  StringField(w, 13, schema, "pattern");
  Int64Field(w, 14, schema, "maxItems");
  Int64Field(w, 15, schema, "minItems");
  BoolField(w, 16, schema, "uniqueItems");
  Int64Field(w, 17, schema, "maxProperties");
  Int64Field(w, 18, schema, "minProperties");
  StringsField(w, 19, schema, "required");
  AnysField(w, 20, schema, "enum");
  if (const JsonValue* v = Member(schema, "additionalProperties"); v != nullptr) {
    // AdditionalPropertiesItem { oneof { Schema schema = 1; bool boolean = 2; } }: a oneof member is written even
    // when false.
    ProtoWriter item;
    if (v->is_bool()) {
      item.Bool(2, v->bool_value());
      w.Message(21, item);
    } else if (v->is_object()) {
      item.Message(1, Schema(*v));
      w.Message(21, item);
    }
  }
  if (const JsonValue* v = Member(schema, "type"); v != nullptr) {
    ProtoWriter type;  // TypeItem { repeated string value = 1; }
    if (v->is_string()) type.String(1, v->string_value());
    if (v->is_array()) {
      for (const JsonValue& t : v->array()) {
        if (t.is_string()) type.String(1, t.string_value());
      }
    }
    w.Message(22, type);
  }
  if (const JsonValue* v = Member(schema, "items"); v != nullptr) {
    ProtoWriter items;  // ItemsItem { repeated Schema schema = 1; }
    if (v->is_object()) items.Message(1, Schema(*v));
    if (v->is_array()) {
      for (const JsonValue& s : v->array()) items.Message(1, Schema(s));
    }
    w.Message(23, items);
  }
  if (const JsonValue* v = Member(schema, "allOf"); v != nullptr && v->is_array()) {
    for (const JsonValue& s : v->array()) w.Message(24, Schema(s));
  }
  if (const JsonValue* v = Member(schema, "properties"); v != nullptr && v->is_object()) {
    w.Message(25, NamedMap(*v, Schema));  // Properties { repeated NamedSchema additional_properties = 1; }
  }
  StringField(w, 26, schema, "discriminator");
  BoolField(w, 27, schema, "readOnly");
  MessageField(w, 28, schema, "xml", Xml);
  MessageField(w, 29, schema, "externalDocs", ExternalDocs);
  AnyField(w, 30, schema, "example");
  VendorExtensions(w, 31, schema);
  return w;
}

ProtoWriter FileSchema(const JsonValue& schema) {
  ProtoWriter w;
  StringField(w, 1, schema, "format");
  StringField(w, 2, schema, "title");
  StringField(w, 3, schema, "description");
  AnyField(w, 4, schema, "default");
  StringsField(w, 5, schema, "required");
  StringField(w, 6, schema, "type");
  BoolField(w, 7, schema, "readOnly");
  MessageField(w, 8, schema, "externalDocs", ExternalDocs);
  AnyField(w, 9, schema, "example");
  VendorExtensions(w, 10, schema);
  return w;
}

// PrimitiveFields writes the fields PrimitivesItems, Header and the non-body parameter sub-schemas share, in
// PrimitivesItems' numbering (type = 1 … multipleOf = 17) shifted by `offset`.
ProtoWriter PrimitivesItems(const JsonValue& items);

void PrimitiveFields(ProtoWriter& w, const JsonValue& object, int offset) {
  StringField(w, 1 + offset, object, "type");
  StringField(w, 2 + offset, object, "format");
  MessageField(w, 3 + offset, object, "items", PrimitivesItems);
  StringField(w, 4 + offset, object, "collectionFormat");
  AnyField(w, 5 + offset, object, "default");
  DoubleField(w, 6 + offset, object, "maximum");
  BoolField(w, 7 + offset, object, "exclusiveMaximum");
  DoubleField(w, 8 + offset, object, "minimum");
  BoolField(w, 9 + offset, object, "exclusiveMinimum");
  Int64Field(w, 10 + offset, object, "maxLength");
  Int64Field(w, 11 + offset, object, "minLength");
  StringField(w, 12 + offset, object, "pattern");
  Int64Field(w, 13 + offset, object, "maxItems");
  Int64Field(w, 14 + offset, object, "minItems");
  BoolField(w, 15 + offset, object, "uniqueItems");
  AnysField(w, 16 + offset, object, "enum");
  DoubleField(w, 17 + offset, object, "multipleOf");
}

ProtoWriter PrimitivesItems(const JsonValue& items) {
  ProtoWriter w;
  PrimitiveFields(w, items, 0);
  VendorExtensions(w, 18, items);
  return w;
}

ProtoWriter Header(const JsonValue& header) {
  ProtoWriter w;
  PrimitiveFields(w, header, 0);
  StringField(w, 18, header, "description");
  VendorExtensions(w, 19, header);
  return w;
}

// JsonReference { string _ref = 1; string description = 2; }
ProtoWriter JsonReference(const JsonValue& ref) {
  ProtoWriter w;
  StringField(w, 1, ref, "$ref");
  StringField(w, 2, ref, "description");
  return w;
}

// Parameter { oneof { BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2; } }, by `in`.
// Sub-schemas: required = 1, in = 2, description = 3, name = 4; query and formData then allowEmptyValue = 5 and the
// primitive fields from 6; header and path the primitive fields from 5.
ProtoWriter Parameter(const JsonValue& parameter) {
  ProtoWriter w;
  const JsonValue* in = Member(parameter, "in");
  const std::string where = in != nullptr && in->is_string() ? in->string_value() : "";
  if (where == "body") {
    ProtoWriter body;
    StringField(body, 1, parameter, "description");
    StringField(body, 2, parameter, "name");
    StringField(body, 3, parameter, "in");
    BoolField(body, 4, parameter, "required");
    MessageField(body, 5, parameter, "schema", Schema);
    VendorExtensions(body, 6, parameter);
    w.Message(1, body);
    return w;
  }
  int kind = 0;  // NonBodyParameter's oneof field
  if (where == "header") kind = 1;
  if (where == "formData") kind = 2;
  if (where == "query") kind = 3;
  if (where == "path") kind = 4;
  if (kind == 0) return w;  // gnostic rejects other locations
  const bool allow_empty = kind == 2 || kind == 3;
  ProtoWriter sub;
  BoolField(sub, 1, parameter, "required");
  StringField(sub, 2, parameter, "in");
  StringField(sub, 3, parameter, "description");
  StringField(sub, 4, parameter, "name");
  if (allow_empty) BoolField(sub, 5, parameter, "allowEmptyValue");
  const int offset = allow_empty ? 5 : 4;
  PrimitiveFields(sub, parameter, offset);
  VendorExtensions(sub, 18 + offset, parameter);
  ProtoWriter non_body;
  non_body.Message(kind, sub);
  w.Message(2, non_body);
  return w;
}

// ParametersItem { oneof { Parameter parameter = 1; JsonReference json_reference = 2; } }
void ParametersField(ProtoWriter& w, int field, const JsonValue& object) {
  const JsonValue* list = Member(object, "parameters");
  if (list == nullptr || !list->is_array()) return;
  for (const JsonValue& parameter : list->array()) {
    ProtoWriter item;
    if (parameter.Find("$ref") != nullptr) {
      item.Message(2, JsonReference(parameter));
    } else {
      item.Message(1, Parameter(parameter));
    }
    w.Message(field, item);
  }
}

ProtoWriter Response(const JsonValue& response) {
  ProtoWriter w;
  StringField(w, 1, response, "description");
  if (const JsonValue* schema = Member(response, "schema"); schema != nullptr && schema->is_object()) {
    // SchemaItem { oneof { Schema schema = 1; FileSchema file_schema = 2; } }
    ProtoWriter item;
    const JsonValue* type = schema->Find("type");
    if (type != nullptr && type->is_string() && type->string_value() == "file") {
      item.Message(2, FileSchema(*schema));
    } else {
      item.Message(1, Schema(*schema));
    }
    w.Message(2, item);
  }
  if (const JsonValue* headers = Member(response, "headers"); headers != nullptr && headers->is_object()) {
    w.Message(3, NamedMap(*headers, Header));
  }
  if (const JsonValue* examples = Member(response, "examples"); examples != nullptr && examples->is_object()) {
    w.Message(4, NamedMap(*examples, Any));
  }
  VendorExtensions(w, 5, response);
  return w;
}

// ResponseValue { oneof { Response response = 1; JsonReference json_reference = 2; } }
ProtoWriter ResponseValue(const JsonValue& response) {
  ProtoWriter w;
  if (response.Find("$ref") != nullptr) {
    w.Message(2, JsonReference(response));
  } else {
    w.Message(1, Response(response));
  }
  return w;
}

bool IsResponseCode(absl::string_view key) {
  return key == "default" || (key.size() == 3 && absl::ascii_isdigit(key[0]) && absl::ascii_isdigit(key[1]) &&
                              absl::ascii_isdigit(key[2]));
}

// Responses { repeated NamedResponseValue response_code = 1; repeated NamedAny vendor_extension = 2; }
ProtoWriter Responses(const JsonValue& responses) {
  ProtoWriter w;
  for (const auto& [code, value] : responses.object()) {
    if (!IsResponseCode(code)) continue;
    ProtoWriter pair;
    pair.OptString(1, code);
    pair.Message(2, ResponseValue(value));
    w.Message(1, pair);
  }
  VendorExtensions(w, 2, responses);
  return w;
}

// SecurityRequirement { repeated NamedStringArray additional_properties = 1; }, StringArray { repeated value = 1 }.
void SecurityField(ProtoWriter& w, int field, const JsonValue& object) {
  const JsonValue* list = Member(object, "security");
  if (list == nullptr || !list->is_array()) return;
  for (const JsonValue& requirement : list->array()) {
    w.Message(field, NamedMap(requirement, [](const JsonValue& scopes) {
                ProtoWriter array;
                if (scopes.is_array()) {
                  for (const JsonValue& scope : scopes.array()) {
                    if (scope.is_string()) array.String(1, scope.string_value());
                  }
                }
                return array;
              }));
  }
}

ProtoWriter Operation(const JsonValue& op) {
  ProtoWriter w;
  StringsField(w, 1, op, "tags");
  StringField(w, 2, op, "summary");
  StringField(w, 3, op, "description");
  MessageField(w, 4, op, "externalDocs", ExternalDocs);
  StringField(w, 5, op, "operationId");
  StringsField(w, 6, op, "produces");
  StringsField(w, 7, op, "consumes");
  ParametersField(w, 8, op);
  MessageField(w, 9, op, "responses", Responses);
  StringsField(w, 10, op, "schemes");
  BoolField(w, 11, op, "deprecated");
  SecurityField(w, 12, op);
  VendorExtensions(w, 13, op);
  return w;
}

ProtoWriter PathItem(const JsonValue& item) {
  ProtoWriter w;
  if (!item.is_object()) return w;
  StringField(w, 1, item, "$ref");
  int field = 2;
  for (const char* method : {"get", "put", "post", "delete", "options", "head", "patch"}) {
    MessageField(w, field++, item, method, Operation);
  }
  ParametersField(w, 9, item);
  VendorExtensions(w, 10, item);
  return w;
}

// Paths { repeated NamedAny vendor_extension = 1; repeated NamedPathItem path = 2; } (paths start with "/").
ProtoWriter Paths(const JsonValue& paths) {
  ProtoWriter w;
  VendorExtensions(w, 1, paths);
  for (const auto& [path, item] : paths.object()) {
    if (!absl::StartsWith(path, "/")) continue;
    ProtoWriter pair;
    pair.OptString(1, path);
    pair.Message(2, PathItem(item));
    w.Message(2, pair);
  }
  return w;
}

ProtoWriter Contact(const JsonValue& contact) {
  ProtoWriter w;
  StringField(w, 1, contact, "name");
  StringField(w, 2, contact, "url");
  StringField(w, 3, contact, "email");
  VendorExtensions(w, 4, contact);
  return w;
}

ProtoWriter License(const JsonValue& license) {
  ProtoWriter w;
  StringField(w, 1, license, "name");
  StringField(w, 2, license, "url");
  VendorExtensions(w, 3, license);
  return w;
}

ProtoWriter Info(const JsonValue& info) {
  ProtoWriter w;
  StringField(w, 1, info, "title");
  StringField(w, 2, info, "version");
  StringField(w, 3, info, "description");
  StringField(w, 4, info, "termsOfService");
  MessageField(w, 5, info, "contact", Contact);
  MessageField(w, 6, info, "license", License);
  VendorExtensions(w, 7, info);
  return w;
}

ProtoWriter Tag(const JsonValue& tag) {
  ProtoWriter w;
  StringField(w, 1, tag, "name");
  StringField(w, 2, tag, "description");
  MessageField(w, 3, tag, "externalDocs", ExternalDocs);
  VendorExtensions(w, 4, tag);
  return w;
}

ProtoWriter Document(const JsonValue& doc) {
  ProtoWriter w;
  StringField(w, 1, doc, "swagger");
  MessageField(w, 2, doc, "info", Info);
  StringField(w, 3, doc, "host");
  StringField(w, 4, doc, "basePath");
  StringsField(w, 5, doc, "schemes");
  StringsField(w, 6, doc, "consumes");
  StringsField(w, 7, doc, "produces");
  MessageField(w, 8, doc, "paths", Paths);
  if (const JsonValue* v = Member(doc, "definitions"); v != nullptr && v->is_object()) {
    w.Message(9, NamedMap(*v, Schema));
  }
  if (const JsonValue* v = Member(doc, "parameters"); v != nullptr && v->is_object()) {
    w.Message(10, NamedMap(*v, Parameter));
  }
  if (const JsonValue* v = Member(doc, "responses"); v != nullptr && v->is_object()) {
    w.Message(11, NamedMap(*v, Response));
  }
  SecurityField(w, 12, doc);
  if (const JsonValue* v = Member(doc, "tags"); v != nullptr && v->is_array()) {
    for (const JsonValue& tag : v->array()) w.Message(14, Tag(tag));
  }
  MessageField(w, 15, doc, "externalDocs", ExternalDocs);
  VendorExtensions(w, 16, doc);
  return w;
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
