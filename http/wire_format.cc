#include "http/wire_format.h"

#include <cstdint>
#include <string>

namespace apiserve::http {

absl::string_view HttpDate(absl::Time now) {
  thread_local int64_t cached_second = -1;
  thread_local std::string cached;
  const int64_t second = absl::ToUnixSeconds(now);
  if (second != cached_second) {
    cached = absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", now, absl::UTCTimeZone());
    cached_second = second;
  }
  return cached;
}

absl::string_view SniffContentType(absl::string_view body_prefix) {
  for (unsigned char c : body_prefix.substr(0, 512)) {
    const bool binary = c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1A) || (c >= 0x1C && c <= 0x1F);
    if (binary) return "application/octet-stream";
  }
  return "text/plain; charset=utf-8";
}

}  // namespace apiserve::http
