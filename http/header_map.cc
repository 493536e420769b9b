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

HeaderMap::HeaderMap(const HeaderMap& other) : fields_(other.begin(), other.end()), size_(other.size_) {}

HeaderMap& HeaderMap::operator=(const HeaderMap& other) {
  if (this != &other) {
    clear();
    for (const HeaderField& field : other) Add(field.name, field.value);
  }
  return *this;
}

HeaderMap::HeaderMap(HeaderMap&& other) noexcept : fields_(std::move(other.fields_)), size_(other.size_) {
  other.fields_.clear();
  other.size_ = 0;
}

HeaderMap& HeaderMap::operator=(HeaderMap&& other) noexcept {
  if (this != &other) {
    fields_ = std::move(other.fields_);
    size_ = other.size_;
    other.fields_.clear();
    other.size_ = 0;
  }
  return *this;
}

void HeaderMap::Add(absl::string_view name, absl::string_view value) {
  if (size_ < fields_.size()) {
    HeaderField& slot = fields_[size_];
    slot.name.assign(name.data(), name.size());
    slot.value.assign(value.data(), value.size());
  } else {
    fields_.push_back(HeaderField{std::string(name), std::string(value)});
  }
  ++size_;
}

void HeaderMap::Set(absl::string_view name, absl::string_view value) {
  HeaderField* first =
      std::find_if(live_begin(), live_end(), [&](const HeaderField& f) { return HeaderNameEquals(f.name, name); });
  if (first == live_end()) {
    Add(name, value);
    return;
  }
  first->value.assign(value.data(), value.size());
  EraseNamed(first + 1, name);
}

void HeaderMap::ReleaseLargeSlots(size_t max_bytes) {
  size_t spare_bytes = 0;
  for (size_t i = size_; i < fields_.size(); ++i) {
    spare_bytes += fields_[i].name.capacity() + fields_[i].value.capacity();
  }
  if (fields_.size() - size_ > kMaxKeptSlots || spare_bytes > max_bytes) {
    fields_.resize(size_);
    fields_.shrink_to_fit();
  }
}

bool HeaderMap::SetIfAbsent(absl::string_view name, absl::string_view value) {
  if (Has(name)) return false;
  Add(name, value);
  return true;
}

size_t HeaderMap::Remove(absl::string_view name) {
  const size_t before = size_;
  EraseNamed(live_begin(), name);
  return before - size_;
}

std::optional<absl::string_view> HeaderMap::Get(absl::string_view name) const {
  for (const HeaderField& field : *this) {
    if (HeaderNameEquals(field.name, name)) return absl::string_view(field.value);
  }
  return std::nullopt;
}

std::vector<absl::string_view> HeaderMap::GetAll(absl::string_view name) const {
  std::vector<absl::string_view> values;
  for (const HeaderField& field : *this) {
    if (HeaderNameEquals(field.name, name)) values.push_back(field.value);
  }
  return values;
}

size_t HeaderMap::Count(absl::string_view name) const {
  return static_cast<size_t>(
      std::count_if(begin(), end(), [&](const HeaderField& f) { return HeaderNameEquals(f.name, name); }));
}

size_t HeaderMap::ByteSize() const {
  size_t total = 0;
  for (const HeaderField& field : *this) total += field.name.size() + field.value.size() + 32;
  return total;
}

bool operator==(const HeaderMap& a, const HeaderMap& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const HeaderField& x, const HeaderField& y) {
    return HeaderNameEquals(x.name, y.name) && x.value == y.value;
  });
}

}  // namespace apiserve::http
