#ifndef APISERVE_TLS_NAMED_CERTIFICATES_H_
#define APISERVE_TLS_NAMED_CERTIFICATES_H_

// The SNI name → certificate map, built as kube's BuildNamedCertificates (reference §4.3). Pure functions;
// thread-safe.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "openssl/x509.h"

namespace apiserve::tls {

// IsDns1123Subdomain reports whether `name` is a valid DNS-1123 subdomain: at most 253 characters of lower-case
// alphanumerics, '-' and '.', each label starting and ending with an alphanumeric.
bool IsDns1123Subdomain(absl::string_view name);

// CertificateNames returns the names a certificate serves when no explicit names are given: its CN (only if the CN
// is not an IP, and is "*" or a valid DNS-1123 subdomain after stripping a leading "*."), then its DNS SANs. IP SANs
// are ignored (SNI never carries IPs).
std::vector<std::string> CertificateNames(const X509* cert);

// NormalizeName lower-cases a DNS name and rewrites an IP address in its canonical text form ("::1").
std::string NormalizeName(absl::string_view name);

// NamedCertificateInput is one SNI certificate for BuildNameToIndex: its leaf and its explicit names.
struct NamedCertificateInput {
  const X509* leaf;  // borrowed
  std::vector<std::string> explicit_names;
};

// BuildNameToIndex maps each (normalized) name to the index of the certificate serving it: explicit names override
// names taken from certificates; among equals, the earlier certificate wins.
absl::flat_hash_map<std::string, size_t> BuildNameToIndex(const std::vector<NamedCertificateInput>& certs);

}  // namespace apiserve::tls

#endif  // APISERVE_TLS_NAMED_CERTIFICATES_H_
