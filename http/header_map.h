#ifndef APISERVE_HTTP_HEADER_MAP_H_
#define APISERVE_HTTP_HEADER_MAP_H_

// http::HeaderMap: an ordered multimap of header fields with case-insensitive names.
//
// Order is insertion order (it is the wire order for requests, and what a handler wrote for responses). Names keep
// the case they were given; HTTP/2 lowercases them on output. Not thread-safe: a map belongs to one request or
// response at a time.

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace apiserve::http {

struct HeaderField {
  std::string name;
  std::string value;
};

class HeaderMap {
 public:
  HeaderMap() = default;
  HeaderMap(std::initializer_list<std::pair<absl::string_view, absl::string_view>> fields);

  // Add appends a field, keeping any with the same name.
  void Add(absl::string_view name, absl::string_view value);
  // Set replaces every field named `name` with one field (at the position of the first, or at the end).
  void Set(absl::string_view name, absl::string_view value);
  // SetIfAbsent adds the field only if no field has that name. Returns whether it added.
  bool SetIfAbsent(absl::string_view name, absl::string_view value);
  // Remove deletes every field named `name`. Returns how many were removed.
  size_t Remove(absl::string_view name);

  // Get returns the value of the first field named `name`.
  std::optional<absl::string_view> Get(absl::string_view name) const;
  // GetAll returns the values of every field named `name`, in order.
  std::vector<absl::string_view> GetAll(absl::string_view name) const;
  bool Has(absl::string_view name) const { return Get(name).has_value(); }
  // Count returns how many fields are named `name`.
  size_t Count(absl::string_view name) const;

  // ByteSize is the sum of name and value lengths plus 32 per field (RFC 9113's accounting of header list size).
  size_t ByteSize() const;

  size_t size() const { return fields_.size(); }
  absl::Span<const HeaderField> fields() const { return fields_; }
  bool empty() const { return fields_.empty(); }
  void clear() { fields_.clear(); }
  void reserve(size_t n) { fields_.reserve(n); }

  using const_iterator = std::vector<HeaderField>::const_iterator;
  const_iterator begin() const { return fields_.begin(); }
  const_iterator end() const { return fields_.end(); }

  friend bool operator==(const HeaderMap& a, const HeaderMap& b);

 private:
  std::vector<HeaderField> fields_;
};

// HeaderNameEquals compares two header names case-insensitively (ASCII).
bool HeaderNameEquals(absl::string_view a, absl::string_view b);

// HeaderValueHasToken reports whether a comma-separated header value (e.g. `Connection: keep-alive, Close`) contains
// `token`, case-insensitively, ignoring surrounding whitespace.
bool HeaderValueHasToken(absl::string_view value, absl::string_view token);

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_HEADER_MAP_H_
