#ifndef APISERVE_TLS_CERT_KEY_H_
#define APISERVE_TLS_CERT_KEY_H_

// CertKey: a serving certificate chain (leaf first) and its private key, parsed from PEM and checked to match.
// Immutable after creation and shared as std::shared_ptr<const CertKey> by every handshake that serves it, on any
// thread (BoringSSL's CRYPTO_BUFFER and EVP_PKEY are reference-counted and read-only here).

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "openssl/base.h"
#include "openssl/evp.h"
#include "openssl/pool.h"
#include "openssl/x509.h"

namespace apiserve::tls {

struct CertKey {
  std::string cert_file;  // source names, used in messages ("" when parsed from memory)
  std::string key_file;
  std::string cert_pem;  // raw contents, to tell whether a reload changed anything
  std::string key_pem;
  std::vector<bssl::UniquePtr<CRYPTO_BUFFER>> chain;  // DER, leaf first; what SSL_set_chain_and_key serves
  bssl::UniquePtr<X509> leaf;                         // parsed leaf, for names and expiry
  bssl::UniquePtr<EVP_PKEY> key;
};

// ParseCertKey parses `cert_pem` (one or more CERTIFICATE blocks, leaf first) and `key_pem` (PKCS#1, SEC1 or PKCS#8;
// RSA, ECDSA or Ed25519) and checks that the key matches the leaf. `cert_name`/`key_name` appear in errors.
// Errors (InvalidArgument), each naming the file:
//   missing content for serving cert "<cert>"     (empty cert; likewise "serving key")
//   failed to parse certificate from "<cert>": <BoringSSL reason>
//   failed to parse private key from "<key>": <BoringSSL reason>
//   certificate "<cert>" and private key "<key>" do not match: <BoringSSL reason>
// An expired (or not yet valid) leaf is accepted with a LOG(WARNING), as Go's tls.X509KeyPair accepts it.
absl::StatusOr<std::shared_ptr<const CertKey>> ParseCertKey(std::string cert_pem, std::string key_pem,
                                                            absl::string_view cert_name, absl::string_view key_name);

// LoadCertKey reads both files and calls ParseCertKey. A file that cannot be read gives NotFound /
// PermissionDenied / Internal with "open <path>: <reason>".
absl::StatusOr<std::shared_ptr<const CertKey>> LoadCertKey(const std::string& cert_file, const std::string& key_file);

// ParseCertificateChain parses every CERTIFICATE block of `pem` (at least one). `name` appears in errors.
absl::StatusOr<std::vector<bssl::UniquePtr<X509>>> ParseCertificateChain(absl::string_view pem, absl::string_view name);

// NotAfter returns the expiry of `cert` (InfinitePast if it cannot be read).
absl::Time NotAfter(const X509* cert);

}  // namespace apiserve::tls

#endif  // APISERVE_TLS_CERT_KEY_H_
