#ifndef APISERVE_HEALTHZ_GO_FORMAT_H_
#define APISERVE_HEALTHZ_GO_FORMAT_H_

// Go's %q string quoting, which health output repeats byte for byte (`no matches for "a","b"`). Durations are
// printed with base::FormatGoDuration.
//
// Pure functions; thread-safe.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace apiserve::healthz {

// GoQuote returns `s` quoted as Go's %q (strconv.Quote): printable ASCII and valid UTF-8 kept, `"` and `\` escaped,
// \a \b \f \n \r \t \v by name, other control bytes and invalid UTF-8 bytes as \xNN. Non-printable Unicode code
// points above ASCII are kept as they are (Go would escape them as \u; not needed for check names).
std::string GoQuote(absl::string_view s);

// FormatQuoted is kube's formatQuoted: each name Go-quoted, joined with "," and no spaces, in the given order.
std::string FormatQuoted(const std::vector<std::string>& names);

}  // namespace apiserve::healthz

#endif  // APISERVE_HEALTHZ_GO_FORMAT_H_
