#include "http/json_patch.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace apiserve::http {
namespace {

// kIndexedMergeThreshold: above this many patch members, look target members up through a hash index instead of
// JsonValue::Find, so a large patch against a large object stays linear.
constexpr size_t kIndexedMergeThreshold = 16;

void MergeObject(JsonValue* target, const JsonValue& patch) {
  JsonValue::Object& members = target->object();
  // Reserved up front: members never move while `index` holds views of their keys.
  members.reserve(members.size() + patch.object().size());
  std::vector<bool> removed(members.size(), false);
  absl::flat_hash_map<absl::string_view, size_t> index;
  const bool indexed = patch.object().size() > kIndexedMergeThreshold;
  if (indexed) {
    for (size_t i = 0; i < members.size(); ++i) index.emplace(members[i].first, i);
  }
  auto find = [&](absl::string_view key) -> size_t {
    if (indexed) {
      auto it = index.find(key);
      return it == index.end() ? members.size() : it->second;
    }
    for (size_t i = 0; i < members.size(); ++i) {
      if (members[i].first == key) return i;
    }
    return members.size();
  };
  bool any_removed = false;
  for (const JsonValue::Member& member : patch.object()) {
    const size_t at = find(member.first);
    if (member.second.is_null()) {
      if (at < members.size()) removed[at] = any_removed = true;
    } else if (at < members.size()) {
      ApplyMergePatch(&members[at].second, member.second);
    } else {
      members.emplace_back(member.first, JsonValue());
      removed.push_back(false);
      ApplyMergePatch(&members.back().second, member.second);
      if (indexed) index.emplace(members.back().first, members.size() - 1);
    }
  }
  if (!any_removed) return;
  size_t kept = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    if (removed[i]) continue;
    if (kept != i) members[kept] = std::move(members[i]);
    ++kept;
  }
  members.resize(kept);
}

// Pointer is a parsed JSON Pointer (RFC 6901).
struct Pointer {
  std::vector<std::string> tokens;
};

absl::Status ParsePointer(const std::string& text, Pointer* out) {
  out->tokens.clear();
  if (text.empty()) return absl::OkStatus();
  if (text[0] != '/') return absl::InvalidArgumentError(absl::StrCat("path \"", text, "\" does not start with '/'"));
  for (absl::string_view raw : absl::StrSplit(absl::string_view(text).substr(1), '/')) {
    // ~1 before ~0, as RFC 6901 §4 says ("~01" is "~1").
    out->tokens.push_back(absl::StrReplaceAll(absl::StrReplaceAll(raw, {{"~1", "/"}}), {{"~0", "~"}}));
  }
  return absl::OkStatus();
}

// ArrayIndex parses an array index token; `allow_end` accepts "-" (one past the end) and size itself.
bool ArrayIndex(const std::string& token, size_t size, bool allow_end, size_t* index) {
  if (token == "-") {
    if (!allow_end) return false;
    *index = size;
    return true;
  }
  if (token.empty() || (token.size() > 1 && token[0] == '0')) return false;
  for (char c : token) {
    if (c < '0' || c > '9') return false;
  }
  uint64_t value;
  if (!absl::SimpleAtoi(token, &value)) return false;
  if (value > size || (value == size && !allow_end)) return false;
  *index = static_cast<size_t>(value);
  return true;
}

// Resolve returns the value at `pointer`, or null.
JsonValue* Resolve(JsonValue* doc, const Pointer& pointer) {
  JsonValue* value = doc;
  for (const std::string& token : pointer.tokens) {
    if (value->is_object()) {
      value = value->Find(token);
    } else if (value->is_array()) {
      size_t index;
      if (!ArrayIndex(token, value->array().size(), false, &index)) return nullptr;
      value = &value->array()[index];
    } else {
      return nullptr;
    }
    if (value == nullptr) return nullptr;
  }
  return value;
}

class Operation {
 public:
  Operation(size_t number, std::string op, std::string path)
      : number_(number), op_(std::move(op)), path_(std::move(path)) {}

  absl::Status Error(absl::StatusCode code, absl::string_view what) const {
    return absl::Status(code, absl::StrCat("json patch operation ", number_, " (", op_, "): ", what));
  }
  absl::Status Missing(const std::string& path) const {
    return Error(absl::StatusCode::kFailedPrecondition, absl::StrCat("path \"", path, "\" does not exist"));
  }

  // Add inserts `value` at `path` (RFC 6902 §4.1).
  absl::Status Add(JsonValue* doc, const Pointer& pointer, JsonValue value) const {
    if (pointer.tokens.empty()) {
      *doc = std::move(value);
      return absl::OkStatus();
    }
    Pointer parent_pointer{std::vector<std::string>(pointer.tokens.begin(), pointer.tokens.end() - 1)};
    JsonValue* parent = Resolve(doc, parent_pointer);
    const std::string& last = pointer.tokens.back();
    if (parent != nullptr && parent->is_object()) {
      parent->Set(last, std::move(value));
      return absl::OkStatus();
    }
    if (parent != nullptr && parent->is_array()) {
      size_t index;
      if (!ArrayIndex(last, parent->array().size(), true, &index)) {
        return Error(absl::StatusCode::kFailedPrecondition,
                     absl::StrCat("array index \"", last, "\" of path \"", path_, "\" is out of range"));
      }
      parent->array().insert(parent->array().begin() + index, std::move(value));
      return absl::OkStatus();
    }
    return Missing(path_);
  }

