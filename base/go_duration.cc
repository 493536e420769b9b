#include "base/go_duration.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace apiserve::base {
namespace {

// AppendScaled appends value / 10^digits as Go's fmtFrac does: the integer part, then the fraction without trailing
// zeros (no '.' when it is zero).
void AppendScaled(uint64_t value, int digits, std::string* out) {
  uint64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  absl::StrAppend(out, value / scale);
  const uint64_t fraction = value % scale;
  if (fraction == 0) return;
  std::string text = absl::StrFormat("%0*d", digits, fraction);
  while (!text.empty() && text.back() == '0') text.pop_back();
  absl::StrAppend(out, ".", text);
}

absl::Status Invalid(absl::string_view text) {
  return absl::InvalidArgumentError(absl::StrCat("time: invalid duration \"", text, "\""));
}

}  // namespace

std::string FormatGoDuration(absl::Duration d) {
  const int64_t ns = absl::ToInt64Nanoseconds(d);
  if (ns == 0) return "0s";
  std::string out;
  const bool negative = ns < 0;
  const uint64_t u = negative ? uint64_t{0} - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  if (negative) out.push_back('-');
  if (u < 1'000'000'000) {
    if (u < 1'000) {
      absl::StrAppend(&out, u, "ns");
    } else if (u < 1'000'000) {
      AppendScaled(u, 3, &out);
      out += "\xc2\xb5s";  // µs
    } else {
      AppendScaled(u, 6, &out);
      out += "ms";
    }
    return out;
  }
  const uint64_t total_seconds = u / 1'000'000'000;
  const uint64_t hours = total_seconds / 3600;
  const uint64_t minutes = (total_seconds / 60) % 60;
  if (hours > 0) absl::StrAppend(&out, hours, "h");
  if (hours > 0 || minutes > 0) absl::StrAppend(&out, minutes, "m");
  AppendScaled((total_seconds % 60) * 1'000'000'000 + u % 1'000'000'000, 9, &out);
  out.push_back('s');
  return out;
}

absl::StatusOr<absl::Duration> ParseGoDuration(absl::string_view text) {
  absl::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return absl::ZeroDuration();
  if (s.empty()) return Invalid(text);
  absl::Duration total;
  while (!s.empty()) {
    // The number: digits, optionally '.' and more digits; at least one digit overall.
    uint64_t whole = 0;
    size_t i = 0;
    bool any_digit = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (whole > (UINT64_MAX - 9) / 10) return Invalid(text);
      whole = whole * 10 + static_cast<uint64_t>(s[i] - '0');
      ++i;
      any_digit = true;
    }
    double fraction = 0;
    if (i < s.size() && s[i] == '.') {
      ++i;
      double scale = 0.1;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        fraction += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
        any_digit = true;
      }
    }
    if (!any_digit) return Invalid(text);
    s.remove_prefix(i);
    size_t unit_end = 0;
    while (unit_end < s.size() && s[unit_end] != '.' && (s[unit_end] < '0' || s[unit_end] > '9')) ++unit_end;
    const absl::string_view unit = s.substr(0, unit_end);
    if (unit.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("time: missing unit in duration \"", text, "\""));
    }
    absl::Duration scale;
    if (unit == "ns") {
      scale = absl::Nanoseconds(1);
    } else if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs") {
      scale = absl::Microseconds(1);
    } else if (unit == "ms") {
      scale = absl::Milliseconds(1);
    } else if (unit == "s") {
      scale = absl::Seconds(1);
    } else if (unit == "m") {
      scale = absl::Minutes(1);
    } else if (unit == "h") {
      scale = absl::Hours(1);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("time: unknown unit \"", unit, "\" in duration \"", text, "\""));
    }
    total += scale * static_cast<int64_t>(whole) + absl::Trunc(scale * fraction, absl::Nanoseconds(1));
    if (total > absl::Nanoseconds(INT64_MAX)) return Invalid(text);
    s.remove_prefix(unit_end);
  }
  return negative ? -total : total;
}

}  // namespace apiserve::base
