#include "flags/go_strconv.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/go_quote.h"

namespace apiserve::flags {

using ::apiserve::base::GoQuote;
namespace {

absl::Status NumError(absl::string_view func, absl::string_view input, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("strconv.", func, ": parsing ", GoQuote(input), ": ", reason));
}

// Reports whether the underscores in `s` (a number literal, optionally signed and base-prefixed) each sit between
// two digits or between a base prefix and a digit, as Go's literal syntax requires.
bool UnderscoresOk(absl::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  bool hex = false;
  // 'd': last saw a digit or a base prefix; '_': an underscore; 'o': anything else (including the start).
  char previous = 'o';
  size_t i = 0;
  if (s.size() >= 2 && s[0] == '0') {
    const char p = absl::ascii_tolower(static_cast<unsigned char>(s[1]));
    if (p == 'b' || p == 'o' || p == 'x') {
      hex = p == 'x';
      previous = 'd';
      i = 2;
    }
  }
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (absl::ascii_isdigit(c) || (hex && absl::ascii_isxdigit(c))) {
      previous = 'd';
    } else if (c == '_') {
      if (previous != 'd') return false;
      previous = '_';
    } else {
      if (previous == '_') return false;
      previous = 'o';
    }
  }
  return previous != '_';
}

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// Checks `s` against Go's floating-point literal grammar (after the sign); special values are handled elsewhere.
bool IsFloatLiteral(absl::string_view s) {
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    hex = true;
    s.remove_prefix(2);
  }
  size_t i = 0;
  int mantissa_digits = 0;
  bool seen_dot = false;
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '_') continue;
    if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else if (hex ? absl::ascii_isxdigit(c) : absl::ascii_isdigit(c)) {
      ++mantissa_digits;
    } else {
      break;
    }
  }
  if (mantissa_digits == 0) return false;
  if (i == s.size()) return !hex;  // A hexadecimal mantissa requires a p exponent.
  const char e = absl::ascii_tolower(static_cast<unsigned char>(s[i]));
  if (e != (hex ? 'p' : 'e')) return false;
  ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  int exponent_digits = 0;
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '_') continue;
    if (!absl::ascii_isdigit(c)) return false;
    ++exponent_digits;
  }
  return exponent_digits > 0;
}

}  // namespace

absl::StatusOr<bool> ParseGoBool(absl::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") return false;
  return NumError("ParseBool", s, "invalid syntax");
}

