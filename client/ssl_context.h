#ifndef APISERVE_CLIENT_SSL_CONTEXT_H_
#define APISERVE_CLIENT_SSL_CONTEXT_H_

// client::internal::NewSslCtx: the HTTPS client's SSL_CTX, built once from a ClientConfig and then only read (every
// connection's SSL comes from it): TLS 1.2 or later, the peer verified against the configured CA (else the system's),
// the client certificate and key, and ALPN "h2", "http/1.1" (or "http/1.1" alone with disable_http2).

#include "absl/status/statusor.h"
#include "client/config.h"
#include "openssl/ssl.h"

namespace apiserve::client::internal {

// NewSslCtx builds the context for `config`. Errors: InvalidArgument naming the field (both a PEM and a file, PEM
// that holds no certificate, a certificate without a key, a key that does not match); NotFound / PermissionDenied
// naming a file that cannot be read; Internal naming a BoringSSL call that failed.
absl::StatusOr<bssl::UniquePtr<SSL_CTX>> NewSslCtx(const ClientConfig& config);

}  // namespace apiserve::client::internal

#endif  // APISERVE_CLIENT_SSL_CONTEXT_H_
