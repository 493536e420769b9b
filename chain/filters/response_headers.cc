#include "chain/filters/response_headers.h"

#include <cstdint>
#include <random>

#include "absl/strings/str_join.h"

namespace apiserve::chain {

void WriteNewUuid(char (&out)[kUuidLength]) {
  thread_local std::mt19937_64 random(std::random_device{}());
  uint64_t high = random();
  uint64_t low = random();
  high = (high & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  low = (low & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;    // RFC 4122 variant
  // 8-4-4-4-12 lowercase hex digits.
  static constexpr char kHex[] = "0123456789abcdef";
  size_t at = 0;
  auto put = [&](uint64_t bits, int digits) {
    for (int i = digits - 1; i >= 0; --i) out[at++] = kHex[(bits >> (4 * i)) & 0xF];
  };
  auto dash = [&] { out[at++] = '-'; };
  put(high >> 32, 8);
  dash();
  put(high >> 16, 4);
  dash();
  put(high, 4);
  dash();
  put(low >> 48, 4);
  dash();
  put(low, 12);
}

std::string NewUuid() {
  char uuid[kUuidLength];
  WriteNewUuid(uuid);
  return std::string(uuid, kUuidLength);
}

http::HandlerPtr WithAuditId(http::HandlerPtr next) {
  return http::HandlerFunc([next = std::move(next)](http::RequestPtr&& request, http::ResponseWriter&& writer) {
    const std::optional<absl::string_view> audit_id = request->headers.Get("Audit-ID");
    if (audit_id.has_value() && !audit_id->empty()) {
      writer.AddResponseHeader("Audit-Id", *audit_id);
    } else {
      char uuid[kUuidLength];
      WriteNewUuid(uuid);
      writer.AddResponseHeader("Audit-Id", absl::string_view(uuid, kUuidLength));
    }
    next->Serve(std::move(request), std::move(writer));
  });
}

http::HandlerPtr WithResponseHeaders(http::HandlerPtr next, std::vector<std::string> hsts_directives) {
  std::string hsts = absl::StrJoin(hsts_directives, "; ");
  return http::HandlerFunc(
      [next = std::move(next), hsts = std::move(hsts)](http::RequestPtr&& request, http::ResponseWriter&& writer) {
        writer.AddResponseHeader("Cache-Control", "no-cache, private", /*only_if_absent=*/true);
        if (!hsts.empty()) writer.AddResponseHeader("Strict-Transport-Security", hsts);
        next->Serve(std::move(request), std::move(writer));
      });
}

}  // namespace apiserve::chain
