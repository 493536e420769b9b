#include "base/go_duration.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/go_quote.h"

namespace apiserve::base {
namespace {

constexpr uint64_t kMaxMagnitude = uint64_t{1} << 63;  // |INT64_MIN|

// Nanoseconds per unit, or 0 for an unknown unit.
uint64_t UnitNanoseconds(absl::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs") return 1000;  // µs: micro sign, Greek mu
  if (unit == "ms") return 1000 * 1000;
  if (unit == "s") return 1000 * 1000 * 1000;
  if (unit == "m") return uint64_t{60} * 1000 * 1000 * 1000;
  if (unit == "h") return uint64_t{3600} * 1000 * 1000 * 1000;
  return 0;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Writes the decimal fraction of v / 10^precision into the front of `out`, without trailing zeros and without the
// point when the fraction is zero; returns v / 10^precision.
uint64_t PrependFraction(std::string* out, uint64_t v, int precision) {
  std::string fraction;
  bool significant = false;
  for (int i = 0; i < precision; ++i) {
    const char digit = static_cast<char>('0' + v % 10);
    significant = significant || digit != '0';
    if (significant) fraction.insert(fraction.begin(), digit);
    v /= 10;
  }
  if (significant) out->insert(0, "." + fraction);
  return v;
}

}  // namespace

absl::StatusOr<absl::Duration> ParseGoDuration(absl::string_view s) {
  const absl::string_view original = s;
  auto invalid = [&] { return absl::InvalidArgumentError(absl::StrCat("time: invalid duration ", GoQuote(original))); };
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return absl::ZeroDuration();
  if (s.empty()) return invalid();
  uint64_t total = 0;
  while (!s.empty()) {
    if (s[0] != '.' && !IsDigit(s[0])) return invalid();
    // The integer part; overflow is an error.
    uint64_t whole = 0;
    size_t i = 0;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      if (whole > (kMaxMagnitude - 1) / 10) return invalid();
      whole = whole * 10 + static_cast<uint64_t>(s[i] - '0');
      if (whole > kMaxMagnitude) return invalid();
    }
    const bool has_whole = i > 0;
    s.remove_prefix(i);
    // The fraction; digits beyond what fits are ignored.
    uint64_t fraction = 0;
    double scale = 1;
    bool has_fraction = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      bool overflow = false;
      for (i = 0; i < s.size() && IsDigit(s[i]); ++i) {
        if (overflow) continue;
        if (fraction > (kMaxMagnitude - 1) / 10) {
          overflow = true;
          continue;
        }
        const uint64_t next = fraction * 10 + static_cast<uint64_t>(s[i] - '0');
        if (next > kMaxMagnitude) {
          overflow = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      has_fraction = i > 0;
      s.remove_prefix(i);
    }
    if (!has_whole && !has_fraction) return invalid();  // "." or ".s"
    // The unit runs up to the next number.
    for (i = 0; i < s.size() && s[i] != '.' && !IsDigit(s[i]); ++i) {
    }
    if (i == 0) return absl::InvalidArgumentError(absl::StrCat("time: missing unit in duration ", GoQuote(original)));
    const absl::string_view unit_name = s.substr(0, i);
    s.remove_prefix(i);
    const uint64_t unit = UnitNanoseconds(unit_name);
    if (unit == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("time: unknown unit ", GoQuote(unit_name), " in duration ", GoQuote(original)));
    }
    if (whole > kMaxMagnitude / unit) return invalid();
    uint64_t value = whole * unit;
    if (fraction > 0) {
      value += static_cast<uint64_t>(static_cast<double>(fraction) * (static_cast<double>(unit) / scale));
      if (value > kMaxMagnitude) return invalid();
    }
    total += value;
    if (total > kMaxMagnitude) return invalid();
  }
  if (negative) {
    return absl::Nanoseconds(total == kMaxMagnitude ? INT64_MIN : -static_cast<int64_t>(total));
  }
  if (total > kMaxMagnitude - 1) return invalid();
  return absl::Nanoseconds(static_cast<int64_t>(total));
}

std::string FormatGoDuration(absl::Duration d) {
  const int64_t ns = absl::ToInt64Nanoseconds(d);
  const bool negative = ns < 0;
  uint64_t u = negative ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  std::string out;
  if (u < 1000 * 1000 * 1000) {
    // Under a second: one unit, the largest that keeps an integer part.
    if (u == 0) return "0s";
    int precision = 0;
    if (u < 1000) {
      out = "ns";
    } else if (u < 1000 * 1000) {
      precision = 3;
      out = "\xc2\xb5s";  // µs, U+00B5 as Go prints it
    } else {
      precision = 6;
      out = "ms";
    }
    u = PrependFraction(&out, u, precision);
    out.insert(0, std::to_string(u));
  } else {
    out = "s";
    u = PrependFraction(&out, u, 9);
    out.insert(0, std::to_string(u % 60));
    u /= 60;
    if (u > 0) {
      out.insert(0, std::to_string(u % 60) + "m");
      u /= 60;
      if (u > 0) out.insert(0, std::to_string(u) + "h");
    }
  }
  if (negative) out.insert(0, "-");
  return out;
}

}  // namespace apiserve::base
