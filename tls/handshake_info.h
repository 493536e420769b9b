#ifndef APISERVE_TLS_HANDSHAKE_INFO_H_
#define APISERVE_TLS_HANDSHAKE_INFO_H_

// Per-connection accessors for SSL objects made from a tls::ServerContext: what the server records before the
// handshake, and what it reads after it. Each takes a borrowed SSL used by the calling thread only.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "http/connection_info.h"
#include "openssl/ssl.h"
#include "tls/client_ca.h"

namespace apiserve::tls {

// SetLocalAddress records the local IP address the client connected to ("10.0.0.1" or "::1"), which chooses the
// certificate when the client sends no SNI. Call before the handshake. InvalidArgument if `ip` is not an IP.
absl::Status SetLocalAddress(SSL* ssl, absl::string_view ip);

// NegotiatedAlpn returns "h2", "http/1.1", or "" when the client offered no ALPN.
std::string NegotiatedAlpn(const SSL* ssl);

// VersionString returns "TLSv1.2" or "TLSv1.3" (or older names) for a finished handshake.
std::string VersionString(const SSL* ssl);

// ServerName returns the SNI host name the client sent, or "".
std::string ServerName(const SSL* ssl);

// SessionResumed reports whether the handshake resumed a session (ticket).
bool SessionResumed(const SSL* ssl);

// VerifyPeerCertificate verifies the client's certificate chain, after the handshake, against the client-CA bundle
// (--client-ca-file) of the snapshot that served this handshake. Returns {presented=false} when no client CA is
// configured or the client sent no certificate; otherwise exactly one of `identity` and `error` is set.
ClientCertificateResult VerifyPeerCertificate(const SSL* ssl);

// VerifyRequestHeaderCertificate does the same against the request-header CA (--requestheader-client-ca-file).
ClientCertificateResult VerifyRequestHeaderCertificate(const SSL* ssl);

// InspectClientCertificate fills the client-certificate part of `info` for a finished handshake: the result of
// VerifyPeerCertificate into client_certificate / client_certificate_error, and that of
// VerifyRequestHeaderCertificate into requestheader_client_certificate / requestheader_client_certificate_error.
// Fields of a CA that is not configured, or when no certificate was presented, are left alone. `info` is borrowed.
void InspectClientCertificate(const SSL* ssl, http::ConnectionInfo* info);

}  // namespace apiserve::tls

#endif  // APISERVE_TLS_HANDSHAKE_INFO_H_
