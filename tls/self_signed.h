#ifndef APISERVE_TLS_SELF_SIGNED_H_
#define APISERVE_TLS_SELF_SIGNED_H_

// Self-signed serving certificates when no --tls-cert-file/--tls-private-key-file is given (kube's
// MaybeDefaultWithSelfSignedCerts and GenerateSelfSignedCertKeyWithFixtures, reference §4.5).
//
// Stateless and thread-safe, but two processes sharing a cert directory may race (as in kube).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tls/x509_builder.h"

namespace apiserve::tls {

struct SelfSignedOptions {
  // --cert-dir. Empty: the certificate is generated in memory on each start.
  std::string cert_directory;
  std::string pair_name = "apiserver";  // files <dir>/<pair_name>.crt and .key
  // The certificate's host (kube's public/advertise address): an IP goes into the IP SANs, a name into the DNS
  // SANs. Empty: "localhost" if the bind address is unspecified, else the bind address.
  std::string host;
  std::string bind_address = "0.0.0.0";  // unspecified → DNS SAN "localhost"; else the bind IP in the IP SANs
  std::vector<std::string> alternate_ips;
  std::vector<std::string> alternate_dns;
  // ECDSA P-256 by default (much cheaper handshakes); kRsa2048 reproduces kube.
  KeyType key_type = KeyType::kEcdsaP256;
};

// GeneratedCertKey is PEM text: `cert_pem` is the leaf followed by its CA; `key_pem` the leaf's key (PKCS#1 for
// RSA, SEC1 for ECDSA).
struct GeneratedCertKey {
  std::string cert_pem;
  std::string key_pem;
};

// GenerateSelfSignedCertKey makes a CA (CN "<host>-ca@<unix>", keyUsage certSign|digitalSignature|keyEncipherment)
// and a leaf it signs (CN "<host>@<unix>", extKeyUsage serverAuth), both valid from now−1h for one year, with
// `key_type` keys. SANs: `host` (as IP or DNS), then `alternate_ips`, then `alternate_dns`.
absl::StatusOr<GeneratedCertKey> GenerateSelfSignedCertKey(const std::string& host,
                                                           const std::vector<std::string>& alternate_ips,
                                                           const std::vector<std::string>& alternate_dns,
                                                           KeyType key_type, absl::Time now);

// ServingCertSource says where the default serving certificate comes from: files (hot-reloaded) or memory.
struct ServingCertSource {
  std::string cert_file;  // empty when in memory
  std::string key_file;
  std::string cert_pem;  // set only when in memory
  std::string key_pem;
};

// EnsureSelfSignedCertKey returns the self-signed pair for `options`:
// - with a cert directory: if <dir>/<pair>.crt and .key both exist they are reused as they are; if exactly one
//   exists → InvalidArgument "error reading <missing path>, certificate and key must be supplied as a pair";
//   else a new pair is generated and written (dir 0755, cert 0644, key 0600), logging
//   "Generated self-signed cert (<crt>, <key>) with an <key type> key".
// - without: generated in memory ("Generated self-signed cert in-memory with an <key type> key").
absl::StatusOr<ServingCertSource> EnsureSelfSignedCertKey(const SelfSignedOptions& options);

}  // namespace apiserve::tls

#endif  // APISERVE_TLS_SELF_SIGNED_H_
