#include "http/json_value.h"

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/utf8.h"

namespace apiserve::http {
namespace {

[[noreturn]] void WrongType(const char* accessor) {
  std::fprintf(stderr, "JsonValue::%s called on a value of another type\n", accessor);
  std::abort();
}

void AppendUtf8(std::string* out, uint32_t rune) {
  if (rune < 0x80) {
    out->push_back(static_cast<char>(rune));
  } else if (rune < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (rune >> 6)));
    out->push_back(static_cast<char>(0x80 | (rune & 0x3F)));
  } else if (rune < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (rune >> 12)));
    out->push_back(static_cast<char>(0x80 | ((rune >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (rune & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (rune >> 18)));
    out->push_back(static_cast<char>(0x80 | ((rune >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((rune >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (rune & 0x3F)));
  }
}

constexpr uint32_t kReplacementChar = 0xFFFD;

// QuoteChar is Go's encoding/json quoteChar: the byte as strconv.Quote shows it, in single quotes.
std::string QuoteChar(unsigned char c) {
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  std::string inner;
  switch (c) {
    case '\a':
      inner = "\\a";
      break;
    case '\b':
      inner = "\\b";
      break;
    case '\f':
      inner = "\\f";
      break;
    case '\n':
      inner = "\\n";
      break;
    case '\r':
      inner = "\\r";
      break;
    case '\t':
      inner = "\\t";
      break;
    case '\v':
      inner = "\\v";
      break;
    case '\\':
      inner = "\\\\";
      break;
    default:
      if (c >= 0x20 && c < 0x7F) {
        inner = std::string(1, static_cast<char>(c));
      } else if (c < 0x80) {
        char buffer[8];
        std::snprintf(buffer, sizeof(buffer), "\\x%02x", c);
        inner = buffer;
      } else if (c < 0xA1 || c == 0xAD) {  // C1 controls, NBSP, soft hyphen: not printable for strconv
        char buffer[8];
        std::snprintf(buffer, sizeof(buffer), "\\u%04x", c);
        inner = buffer;
      } else {
        AppendUtf8(&inner, c);  // Go's string(byte) is the rune U+00XX
      }
  }
  return "'" + inner + "'";
}

// RemoveDuplicateKeys keeps one member per key, at the first one's position with the last one's value (Go's decoder
// keeps the last value). Linear, so a body of many keys costs no quadratic time.
void RemoveDuplicateKeys(JsonValue::Object* members) {
  if (members->size() < 2) return;
  absl::flat_hash_map<absl::string_view, size_t> first;
  first.reserve(members->size());
  bool duplicates = false;
  std::vector<bool> drop(members->size(), false);
  for (size_t i = 0; i < members->size(); ++i) {
    auto [it, inserted] = first.emplace((*members)[i].first, i);
    if (!inserted) {
      (*members)[it->second].second = std::move((*members)[i].second);
      drop[i] = true;
      duplicates = true;
    }
  }
  if (!duplicates) return;
  size_t kept = 0;
  for (size_t i = 0; i < members->size(); ++i) {
    if (drop[i]) continue;
    if (kept != i) (*members)[kept] = std::move((*members)[i]);
    ++kept;
  }
  members->resize(kept);
}

class Parser {
 public:
  Parser(absl::string_view text, const JsonParseOptions& options) : text_(text), options_(options) {}

  absl::StatusOr<JsonValue> ParseDocument() {
    JsonValue value;
    SkipSpace();
    if (!ParseValue(&value, 0)) return Error();
    SkipSpace();
    if (pos_ < text_.size()) {
      Fail(absl::StrCat("invalid character ", QuoteChar(Byte()), " after top-level value"));
      return Error();
    }
    return value;
  }

  size_t pos() const { return pos_; }

 private:
  absl::Status Error() const { return absl::InvalidArgumentError(error_); }
  unsigned char Byte() const { return static_cast<unsigned char>(text_[pos_]); }
  bool AtEnd() const { return pos_ >= text_.size(); }

  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }
  bool FailEof() { return Fail("unexpected end of JSON input"); }
  bool FailChar(absl::string_view context) {
    if (AtEnd()) return FailEof();
    return Fail(absl::StrCat("invalid character ", QuoteChar(Byte()), " ", context));
  }

  void SkipSpace() {
    while (!AtEnd() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool ParseValue(JsonValue* out, size_t depth) {
    if (AtEnd()) return FailEof();
    switch (text_[pos_]) {
      case '{':
        return ParseObject(out, depth + 1);
      case '[':
        return ParseArray(out, depth + 1);
      case '"': {
        std::string s;
        if (!ParseString(&s)) return false;
        *out = JsonValue::String(std::move(s));
        return true;
      }
      case 't':
        if (!ParseLiteral("true")) return false;
        *out = JsonValue::Bool(true);
        return true;
      case 'f':
        if (!ParseLiteral("false")) return false;
        *out = JsonValue::Bool(false);
        return true;
      case 'n':
        if (!ParseLiteral("null")) return false;
        *out = JsonValue();
        return true;
      default:
        if (text_[pos_] == '-' || (text_[pos_] >= '0' && text_[pos_] <= '9')) return ParseNumber(out);
        return FailChar("looking for beginning of value");
    }
  }

  bool ParseLiteral(absl::string_view literal) {
    for (size_t i = 0; i < literal.size(); ++i, ++pos_) {
      if (AtEnd()) return FailEof();
      if (text_[pos_] != literal[i]) {
        return FailChar(absl::StrCat("in literal ", literal, " (expecting ", QuoteChar(literal[i]), ")"));
      }
    }
    return true;
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  bool ParseNumber(JsonValue* out) {
    const size_t start = pos_;
    if (text_[pos_] == '-') {
      ++pos_;
      if (AtEnd()) return FailEof();
      if (!IsDigit(text_[pos_])) return FailChar("in numeric literal");
    }
    if (text_[pos_] == '0') {
      ++pos_;
    } else {
      while (!AtEnd() && IsDigit(text_[pos_])) ++pos_;
    }
    if (!AtEnd() && text_[pos_] == '.') {
      ++pos_;
      if (AtEnd()) return FailEof();
      if (!IsDigit(text_[pos_])) return FailChar("after decimal point in numeric literal");
      while (!AtEnd() && IsDigit(text_[pos_])) ++pos_;
    }
    if (!AtEnd() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (!AtEnd() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (AtEnd()) return FailEof();
      if (!IsDigit(text_[pos_])) return FailChar("in exponent of numeric literal");
      while (!AtEnd() && IsDigit(text_[pos_])) ++pos_;
    }
    *out = JsonValue::NumberText(std::string(text_.substr(start, pos_ - start)));
    return true;
  }

  // Hex4 reads four hex digits of a \u escape.
  bool Hex4(uint32_t* value) {
    *value = 0;
    for (int i = 0; i < 4; ++i, ++pos_) {
      if (AtEnd()) return FailEof();
      const char c = text_[pos_];
      uint32_t digit;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        digit = c - 'A' + 10;
      } else {
        return FailChar("in \\u hexadecimal character escape");
      }
      *value = *value * 16 + digit;
    }
    return true;
  }

  bool ParseString(std::string* out) {
    ++pos_;  // opening quote
    while (true) {
      if (AtEnd()) return FailEof();
      const unsigned char c = Byte();
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return FailChar("in string literal");
      if (c == '\\') {
        ++pos_;
        if (!ParseEscape(out)) return false;
        continue;
      }
      if (c < 0x80) {
        out->push_back(static_cast<char>(c));
        ++pos_;
        continue;
      }
      const size_t n = base::Utf8SequenceLength(text_, pos_);
      if (n == 0) {
        AppendUtf8(out, kReplacementChar);
        ++pos_;
      } else {
        out->append(text_.data() + pos_, n);
        pos_ += n;
      }
    }
  }

  bool ParseEscape(std::string* out) {
    if (AtEnd()) return FailEof();
    const char c = text_[pos_];
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out->push_back(c);
        ++pos_;
        return true;
      case 'b':
        out->push_back('\b');
        ++pos_;
        return true;
      case 'f':
        out->push_back('\f');
        ++pos_;
        return true;
      case 'n':
        out->push_back('\n');
        ++pos_;
        return true;
      case 'r':
        out->push_back('\r');
        ++pos_;
        return true;
      case 't':
        out->push_back('\t');
        ++pos_;
        return true;
      case 'u':
        break;
      default:
        return FailChar("in string escape code");
    }
    ++pos_;
    uint32_t rune;
    if (!Hex4(&rune)) return false;
    if (rune >= 0xD800 && rune < 0xDC00) {
      // A high surrogate: a low one must follow as another \u escape, else U+FFFD (Go's unquote).
      if (text_.substr(pos_, 2) == "\\u") {
        const size_t saved = pos_;
        pos_ += 2;
        uint32_t low;
        if (!Hex4(&low)) return false;
        if (low >= 0xDC00 && low < 0xE000) {
          AppendUtf8(out, 0x10000 + ((rune - 0xD800) << 10) + (low - 0xDC00));
          return true;
        }
        pos_ = saved;  // the second escape is decoded on its own
      }
      AppendUtf8(out, kReplacementChar);
      return true;
    }
    if (rune >= 0xDC00 && rune < 0xE000) rune = kReplacementChar;
    AppendUtf8(out, rune);
    return true;
  }

  bool CheckDepth(size_t depth) {
    if (depth > options_.max_depth) return Fail("exceeded max depth");
    return true;
  }

  bool ParseArray(JsonValue* out, size_t depth) {
    if (!CheckDepth(depth)) return false;
    ++pos_;  // [
    JsonValue::Array elements;
    SkipSpace();
    if (!AtEnd() && text_[pos_] == ']') {
      ++pos_;
      *out = JsonValue::MakeArray();
      return true;
    }
    while (true) {
      SkipSpace();
      elements.emplace_back();
      if (!ParseValue(&elements.back(), depth)) return false;
      SkipSpace();
      if (AtEnd()) return FailEof();
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (text_[pos_] == ']') {
        ++pos_;
        *out = JsonValue::MakeArray(std::move(elements));
        return true;
      }
      return FailChar("after array element");
    }
  }

  bool ParseObject(JsonValue* out, size_t depth) {
    if (!CheckDepth(depth)) return false;
    ++pos_;  // {
    JsonValue object = JsonValue::MakeObject();
    JsonValue::Object& members = object.object();
    SkipSpace();
    if (!AtEnd() && text_[pos_] == '}') {
      ++pos_;
      *out = std::move(object);
      return true;
    }
    while (true) {
      SkipSpace();
      if (AtEnd() || text_[pos_] != '"') return FailChar("looking for beginning of object key string");
      std::string key;
      if (!ParseString(&key)) return false;
      SkipSpace();
      if (AtEnd() || text_[pos_] != ':') return FailChar("after object key");
      ++pos_;
      SkipSpace();
      JsonValue value;
      if (!ParseValue(&value, depth)) return false;
      members.emplace_back(std::move(key), std::move(value));
      SkipSpace();
      if (AtEnd()) return FailEof();
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (text_[pos_] == '}') {
        ++pos_;
        RemoveDuplicateKeys(&members);
        *out = std::move(object);
        return true;
      }
      return FailChar("after object key:value pair");
    }
  }

  const absl::string_view text_;
  const JsonParseOptions& options_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

JsonValue JsonValue::Bool(bool value) {
  JsonValue v;
  v.type_ = Type::kBool;
  v.bool_ = value;
  return v;
}

JsonValue JsonValue::Int(int64_t value) { return NumberText(absl::StrCat(value)); }

JsonValue JsonValue::NumberText(std::string text) {
  JsonValue v;
  v.type_ = Type::kNumber;
  v.text_ = std::move(text);
  return v;
}

JsonValue JsonValue::String(std::string value) {
  JsonValue v;
  v.type_ = Type::kString;
  v.text_ = std::move(value);
  return v;
}

JsonValue JsonValue::MakeArray(Array elements) {
  JsonValue v;
  v.type_ = Type::kArray;
  v.array_ = std::move(elements);
  return v;
}

JsonValue JsonValue::MakeObject(Object members) {
  JsonValue v;
  v.type_ = Type::kObject;
  for (Member& member : members) v.Set(member.first, std::move(member.second));
  return v;
}

bool JsonValue::bool_value() const {
  if (type_ != Type::kBool) WrongType("bool_value");
  return bool_;
}
const std::string& JsonValue::number_text() const {
  if (type_ != Type::kNumber) WrongType("number_text");
  return text_;
}
const std::string& JsonValue::string_value() const {
  if (type_ != Type::kString) WrongType("string_value");
  return text_;
}
const JsonValue::Array& JsonValue::array() const {
  if (type_ != Type::kArray) WrongType("array");
  return array_;
}
JsonValue::Array& JsonValue::array() {
  if (type_ != Type::kArray) WrongType("array");
  return array_;
}
const JsonValue::Object& JsonValue::object() const {
  if (type_ != Type::kObject) WrongType("object");
  return object_;
}
JsonValue::Object& JsonValue::object() {
  if (type_ != Type::kObject) WrongType("object");
  return object_;
}

std::optional<int64_t> JsonValue::AsInt64() const {
  if (type_ != Type::kNumber || text_.find_first_of(".eE") != std::string::npos) return std::nullopt;
  int64_t value;
  if (!absl::SimpleAtoi(text_, &value)) return std::nullopt;
  return value;
}

std::optional<double> JsonValue::AsDouble() const {
  if (type_ != Type::kNumber) return std::nullopt;
  double value;
  if (!absl::SimpleAtod(text_, &value)) return std::nullopt;
  return value;
}

const JsonValue* JsonValue::Find(absl::string_view key) const {
  if (type_ != Type::kObject) return nullptr;
  for (const Member& member : object_) {
    if (member.first == key) return &member.second;
  }
  return nullptr;
}

JsonValue* JsonValue::Find(absl::string_view key) {
  return const_cast<JsonValue*>(static_cast<const JsonValue*>(this)->Find(key));
}

const JsonValue* JsonValue::FindPath(std::initializer_list<absl::string_view> keys) const {
  const JsonValue* value = this;
  for (absl::string_view key : keys) {
    value = value->Find(key);
    if (value == nullptr) return nullptr;
  }
  return value;
}

JsonValue* JsonValue::Set(absl::string_view key, JsonValue value) {
  if (type_ != Type::kObject) WrongType("Set");
  if (JsonValue* existing = Find(key)) {
    *existing = std::move(value);
    return existing;
  }
  object_.emplace_back(std::string(key), std::move(value));
  return &object_.back().second;
}

bool JsonValue::Erase(absl::string_view key) {
  if (type_ != Type::kObject) return false;
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (it->first == key) {
      object_.erase(it);
      return true;
    }
  }
  return false;
}

bool operator==(const JsonValue& a, const JsonValue& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case JsonValue::Type::kNull:
      return true;
    case JsonValue::Type::kBool:
      return a.bool_ == b.bool_;
    case JsonValue::Type::kNumber:
      return a.text_ == b.text_ || a.AsDouble() == b.AsDouble();
    case JsonValue::Type::kString:
      return a.text_ == b.text_;
    case JsonValue::Type::kArray:
      return a.array_ == b.array_;
    case JsonValue::Type::kObject:
      if (a.object_.size() != b.object_.size()) return false;
      for (const JsonValue::Member& member : a.object_) {
        const JsonValue* other = b.Find(member.first);
        if (other == nullptr || *other != member.second) return false;
      }
      return true;
  }
  return false;
}

void JsonValue::WriteTo(JsonWriter* writer) const {
  switch (type_) {
    case Type::kNull:
      writer->Null();
      return;
    case Type::kBool:
      writer->Bool(bool_);
      return;
    case Type::kNumber:
      writer->Raw(text_);
      return;
    case Type::kString:
      writer->String(text_);
      return;
    case Type::kArray:
      writer->BeginArray();
      for (const JsonValue& element : array_) element.WriteTo(writer);
      writer->EndArray();
      return;
    case Type::kObject:
      writer->BeginObject();
      for (const Member& member : object_) {
        writer->Key(member.first);
        member.second.WriteTo(writer);
      }
      writer->EndObject();
      return;
  }
}

std::string JsonValue::Serialize() const {
  JsonWriter writer;
  WriteTo(&writer);
  return writer.Take();
}

absl::StatusOr<JsonValue> ParseJson(absl::string_view text, const JsonParseOptions& options, size_t* error_offset) {
  if (text.size() > options.max_bytes) {
    if (error_offset != nullptr) *error_offset = options.max_bytes;
    return absl::InvalidArgumentError(
        absl::StrCat("JSON input of ", text.size(), " bytes exceeds the limit of ", options.max_bytes, " bytes"));
  }
  Parser parser(text, options);
  absl::StatusOr<JsonValue> value = parser.ParseDocument();
  if (!value.ok() && error_offset != nullptr) *error_offset = parser.pos();
  return value;
}

}  // namespace apiserve::http
