#ifndef APISERVE_HTTP_RESPONSE_H_
#define APISERVE_HTTP_RESPONSE_H_

// http::Response: a whole response (status, headers, body), and helpers for the common shapes.
//
// A response that never changes (`ok` from /healthz) is built once and shared as a ResponsePtr: sending it copies
// a pointer, never the headers or the body, so a fixed answer costs no allocation per request.

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "http/header_map.h"

namespace apiserve::http {

struct Response {
  int status = 200;
  HeaderMap headers;
  std::string body;
};

using ResponsePtr = std::shared_ptr<const Response>;

// ReasonPhrase returns the standard reason phrase for `status` ("Not Found"), or "Unknown" (HTTP/1.1 status line).
absl::string_view ReasonPhrase(int status);

// TextResponse is Go's http.Error shape: `status`, `Content-Type: text/plain; charset=utf-8`,
// `X-Content-Type-Options: nosniff`, and `body` as given (http.Error appends "\n"; callers pass it when they want it).
Response TextResponse(int status, std::string body);

// JsonResponse: `status`, `Content-Type: application/json`, `body`.
Response JsonResponse(int status, std::string body);

// Shared wraps a response for sending many times without copying.
inline ResponsePtr Shared(Response response) { return std::make_shared<const Response>(std::move(response)); }

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_RESPONSE_H_
