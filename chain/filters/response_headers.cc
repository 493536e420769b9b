#include "chain/filters/response_headers.h"

#include <cstdint>
#include <random>

#include "absl/strings/str_join.h"

namespace apiserve::chain {
namespace {

// UuidBits is a per-thread xoshiro256** generator (Blackman and Vigna): 32 bytes of state, seeded with 256 bits from
// std::random_device, where std::mt19937_64 kept 2.5 KB (a cache footprint on every request's Audit-Id) and took a
// 32-bit seed (2^32 possible sequences across processes). Like it, not a cryptographic generator: Audit-Id needs
// unique values, not secret ones.
class UuidBits {
 public:
  UuidBits() {
    std::random_device device;
    for (uint64_t& word : state_) word = (uint64_t{device()} << 32) | device();
    if ((state_[0] | state_[1] | state_[2] | state_[3]) == 0) state_[0] = 1;  // the one state that stays zero
  }

  uint64_t Next() {
    const uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
    const uint64_t shifted = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= shifted;
    state_[3] = RotateLeft(state_[3], 45);
    return result;
  }

 private:
  static uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

}  // namespace

void WriteNewUuid(char (&out)[kUuidLength]) {
  thread_local UuidBits random;
  uint64_t high = random.Next();
  uint64_t low = random.Next();
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
