#ifndef APISERVE_BASE_GO_QUOTE_H_
#define APISERVE_BASE_GO_QUOTE_H_

// GoQuote: a string as Go's strconv.Quote / fmt's %q prints it, for messages kube words with %q.

#include <string>

#include "absl/strings/string_view.h"

namespace apiserve::base {

// GoQuote returns `s` double-quoted: `"` and `\` escaped, \a \b \f \n \r \t \v, other control bytes and
// invalid UTF-8 as \xNN; valid multi-byte UTF-8 passes through unchanged (Go also escapes non-printable runes;
// we do not).
std::string GoQuote(absl::string_view s);

}  // namespace apiserve::base

#endif  // APISERVE_BASE_GO_QUOTE_H_
