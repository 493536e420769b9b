#ifndef APISERVE_TLS_CLIENT_CA_H_
#define APISERVE_TLS_CLIENT_CA_H_

// Client-certificate authentication material (mTLS: kube's --client-ca-file, and --requestheader-client-ca-file for
// the front proxy): a CA bundle, the CA names the server advertises in its CertificateRequest, and verification of a
// presented chain after the handshake, as kube's x509 authenticator does (the TLS layer only requests a certificate
// and never rejects one).
//
// ClientCaBundle is immutable once built and shared across threads as std::shared_ptr<const ClientCaBundle>;
// verification is thread-safe (X509_STORE is internally locked; each call uses its own X509_STORE_CTX).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "http/connection_info.h"
#include "openssl/pool.h"
#include "openssl/x509.h"

namespace apiserve::tls {

struct ClientCaBundle {
  std::string file;  // source, for messages ("" in memory)
  std::string pem;   // raw content, to tell whether a reload changed anything
  bssl::UniquePtr<X509_STORE> store;
  std::vector<bssl::UniquePtr<CRYPTO_BUFFER>> subject_names;  // DER names advertised to clients
};

// ParseClientCaBundle parses every CERTIFICATE block of `pem`. An empty bundle is allowed (every client certificate
// then fails verification); unparsable content is InvalidArgument "failed to parse certificate from "<name>": ...".
absl::StatusOr<std::shared_ptr<const ClientCaBundle>> ParseClientCaBundle(std::string pem, absl::string_view name);

// LoadClientCaBundle reads `file` and parses it. A missing file is NotFound "open <file>: ...".
absl::StatusOr<std::shared_ptr<const ClientCaBundle>> LoadClientCaBundle(const std::string& file);

// ClientCertificateResult is the outcome of verifying a connection's client certificate against one CA bundle. When
// the bundle is configured and the client presented a certificate, exactly one of `identity` and `error` is set;
// otherwise neither is.
struct ClientCertificateResult {
  bool presented = false;
  std::optional<http::ClientCertificate> identity;
  std::string error;  // e.g. "verifying certificate CN=\"alice\" failed: unable to get local issuer certificate"
};

// ExtractIdentity reads the subject CN and O values and the DNS/IP/email/URI SANs of `cert` (borrowed).
http::ClientCertificate ExtractIdentity(const X509* cert);

// VerifyClientChain verifies `leaf` (with the untrusted `intermediates`, may be null) against `bundle` for the
// sslclient purpose at the current time, and returns the identity or the error. Borrowed arguments.
ClientCertificateResult VerifyClientChain(const ClientCaBundle& bundle, X509* leaf, STACK_OF(X509) * intermediates);

}  // namespace apiserve::tls

#endif  // APISERVE_TLS_CLIENT_CA_H_
