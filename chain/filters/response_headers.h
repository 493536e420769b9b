#ifndef APISERVE_CHAIN_FILTERS_RESPONSE_HEADERS_H_
#define APISERVE_CHAIN_FILTERS_RESPONSE_HEADERS_H_

// The headers kube's standard chain puts on every response it produces (reference §3.6).
//
// WithAuditId (kube's WithAuditInit, the outermost filter, so every answer of the chain carries it — the
// retry-after 429 and a panic's 500 included): `Audit-Id`, the request's Audit-ID echoed, or a new UUID.
// WithResponseHeaders: `Cache-Control: no-cache, private` (unless the handler set one), and
// `Strict-Transport-Security: <directives joined by "; ">` when --strict-transport-security-directives is given.

#include <string>
#include <vector>

#include "http/handler.h"

namespace apiserve::chain {

http::HandlerPtr WithAuditId(http::HandlerPtr next);
http::HandlerPtr WithResponseHeaders(http::HandlerPtr next, std::vector<std::string> hsts_directives);

// NewUuid returns a random RFC 4122 version 4 UUID string (non-cryptographic randomness; an identifier, not a
// secret).
std::string NewUuid();
// WriteNewUuid writes one into `out` (36 characters, no terminator): the per-request path, with no allocation.
inline constexpr size_t kUuidLength = 36;
void WriteNewUuid(char (&out)[kUuidLength]);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_FILTERS_RESPONSE_HEADERS_H_
