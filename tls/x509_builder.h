#ifndef APISERVE_TLS_X509_BUILDER_H_
#define APISERVE_TLS_X509_BUILDER_H_

// Creating keys and X.509 certificates with BoringSSL, and writing them as PEM. Used by self-signed generation and
// by tests. BoringSSL lacks X509V3_EXT_conf_nid, so extensions are built as structures and added with
// X509_add1_ext_i2d. Stateless and thread-safe; every returned handle is owned by the caller.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "openssl/evp.h"
#include "openssl/x509.h"

namespace apiserve::tls {

enum class KeyType { kEcdsaP256, kEcdsaP384, kRsa2048, kEd25519 };

// KeyTypeName returns "ECDSA P-256", "ECDSA P-384", "RSA-2048" or "Ed25519".
absl::string_view KeyTypeName(KeyType type);

// GenerateKey makes a fresh private key. Internal error with BoringSSL's reason on failure.
absl::StatusOr<bssl::UniquePtr<EVP_PKEY>> GenerateKey(KeyType type);

// CertificateTemplate lists what IssueCertificate puts in a certificate.
struct CertificateTemplate {
  std::string common_name;
  std::vector<std::string> organizations;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;  // textual IPv4 or IPv6
  std::vector<std::string> emails;
  std::vector<std::string> uris;
  absl::Time not_before;
  absl::Time not_after;
  bool is_ca = false;        // basicConstraints CA:TRUE and keyUsage certSign (else digitalSignature|keyEncipherment)
  bool server_auth = false;  // extKeyUsage serverAuth
  bool client_auth = false;  // extKeyUsage clientAuth
};

// IssueCertificate makes a certificate for `subject_key`'s public key, with a random 128-bit serial, signed by
// `issuer_key` (SHA-256; Ed25519 signs without a digest). `issuer` names the issuer; null means self-signed, and then
// `issuer_key` must be `subject_key`. Borrowed arguments. InvalidArgument for a malformed IP address.
absl::StatusOr<bssl::UniquePtr<X509>> IssueCertificate(const CertificateTemplate& spec, EVP_PKEY* subject_key,
                                                       const X509* issuer, EVP_PKEY* issuer_key);

// CertificateToPem returns `cert` as one "CERTIFICATE" PEM block.
absl::StatusOr<std::string> CertificateToPem(const X509* cert);

enum class KeyEncoding {
  kTraditional,  // PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE KEY"; Ed25519 has none and uses PKCS#8
  kPkcs8,        // "PRIVATE KEY"
};

// PrivateKeyToPem returns `key` as one PEM block in `encoding`.
absl::StatusOr<std::string> PrivateKeyToPem(const EVP_PKEY* key, KeyEncoding encoding);

// ParseIpAddress converts "10.0.0.1" or "::1" to its 4 or 16 network-order bytes; empty if `text` is not an IP.
std::string ParseIpAddress(absl::string_view text);

// FormatIpAddress is the inverse of ParseIpAddress for 4- or 16-byte input ("" otherwise).
std::string FormatIpAddress(absl::string_view bytes);

}  // namespace apiserve::tls

#endif  // APISERVE_TLS_X509_BUILDER_H_
