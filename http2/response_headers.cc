#include "http2/response_headers.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "http/wire_format.h"

namespace apiserve::http2 {
namespace {

// RFC 9113 §8.2.2: fields that are connection-specific in HTTP/1.1 and malformed in HTTP/2.
bool IsConnectionSpecific(absl::string_view name) {
  switch (name.size()) {
    case 2:
      return absl::EqualsIgnoreCase(name, "te");
    case 7:
      return absl::EqualsIgnoreCase(name, "upgrade");
    case 10:
      return absl::EqualsIgnoreCase(name, "connection") || absl::EqualsIgnoreCase(name, "keep-alive");
    case 16:
      return absl::EqualsIgnoreCase(name, "proxy-connection");
    case 17:
      return absl::EqualsIgnoreCase(name, "transfer-encoding");
    default:
      return false;
  }
}

bool ValidName(absl::string_view name) {
  if (name.empty() || name[0] == ':') return false;
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == ':') return false;
  }
  return true;
}

bool ValidValue(absl::string_view value) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

// Fields whose value differs in every response: HPACK-indexing them only churns the connection's dynamic table
// (each insert evicts fields that do repeat, such as content-type), so they go out as literals without indexing.
bool IsUniquePerResponse(absl::string_view lowered_name) { return lowered_name == "audit-id"; }

}  // namespace

absl::string_view ResponseHeaderBlock::Store(absl::string_view text) {
  const size_t offset = storage_.size();
  storage_.append(text.data(), text.size());
  return absl::string_view(storage_.data() + offset, text.size());
}

void ResponseHeaderBlock::Push(absl::string_view name, absl::string_view value, uint8_t flags) {
  nghttp2_nv nv;
  nv.name = reinterpret_cast<uint8_t*>(const_cast<char*>(name.data()));
  nv.namelen = name.size();
  nv.value = reinterpret_cast<uint8_t*>(const_cast<char*>(value.data()));
  nv.valuelen = value.size();
  nv.flags = flags;
  nv_.push_back(nv);
}

bool ResponseHeaderBlock::AddFields(absl::Span<const http::HeaderField> headers, bool drop_content_length,
                                    bool* has_content_type, bool* has_date) {
  bool close = false;
  for (const http::HeaderField& field : headers) {
    const absl::string_view name = field.name;
    if (IsConnectionSpecific(name)) {
      if (name.size() == 10 && absl::EqualsIgnoreCase(name, "connection") &&
          http::HeaderValueHasToken(field.value, "close")) {
        close = true;
      }
      continue;
    }
    if (!ValidName(name) || !ValidValue(field.value)) continue;
    if (drop_content_length && absl::EqualsIgnoreCase(name, "content-length")) continue;
    if (absl::EqualsIgnoreCase(name, "content-type")) *has_content_type = true;
    if (absl::EqualsIgnoreCase(name, "date")) *has_date = true;
    // Lowercase the name into storage; values are referenced where they are (nghttp2 copies them on submit).
    const size_t offset = storage_.size();
    storage_.append(name.data(), name.size());
    char* lowered = &storage_[offset];
    for (size_t i = 0; i < name.size(); ++i) lowered[i] = absl::ascii_tolower(static_cast<unsigned char>(lowered[i]));
    const absl::string_view lowered_name(lowered, name.size());
    Push(lowered_name, field.value,
         IsUniquePerResponse(lowered_name) ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE);
  }
  return close;
}

bool ResponseHeaderBlock::Build(int status, const http::HeaderMap& headers, const Extras& extras) {
  nv_.clear();
  storage_.clear();
  size_t needed = 64;  // status, content-length digits, date
  for (const http::HeaderField& field : headers) needed += field.name.size();
  for (const http::HeaderField& field : extras.more_headers) needed += field.name.size();
  storage_.reserve(needed);  // every view handed to nghttp2 points into it: no reallocation below
  nv_.reserve(headers.size() + extras.more_headers.size() + 4);

  char digits[16];
  const int clamped = status < 100 || status > 999 ? 500 : status;
  char* end = absl::numbers_internal::FastIntToBuffer(clamped, digits);
  Push(":status", Store(absl::string_view(digits, static_cast<size_t>(end - digits))));

  bool has_content_type = false;
  bool has_date = false;
  bool close = AddFields(headers.fields(), extras.content_length.has_value(), &has_content_type, &has_date);
  if (AddFields(extras.more_headers, extras.content_length.has_value(), &has_content_type, &has_date)) close = true;
  if (!has_content_type && !extras.sniff_body_prefix.empty()) {
    Push("content-type", SniffContentType(extras.sniff_body_prefix));
  }
  if (extras.content_length.has_value()) {
    end = absl::numbers_internal::FastIntToBuffer(static_cast<uint64_t>(*extras.content_length), digits);
    Push("content-length", Store(absl::string_view(digits, static_cast<size_t>(end - digits))));
  }
  if (!has_date) Push("date", Store(HttpDate(extras.now)));
  return close;
}

void ResponseHeaderBlock::BuildTrailers(const http::HeaderMap& trailers) {
  nv_.clear();
  storage_.clear();
  size_t needed = 0;
  for (const http::HeaderField& field : trailers) needed += field.name.size();
  storage_.reserve(needed);
  bool unused_type = false;
  bool unused_date = false;
  AddFields(trailers.fields(), /*drop_content_length=*/false, &unused_type, &unused_date);
}

}  // namespace apiserve::http2
