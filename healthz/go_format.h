#ifndef APISERVE_HEALTHZ_GO_FORMAT_H_
#define APISERVE_HEALTHZ_GO_FORMAT_H_

// Go's text formats that health output repeats byte for byte: durations as time.Duration.String() prints them
// ("2s", "500ms", "1m0s") and strings as %q quotes them ("\"etcd\"").
//
// Pure functions; thread-safe.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace apiserve::healthz {

// FormatGoDuration returns `d` as Go's time.Duration.String() prints it: "0s", "1.5µs", "500ms", "2s", "1m0s",
// "1h0m0.5s", negative values with a leading '-'. Infinite durations print as "inf" / "-inf" (Go has none).
std::string FormatGoDuration(absl::Duration d);

// GoQuote returns `s` quoted as Go's %q (strconv.Quote): printable ASCII and valid UTF-8 kept, `"` and `\` escaped,
// \a \b \f \n \r \t \v by name, other control bytes and invalid UTF-8 bytes as \xNN. Non-printable Unicode code
// points above ASCII are kept as they are (Go would escape them as \u; not needed for check names).
std::string GoQuote(absl::string_view s);

// FormatQuoted is kube's formatQuoted: each name Go-quoted, joined with "," and no spaces, in the given order.
std::string FormatQuoted(const std::vector<std::string>& names);

}  // namespace apiserve::healthz

#endif  // APISERVE_HEALTHZ_GO_FORMAT_H_
