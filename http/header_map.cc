#include "http/header_map.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace apiserve::http {

bool HeaderNameEquals(absl::string_view a, absl::string_view b) { return absl::EqualsIgnoreCase(a, b); }

bool HeaderValueHasToken(absl::string_view value, absl::string_view token) {
  for (absl::string_view part : absl::StrSplit(value, ',')) {
    if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(part), token)) return true;
  }
  return false;
}

HeaderMap::HeaderMap(std::initializer_list<std::pair<absl::string_view, absl::string_view>> fields) {
  fields_.reserve(fields.size());
  for (const auto& [name, value] : fields) Add(name, value);
}

void HeaderMap::Add(absl::string_view name, absl::string_view value) {
  fields_.push_back(HeaderField{std::string(name), std::string(value)});
}

void HeaderMap::Set(absl::string_view name, absl::string_view value) {
  auto first = std::find_if(fields_.begin(), fields_.end(),
                            [&](const HeaderField& f) { return HeaderNameEquals(f.name, name); });
  if (first == fields_.end()) {
    Add(name, value);
    return;
  }
  first->value.assign(value.data(), value.size());
  fields_.erase(
      std::remove_if(first + 1, fields_.end(), [&](const HeaderField& f) { return HeaderNameEquals(f.name, name); }),
      fields_.end());
}

bool HeaderMap::SetIfAbsent(absl::string_view name, absl::string_view value) {
  if (Has(name)) return false;
  Add(name, value);
  return true;
}

size_t HeaderMap::Remove(absl::string_view name) {
  const size_t before = fields_.size();
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const HeaderField& f) { return HeaderNameEquals(f.name, name); }),
                fields_.end());
  return before - fields_.size();
}

std::optional<absl::string_view> HeaderMap::Get(absl::string_view name) const {
  for (const HeaderField& field : fields_) {
    if (HeaderNameEquals(field.name, name)) return absl::string_view(field.value);
  }
  return std::nullopt;
}

std::vector<absl::string_view> HeaderMap::GetAll(absl::string_view name) const {
  std::vector<absl::string_view> values;
  for (const HeaderField& field : fields_) {
    if (HeaderNameEquals(field.name, name)) values.push_back(field.value);
  }
  return values;
}

size_t HeaderMap::Count(absl::string_view name) const {
  return static_cast<size_t>(std::count_if(fields_.begin(), fields_.end(),
                                           [&](const HeaderField& f) { return HeaderNameEquals(f.name, name); }));
}

size_t HeaderMap::ByteSize() const {
  size_t total = 0;
  for (const HeaderField& field : fields_) total += field.name.size() + field.value.size() + 32;
  return total;
}

bool operator==(const HeaderMap& a, const HeaderMap& b) {
  return std::equal(a.fields_.begin(), a.fields_.end(), b.fields_.begin(), b.fields_.end(),
                    [](const HeaderField& x, const HeaderField& y) {
                      return HeaderNameEquals(x.name, y.name) && x.value == y.value;
                    });
}

}  // namespace apiserve::http
