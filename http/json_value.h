#ifndef APISERVE_HTTP_JSON_VALUE_H_
#define APISERVE_HTTP_JSON_VALUE_H_

// http::JsonValue and ParseJson: a JSON document in memory (RFC 8259), for handlers that read request bodies
// (objects of a resource, TokenReview and SubjectAccessReview answers).
//
//   absl::StatusOr<JsonValue> doc = ParseJson(request->body);
//   if (!doc.ok()) ...                       // InvalidArgument with Go's encoding/json message
//   const JsonValue* name = doc->FindPath({"metadata", "name"});
//   if (name != nullptr && name->is_string()) ... name->string_value() ...
//   std::string text = doc->Serialize();     // compact, Go's escaping (http/json_writer.h)
//
// Objects keep their members in document order (a duplicate key replaces the earlier value in place, as Go's
// decoder keeps the last). Numbers keep their text as written, so they round-trip exactly. Strings are UTF-8:
// invalid bytes and lone surrogate escapes decode to U+FFFD, as Go does. A JsonValue is a plain value (copyable,
// movable, not thread-safe for concurrent mutation).

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "http/json_writer.h"

namespace apiserve::http {

class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  using Array = std::vector<JsonValue>;
  using Member = std::pair<std::string, JsonValue>;
  using Object = std::vector<Member>;

  // JsonValue() is null.
  JsonValue() = default;
  static JsonValue Bool(bool value);
  static JsonValue Int(int64_t value);
  // NumberText makes a number from its JSON text ("1.5e3"), which must be a valid JSON number (not checked).
  static JsonValue NumberText(std::string text);
  static JsonValue String(std::string value);
  static JsonValue MakeArray(Array elements = {});
  static JsonValue MakeObject(Object members = {});

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // Accessors for the value of the matching type; calling one on another type aborts (a programming error: check
  // the type first).
  bool bool_value() const;
  const std::string& number_text() const;
  const std::string& string_value() const;
  const Array& array() const;
  Array& array();
  const Object& object() const;
  Object& object();

  // AsInt64 returns the number as an int64 if it is an integer in range (no fraction or exponent); nullopt for
  // anything else, other types included.
  std::optional<int64_t> AsInt64() const;
  // AsDouble returns the number's value; nullopt for other types.
  std::optional<double> AsDouble() const;

  // Find returns the object member named `key`, or null (also when this is not an object). Linear: objects here
  // are small.
  const JsonValue* Find(absl::string_view key) const;
  JsonValue* Find(absl::string_view key);
  // FindPath follows object members: FindPath({"metadata", "name"}). Null if any step is missing or not an object.
  const JsonValue* FindPath(std::initializer_list<absl::string_view> keys) const;
  // Set replaces the member `key` in place, or appends it. Returns the stored value. Aborts if not an object.
  JsonValue* Set(absl::string_view key, JsonValue value);
  // Erase removes the member `key`; returns whether it was present. False when not an object.
  bool Erase(absl::string_view key);

  // Equality is JSON's: numbers compare by value, objects regardless of member order.
  friend bool operator==(const JsonValue& a, const JsonValue& b);
  friend bool operator!=(const JsonValue& a, const JsonValue& b) { return !(a == b); }

  // WriteTo appends this value to `writer` as one JSON value.
  void WriteTo(JsonWriter* writer) const;
  // Serialize returns compact JSON text.
  std::string Serialize() const;

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  std::string text_;  // number text or string value
  Array array_;
  Object object_;
};

struct JsonParseOptions {
  // Nesting deeper than this (arrays and objects) is rejected with "exceeded max depth". Kept well below what the
  // recursive parser's stack allows on an event-loop thread.
  size_t max_depth = 1000;
  // Input longer than this is rejected before parsing (default: kube's 3 MiB request body limit).
  size_t max_bytes = size_t{3} << 20;
};

// ParseJson parses one JSON value (surrounding whitespace allowed). On error returns InvalidArgument with Go's
// encoding/json message ("invalid character 'x' looking for beginning of value", "unexpected end of JSON input",
// "exceeded max depth"), or "JSON input of N bytes exceeds the limit of M bytes"; `error_offset`, if non-null,
// receives the byte offset where parsing stopped.
absl::StatusOr<JsonValue> ParseJson(absl::string_view text, const JsonParseOptions& options = {},
                                    size_t* error_offset = nullptr);

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_JSON_VALUE_H_