absl::StatusOr<int64_t> ParseGoInt(absl::string_view s, int bit_size) {
  const absl::string_view original = s;
  auto syntax_error = [&] { return NumError("ParseInt", original, "invalid syntax"); };
  auto range_error = [&] { return NumError("ParseInt", original, "value out of range"); };
  if (s.empty()) return syntax_error();
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return syntax_error();
  int base = 10;
  if (s[0] == '0') {
    const char p = s.size() >= 3 ? absl::ascii_tolower(static_cast<unsigned char>(s[1])) : '\0';
    if (p == 'b' || p == 'o' || p == 'x') {
      base = p == 'b' ? 2 : p == 'o' ? 8 : 16;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  // Magnitudes are accumulated in uint64; the signed limit is checked at the end.
  const uint64_t limit = uint64_t{1} << (bit_size - 1);
  uint64_t n = 0;
  bool underscores = false;
  for (const char c : s) {
    if (c == '_') {
      underscores = true;
      continue;
    }
    const int d = DigitValue(c);
    if (d >= base) return syntax_error();
    if (n > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) {
      return range_error();
    }
    n = n * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  if (underscores && !UnderscoresOk(original)) return syntax_error();
  if (negative ? n > limit : n >= limit) return range_error();
  if (negative) return static_cast<int64_t>(0 - n);
  return static_cast<int64_t>(n);
}

absl::StatusOr<double> ParseGoFloat(absl::string_view s) {
  absl::string_view body = s;
  bool negative = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (absl::EqualsIgnoreCase(body, "inf") || absl::EqualsIgnoreCase(body, "infinity")) {
    return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  if (absl::EqualsIgnoreCase(s, "nan")) return std::numeric_limits<double>::quiet_NaN();
  if (!IsFloatLiteral(body) || (absl::StrContains(body, '_') && !UnderscoresOk(s))) {
    return NumError("ParseFloat", s, "invalid syntax");
  }
  std::string cleaned;
  for (const char c : s) {
    if (c != '_') cleaned += c;
  }
  errno = 0;
  const double v = std::strtod(cleaned.c_str(), nullptr);
  if (errno == ERANGE && std::isinf(v)) return NumError("ParseFloat", s, "value out of range");
  return v;
}

std::string FormatGoFloat(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  // The shortest precision that reads back exactly; %e gives "d.ddde[+-]XX".
  std::string e;
  for (int precision = 1; precision <= 17; ++precision) {
    e = absl::StrFormat("%.*e", precision - 1, v);
    if (std::strtod(e.c_str(), nullptr) == v) break;
  }
  std::string digits;
  const size_t e_pos = e.find('e');
  for (size_t i = 0; i < e_pos; ++i) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(e[i]))) digits += e[i];
  }
  const int exponent = std::atoi(e.c_str() + e_pos + 1);
  const std::string sign = v < 0 ? "-" : "";
  if (exponent < -4 || exponent >= 6) {
    std::string mantissa = digits.substr(0, 1);
    if (digits.size() > 1) absl::StrAppend(&mantissa, ".", digits.substr(1));
    return absl::StrFormat("%s%se%c%02d", sign, mantissa, exponent < 0 ? '-' : '+', std::abs(exponent));
  }
  if (exponent < 0) return absl::StrCat(sign, "0.", std::string(static_cast<size_t>(-exponent - 1), '0'), digits);
  const size_t integer_digits = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= integer_digits)
    return absl::StrCat(sign, digits, std::string(integer_digits - digits.size(), '0'));
  return absl::StrCat(sign, digits.substr(0, integer_digits), ".", digits.substr(integer_digits));
}

absl::StatusOr<std::vector<std::string>> ReadCsvRecord(absl::string_view s) {
  std::vector<std::string> fields;
  if (s.empty()) return fields;
  auto parse_error = [](size_t column, absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("parse error on line 1, column ", column, ": ", what));
  };
  constexpr absl::string_view kBareQuote = "bare \" in non-quoted field";
  constexpr absl::string_view kBadQuote = "extraneous or missing \" in quoted-field";
  size_t i = 0;
  while (true) {
    std::string field;
    if (i < s.size() && s[i] == '"') {
      ++i;
      while (true) {
        if (i >= s.size()) return parse_error(s.size() + 1, kBadQuote);
        if (s[i] != '"') {
          field += s[i++];
          continue;
        }
        if (i + 1 < s.size() && s[i + 1] == '"') {
          field += '"';
          i += 2;
          continue;
        }
        ++i;  // The closing quote: a comma, a line end or the end of input must follow.
        if (i < s.size() && s[i] != ',' && s[i] != '\n' && s[i] != '\r') return parse_error(i + 1, kBadQuote);
        break;
      }
    } else {
      while (i < s.size() && s[i] != ',' && s[i] != '\n') {
        if (s[i] == '"') return parse_error(i + 1, kBareQuote);
        field += s[i++];
      }
      if (i < s.size() && s[i] == '\n' && !field.empty() && field.back() == '\r') field.pop_back();
    }
    fields.push_back(std::move(field));
    if (i < s.size() && s[i] == ',') {
      ++i;
      continue;
    }
    return fields;  // End of input or of the first line: Go's reader returns one record.
  }
}

std::string WriteCsvRecord(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t f = 0; f < fields.size(); ++f) {
    if (f > 0) out += ',';
    const std::string& field = fields[f];
    bool quote = field == "\\.";
    if (!field.empty()) {
      const auto first = static_cast<unsigned char>(field[0]);
      quote = quote || absl::ascii_isspace(first) || field.find_first_of(",\"\r\n") != std::string::npos ||
              absl::StartsWith(field, "\xc2\x85") || absl::StartsWith(field, "\xc2\xa0");
    }
    if (!quote) {
      out += field;
      continue;
    }
    out += '"';
    for (const char c : field) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out;
}

}  // namespace apiserve::flags
