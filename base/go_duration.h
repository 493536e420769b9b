#ifndef APISERVE_BASE_GO_DURATION_H_
#define APISERVE_BASE_GO_DURATION_H_

// Go's time.ParseDuration and time.Duration.String(), so duration flags read and print as kube's do:
//
//   ParseGoDuration("1h2m3.5s") -> absl::Hours(1) + absl::Minutes(2) + absl::Milliseconds(3500)
//   FormatGoDuration(absl::Minutes(1)) -> "1m0s"     FormatGoDuration(absl::Milliseconds(500)) -> "500ms"
//
// Durations are whole nanoseconds within int64, as Go's. Pure and thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace apiserve::base {

// ParseGoDuration parses `s` as time.ParseDuration: an optional sign and a sequence of decimal numbers, each with
// an optional fraction and a unit (ns, us, µs, μs, ms, s, m, h), e.g. "300ms", "-1.5h", "2h45m"; "0" needs no unit.
// Errors (InvalidArgument, Go's text): `time: invalid duration "<s>"` (also on int64 overflow),
// `time: missing unit in duration "<s>"`, `time: unknown unit "<u>" in duration "<s>"`.
absl::StatusOr<absl::Duration> ParseGoDuration(absl::string_view s);

// FormatGoDuration formats `d` as time.Duration.String(): "72h3m0.5s", "1m0s", "1.5s", "500ms", "1.2µs", "3ns",
// "0s". `d` is truncated toward zero to whole nanoseconds and saturates at the int64 nanosecond range.
std::string FormatGoDuration(absl::Duration d);

}  // namespace apiserve::base

#endif  // APISERVE_BASE_GO_DURATION_H_
