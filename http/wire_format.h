#ifndef APISERVE_HTTP_WIRE_FORMAT_H_
#define APISERVE_HTTP_WIRE_FORMAT_H_

// Header values both codecs write the same way as Go's net/http: the Date header and the sniffed Content-Type.

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace apiserve::http {

// HttpDate formats `now` as an IMF-fixdate ("Sun, 29 Nov 2026 06:30:00 GMT"). Cached per second per thread, so
// formatting is paid once a second per loop, not per response. The view is valid until the next call on the thread.
absl::string_view HttpDate(absl::Time now);

// SniffContentType mimics Go's http.DetectContentType for the shapes an API server sends: text (including JSON) is
// "text/plain; charset=utf-8"; bytes that look binary are "application/octet-stream".
absl::string_view SniffContentType(absl::string_view body_prefix);

// StatusHasNoBody reports whether a response with `status` never has a body (1xx, 204, 304; RFC 9110 §6.4.1).
inline bool StatusHasNoBody(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_WIRE_FORMAT_H_
