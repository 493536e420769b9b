#ifndef APISERVE_HTTP_JSON_WRITER_H_
#define APISERVE_HTTP_JSON_WRITER_H_

// http::JsonWriter builds JSON text the way Go's encoding/json writes it: compact by default, or indented like
// json.MarshalIndent(v, "", "  "). Strings are escaped as Go does: `"` `\` and control characters, with <, >, &
// and U+2028/U+2029 as \u escapes; invalid UTF-8 becomes U+FFFD; other non-ASCII passes through as UTF-8.
//
//   JsonWriter json;
//   json.BeginObject(); json.Key("paths"); json.BeginArray(); json.String("/api"); json.EndArray(); json.EndObject();
//   std::string text = json.Take();

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace apiserve::http {

class JsonWriter {
 public:
  // With `indent` (e.g. "  "), output is pretty-printed as json.MarshalIndent; empty containers print as {} / [].
  explicit JsonWriter(std::string indent = "") : indent_(std::move(indent)) {}

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // Key writes an object member's name; the next value call writes its value.
  void Key(absl::string_view key);
  void String(absl::string_view value);
  void Int(int64_t value);
  void Bool(bool value);
  void Null();
  // Raw inserts already-encoded JSON as one value.
  void Raw(absl::string_view json);

  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  struct Level {
    bool is_object;
    int count;
  };
  void BeforeValue();
  void Close(char bracket);
  void NewLine();

  const std::string indent_;
  std::string out_;
  std::vector<Level> levels_;
  bool after_key_ = false;
};

// AppendJsonString appends `value` to `out` as a quoted JSON string with Go's escaping.
void AppendJsonString(std::string* out, absl::string_view value);

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_JSON_WRITER_H_
