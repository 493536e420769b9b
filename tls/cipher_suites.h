#ifndef APISERVE_TLS_CIPHER_SUITES_H_
#define APISERVE_TLS_CIPHER_SUITES_H_

// The cipher-suite names `--tls-cipher-suites` accepts: Go's tls.CipherSuites() and tls.InsecureCipherSuites() (IANA
// names) plus kube's two ChaCha20 aliases, mapped to BoringSSL's cipher-rule names. Immutable tables; thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace apiserve::tls {

struct CipherSuite {
  absl::string_view name;  // IANA / Go name, e.g. "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
  uint16_t id;             // IANA code point
  // BoringSSL's rule name ("ECDHE-RSA-AES128-GCM-SHA256"); empty when BoringSSL does not implement the suite (RC4,
  // *_CBC_SHA256) or, for TLS 1.3 suites, because they are not configurable.
  absl::string_view boringssl_name;
  bool insecure;  // in Go's InsecureCipherSuites(): kube logs "Use of insecure cipher '<name>' detected."
  bool tls13;     // a TLS 1.3 suite: accepted and ignored (only TLS <= 1.2 suites are configurable, as in Go)
};

// FindCipherSuite returns the suite called `name` (exact, case-sensitive as in kube), or nullptr if unknown.
const CipherSuite* FindCipherSuite(absl::string_view name);

// DefaultCipherList is the BoringSSL cipher string used when no suites are configured: ECDHE key exchange with
// AES-GCM or ChaCha20-Poly1305 only, ECDSA before RSA.
absl::string_view DefaultCipherList();

// IsHttp2RequiredSuite reports whether `suite` is TLS_ECDHE_{RSA,ECDSA}_WITH_AES_128_GCM_SHA256, one of which
// HTTP/2 requires (RFC 7540 §9.2.2) when TLS 1.2 may be negotiated.
bool IsHttp2RequiredSuite(const CipherSuite& suite);

}  // namespace apiserve::tls

#endif  // APISERVE_TLS_CIPHER_SUITES_H_
