#ifndef APISERVE_CLIENT_REQUEST_CHECK_H_
#define APISERVE_CLIENT_REQUEST_CHECK_H_

// What the HTTPS client checks and asks of a client::Request before it writes one (either protocol).

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "client/http_client.h"

namespace apiserve::client::internal {

// ValidateRequest returns InvalidArgument naming the first problem of `request` that would corrupt the exchange or
// that the client sets itself: a method that is not a token, a path that does not start with '/' or holds a control
// character or space, a header name that is not a token, a value with CR, LF or NUL, or a hop-by-hop or framing
// header (Host, Content-Length, Transfer-Encoding, Connection, ...). OK otherwise.
absl::Status ValidateRequest(const Request& request);

// HasHeader reports whether `request` sets header `name` (case-insensitive).
bool HasHeader(const Request& request, absl::string_view name);

// MethodHasBody reports whether `request` is sent with a Content-Length: it has a body, or it is a POST, PUT or
// PATCH (an empty one says "Content-Length: 0").
bool MethodHasBody(const Request& request);

}  // namespace apiserve::client::internal

#endif  // APISERVE_CLIENT_REQUEST_CHECK_H_
