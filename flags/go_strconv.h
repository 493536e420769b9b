#ifndef APISERVE_FLAGS_GO_STRCONV_H_
#define APISERVE_FLAGS_GO_STRCONV_H_

// Go's strconv and encoding/csv behaviour that kube's command line exposes to users, so that apiserve accepts the
// same flag values and prints the same errors and defaults as pflag does:
//
//   ParseGoInt("0x1F", 64)   -> 31          ParseGoInt("abc", 64) -> InvalidArgument
//       `strconv.ParseInt: parsing "abc": invalid syntax`
//   ParseGoBool("T")         -> true         FormatGoFloat(0.02) -> "0.02", FormatGoFloat(1e6) -> "1e+06"
//   GoQuote("a\"b")          -> "\"a\\\"b\""
//   ReadCsvRecord("a,\"b,c\"") -> {"a", "b,c"}
//
// All functions are pure and thread-safe. Errors are InvalidArgument with Go's exact text.
// Known approximations: GoQuote passes valid multi-byte UTF-8 through unchanged (Go escapes non-printable runes as
// \u....); CSV error columns are the 1-based byte offset of the offending quote.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/go_quote.h"

namespace apiserve::flags {

// GoQuote is base::GoQuote (strconv.Quote).
using ::apiserve::base::GoQuote;

// ParseGoBool parses `s` as strconv.ParseBool: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.
// Anything else is InvalidArgument `strconv.ParseBool: parsing "<s>": invalid syntax`.
absl::StatusOr<bool> ParseGoBool(absl::string_view s);

// ParseGoInt parses `s` as strconv.ParseInt(s, 0, bit_size): optional sign, base prefixes 0b, 0o, 0x and a bare
// leading 0 for octal, underscores between digits. `bit_size` is 1..64. Errors (InvalidArgument):
// `strconv.ParseInt: parsing "<s>": invalid syntax` and `strconv.ParseInt: parsing "<s>": value out of range`.
absl::StatusOr<int64_t> ParseGoInt(absl::string_view s, int bit_size);

// ParseGoFloat parses `s` as strconv.ParseFloat(s, 64): decimal or hexadecimal (with a p exponent) literals,
// underscores between digits, and inf/infinity/nan in any case. Errors (InvalidArgument):
// `strconv.ParseFloat: parsing "<s>": invalid syntax` and `... value out of range` (overflow to infinity).
absl::StatusOr<double> ParseGoFloat(absl::string_view s);

// FormatGoFloat formats `v` as strconv.FormatFloat(v, 'g', -1, 64): the shortest decimal that reads back as `v`,
// in exponent form when the decimal exponent is < -4 or >= 6: 0.02 -> "0.02", 1e6 -> "1e+06", 123456 -> "123456",
// 1e-5 -> "1e-05". Infinities are "+Inf" and "-Inf", NaN is "NaN".
std::string FormatGoFloat(double v);

// ReadCsvRecord splits `s` into fields as Go's csv.Reader reads one record (comma separated, fields may be
// double-quoted with "" for a quote). An empty `s` is an empty list, as pflag's readAsCSV. A quote inside an
// unquoted field or an unterminated quoted field is InvalidArgument, e.g.
// `parse error on line 1, column 2: bare " in non-quoted field`.
absl::StatusOr<std::vector<std::string>> ReadCsvRecord(absl::string_view s);

// WriteCsvRecord joins `fields` as Go's csv.Writer writes one record (without the newline): a field is quoted when
// it contains a comma, quote, CR or LF, starts with white space, or is `\.`.
std::string WriteCsvRecord(const std::vector<std::string>& fields);

}  // namespace apiserve::flags

#endif  // APISERVE_FLAGS_GO_STRCONV_H_
