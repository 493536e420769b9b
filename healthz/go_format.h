#ifndef APISERVE_HEALTHZ_GO_FORMAT_H_
#define APISERVE_HEALTHZ_GO_FORMAT_H_

// Go's %q string quoting, which health output repeats byte for byte (`no matches for "a","b"`). Durations are
// printed with base::FormatGoDuration.
//
// Pure functions; thread-safe.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "base/go_quote.h"

namespace apiserve::healthz {

// GoQuote is base::GoQuote (Go's %q).
using ::apiserve::base::GoQuote;

// FormatQuoted is kube's formatQuoted: each name Go-quoted, joined with "," and no spaces, in the given order.
std::string FormatQuoted(const std::vector<std::string>& names);

}  // namespace apiserve::healthz

#endif  // APISERVE_HEALTHZ_GO_FORMAT_H_
