#ifndef APISERVE_TLS_SNI_CERT_KEY_H_
#define APISERVE_TLS_SNI_CERT_KEY_H_

// SniCertKey: one `--tls-sni-cert-key` value, `cert,key` or `cert,key:name1,name2` (kube's NamedCertKey flag).
// Plain values; thread-compatible.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace apiserve::tls {

struct SniCertKey {
  std::string cert_file;
  std::string key_file;
  // Explicit names (domain patterns such as "*.example.com", or IPs for handshakes without SNI). Empty: the names
  // come from the certificate (CN and DNS SANs).
  std::vector<std::string> names;
};

// ParseSniCertKey parses one flag value as kube does: split at the first ':' into paths and names (names trimmed,
// comma-separated); then exactly two comma-separated paths (trimmed). Errors (InvalidArgument):
// "empty names list is not allowed", "expected comma separated certificate and key file paths".
absl::StatusOr<SniCertKey> ParseSniCertKey(absl::string_view value);

// FormatSniCertKey is the inverse of ParseSniCertKey ("cert,key" or "cert,key:n1,n2").
std::string FormatSniCertKey(const SniCertKey& sni);

}  // namespace apiserve::tls

#endif  // APISERVE_TLS_SNI_CERT_KEY_H_