  // Remove takes the value at `pointer` out of the document and returns it.
  absl::StatusOr<JsonValue> Remove(JsonValue* doc, const Pointer& pointer, const std::string& path) const {
    if (pointer.tokens.empty()) {
      JsonValue removed = std::move(*doc);
      *doc = JsonValue();
      return removed;
    }
    Pointer parent_pointer{std::vector<std::string>(pointer.tokens.begin(), pointer.tokens.end() - 1)};
    JsonValue* parent = Resolve(doc, parent_pointer);
    const std::string& last = pointer.tokens.back();
    if (parent != nullptr && parent->is_object()) {
      JsonValue* value = parent->Find(last);
      if (value == nullptr) return Missing(path);
      JsonValue removed = std::move(*value);
      parent->Erase(last);
      return removed;
    }
    if (parent != nullptr && parent->is_array()) {
      size_t index;
      if (!ArrayIndex(last, parent->array().size(), false, &index)) return Missing(path);
      JsonValue removed = std::move(parent->array()[index]);
      parent->array().erase(parent->array().begin() + index);
      return removed;
    }
    return Missing(path);
  }

 private:
  const size_t number_;
  const std::string op_;
  const std::string path_;
};

absl::Status ApplyOne(JsonValue* doc, const JsonValue& operation, size_t number) {
  if (!operation.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("json patch operation ", number, " is not an object"));
  }
  const JsonValue* op_value = operation.Find("op");
  if (op_value == nullptr || !op_value->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("json patch operation ", number, ": missing \"op\""));
  }
  const std::string& op = op_value->string_value();
  const JsonValue* path_value = operation.Find("path");
  if (path_value == nullptr || !path_value->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("json patch operation ", number, " (", op, "): missing \"path\""));
  }
  const std::string& path = path_value->string_value();
  Operation o(number, op, path);
  Pointer pointer;
  if (absl::Status parsed = ParsePointer(path, &pointer); !parsed.ok()) {
    return o.Error(absl::StatusCode::kInvalidArgument, parsed.message());
  }
  auto value_of = [&](const JsonValue** value) -> absl::Status {
    *value = operation.Find("value");
    if (*value == nullptr) return o.Error(absl::StatusCode::kInvalidArgument, "missing \"value\"");
    return absl::OkStatus();
  };
  auto from_of = [&](std::string* from, Pointer* from_pointer) -> absl::Status {
    const JsonValue* from_value = operation.Find("from");
    if (from_value == nullptr || !from_value->is_string()) {
      return o.Error(absl::StatusCode::kInvalidArgument, "missing \"from\"");
    }
    *from = from_value->string_value();
    if (absl::Status parsed = ParsePointer(*from, from_pointer); !parsed.ok()) {
      return o.Error(absl::StatusCode::kInvalidArgument, parsed.message());
    }
    return absl::OkStatus();
  };

  if (op == "add") {
    const JsonValue* value;
    if (absl::Status s = value_of(&value); !s.ok()) return s;
    return o.Add(doc, pointer, *value);
  }
  if (op == "remove") {
    absl::StatusOr<JsonValue> removed = o.Remove(doc, pointer, path);
    return removed.status();
  }
  if (op == "replace") {
    const JsonValue* value;
    if (absl::Status s = value_of(&value); !s.ok()) return s;
    JsonValue* existing = Resolve(doc, pointer);
    if (existing == nullptr) return o.Missing(path);
    *existing = *value;
    return absl::OkStatus();
  }
  if (op == "test") {
    const JsonValue* value;
    if (absl::Status s = value_of(&value); !s.ok()) return s;
    JsonValue* existing = Resolve(doc, pointer);
    if (existing == nullptr) return o.Missing(path);
    if (*existing != *value) {
      return o.Error(absl::StatusCode::kFailedPrecondition,
                     absl::StrCat("test failed: the value at \"", path, "\" is not ", value->Serialize()));
    }
    return absl::OkStatus();
  }
  if (op == "move" || op == "copy") {
    std::string from;
    Pointer from_pointer;
    if (absl::Status s = from_of(&from, &from_pointer); !s.ok()) return s;
    if (op == "move") {
      const bool into_itself =
          pointer.tokens.size() > from_pointer.tokens.size() &&
          std::equal(from_pointer.tokens.begin(), from_pointer.tokens.end(), pointer.tokens.begin());
      if (into_itself) {
        return o.Error(absl::StatusCode::kFailedPrecondition,
                       absl::StrCat("cannot move \"", from, "\" into its own child \"", path, "\""));
      }
      absl::StatusOr<JsonValue> moved = o.Remove(doc, from_pointer, from);
      if (!moved.ok()) return moved.status();
      return o.Add(doc, pointer, *std::move(moved));
    }
    JsonValue* source = Resolve(doc, from_pointer);
    if (source == nullptr) return o.Missing(from);
    return o.Add(doc, pointer, *source);
  }
  return absl::InvalidArgumentError(absl::StrCat("json patch operation ", number, ": unknown op \"", op, "\""));
}

}  // namespace

void ApplyMergePatch(JsonValue* target, const JsonValue& patch) {
  if (!patch.is_object()) {
    *target = patch;
    return;
  }
  if (!target->is_object()) *target = JsonValue::MakeObject();
  MergeObject(target, patch);
}

absl::Status ApplyJsonPatch(JsonValue* target, const JsonValue& patch) {
  if (!patch.is_array()) return absl::InvalidArgumentError("json patch must be an array of operations");
  JsonValue doc = *target;  // all or nothing
  for (size_t i = 0; i < patch.array().size(); ++i) {
    if (absl::Status applied = ApplyOne(&doc, patch.array()[i], i); !applied.ok()) return applied;
  }
  *target = std::move(doc);
  return absl::OkStatus();
}

}  // namespace apiserve::http
