#ifndef APISERVE_HTTP_HEADER_MAP_H_
#define APISERVE_HTTP_HEADER_MAP_H_

// http::HeaderMap: an ordered multimap of header fields with case-insensitive names.
//
// Order is insertion order (it is the wire order for requests, and what a handler wrote for responses). Names keep
// the case they were given; HTTP/2 lowercases them on output. Not thread-safe: a map belongs to one request or
// response at a time. Removed fields keep their strings as spare slots that later Adds reuse, so a map that is
// cleared and refilled (a recycled request's headers) does not allocate again.

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace apiserve::http {

// HeaderNameEquals compares two header names case-insensitively (ASCII).
bool HeaderNameEquals(absl::string_view a, absl::string_view b);

struct HeaderField {
  std::string name;
  std::string value;
};

class HeaderMap {
 public:
  HeaderMap() = default;
  HeaderMap(const HeaderMap& other);
  HeaderMap& operator=(const HeaderMap& other);
  HeaderMap(HeaderMap&& other) noexcept;
  HeaderMap& operator=(HeaderMap&& other) noexcept;
  HeaderMap(std::initializer_list<std::pair<absl::string_view, absl::string_view>> fields);

  // Add appends a field, keeping any with the same name.
  void Add(absl::string_view name, absl::string_view value);
  // Set replaces every field named `name` with one field (at the position of the first, or at the end).
  void Set(absl::string_view name, absl::string_view value);
  // SetIfAbsent adds the field only if no field has that name. Returns whether it added.
  bool SetIfAbsent(absl::string_view name, absl::string_view value);
  // Remove deletes every field named `name`. Returns how many were removed.
  size_t Remove(absl::string_view name);
  // RemoveIf deletes every field for which `pred(field)` is true, keeping the others' order. `pred` is called once
  // per field, in order.
  template <typename Pred>
  size_t RemoveIf(Pred pred) {
    const size_t before = size_;
    EraseIf(live_begin(), pred);
    return before - size_;
  }

  // Get returns the value of the first field named `name`.
  std::optional<absl::string_view> Get(absl::string_view name) const;
  // GetAll returns the values of every field named `name`, in order.
  std::vector<absl::string_view> GetAll(absl::string_view name) const;
  bool Has(absl::string_view name) const { return Get(name).has_value(); }
  // Count returns how many fields are named `name`.
  size_t Count(absl::string_view name) const;

  // ByteSize is the sum of name and value lengths plus 32 per field (RFC 9113's accounting of header list size).
  size_t ByteSize() const;

  size_t size() const { return size_; }
  absl::Span<const HeaderField> fields() const { return absl::MakeConstSpan(fields_.data(), size_); }
  bool empty() const { return size_ == 0; }
  // clear removes every field; their strings stay as spare slots.
  void clear() { size_ = 0; }
  void reserve(size_t n) { fields_.reserve(n); }
  // ReleaseLargeSlots frees every spare slot when together they hold more than `max_bytes` or there are more than
  // kMaxKeptSlots, so a recycled map does not keep the memory of one unusual request.
  static constexpr size_t kMaxKeptSlots = 64;
  void ReleaseLargeSlots(size_t max_bytes);

  using const_iterator = const HeaderField*;
  const_iterator begin() const { return fields_.data(); }
  const_iterator end() const { return fields_.data() + size_; }

  friend bool operator==(const HeaderMap& a, const HeaderMap& b);

 private:
  HeaderField* live_begin() { return fields_.data(); }
  HeaderField* live_end() { return fields_.data() + size_; }
  // EraseIf removes the live fields in [first, live_end()) that match, keeping order. A stable partition rather
  // than remove_if, so the removed fields' strings survive as spare slots.
  template <typename Pred>
  void EraseIf(HeaderField* first, Pred pred) {
    HeaderField* kept_end = first;
    for (HeaderField* field = first; field != live_end(); ++field) {
      if (pred(static_cast<const HeaderField&>(*field))) continue;
      if (field != kept_end) std::swap(*field, *kept_end);
      ++kept_end;
    }
    size_ = static_cast<size_t>(kept_end - live_begin());
  }
  void EraseNamed(HeaderField* first, absl::string_view name) {
    EraseIf(first, [name](const HeaderField& field) { return HeaderNameEquals(field.name, name); });
  }

  std::vector<HeaderField> fields_;  // [0, size_) are the fields; the rest are spare slots
  size_t size_ = 0;
};

// HeaderValueHasToken reports whether a comma-separated header value (e.g. `Connection: keep-alive, Close`) contains
// `token`, case-insensitively, ignoring surrounding whitespace.
bool HeaderValueHasToken(absl::string_view value, absl::string_view token);

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_HEADER_MAP_H_
