#ifndef APISERVE_BASE_METRICS_TEXT_FORMAT_H_
#define APISERVE_BASE_METRICS_TEXT_FORMAT_H_

// WriteTextFormat renders families in the Prometheus text exposition format 0.0.4:
//
//   # HELP apiserver_request_total Counter of apiserver requests ...
//   # TYPE apiserver_request_total counter
//   apiserver_request_total{code="200",verb="GET"} 3
//
// HELP text escapes `\` and newline; label values escape `\`, `"` and newline. Values print as Go's
// strconv.FormatFloat(v, 'g', -1, 64) does for the common cases (integers without exponent up to 2^53, +Inf, -Inf,
// NaN, shortest round-trip otherwise). Families with no samples are skipped, as client_golang does. Families and
// samples keep the given order. Pure function; thread-compatible.

#include <string>
#include <vector>

#include "base/metrics/snapshot.h"

namespace apiserve::base::metrics {

// kTextContentType is the Content-Type of the text format.
inline constexpr char kTextContentType[] = "text/plain; version=0.0.4; charset=utf-8";

std::string WriteTextFormat(const std::vector<FamilySnapshot>& families);

// FormatValue formats one sample value (exposed for tests).
std::string FormatValue(double value);

}  // namespace apiserve::base::metrics

#endif  // APISERVE_BASE_METRICS_TEXT_FORMAT_H_
