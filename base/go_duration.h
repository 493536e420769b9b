#ifndef APISERVE_BASE_GO_DURATION_H_
#define APISERVE_BASE_GO_DURATION_H_

// Go's time.Duration text format, which kube prints in flags, help text and messages ("1m0s", "500ms", "1.5s").
//
//   FormatGoDuration(absl::Minutes(1))   == "1m0s"
//   ParseGoDuration("1h2m3.5s")          == absl::Hours(1) + absl::Minutes(2) + absl::Milliseconds(3500)

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace apiserve::base {

// FormatGoDuration returns `d` as Go's Duration.String(): "0s", "1.5µs", "500ms", "2s", "1m0s", "2h0m0s", "-1s".
std::string FormatGoDuration(absl::Duration d);

// ParseGoDuration parses Go's time.ParseDuration syntax: a signed sequence of decimal numbers with units
// ns, us (or µs), ms, s, m, h, e.g. "300ms", "-1.5h", "2h45m"; "0" alone is allowed. InvalidArgument with Go's
// message otherwise: `time: invalid duration "<s>"`, `time: missing unit in duration "<s>"`,
// `time: unknown unit "<u>" in duration "<s>"`.
absl::StatusOr<absl::Duration> ParseGoDuration(absl::string_view text);

}  // namespace apiserve::base

#endif  // APISERVE_BASE_GO_DURATION_H_
