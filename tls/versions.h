#ifndef APISERVE_TLS_VERSIONS_H_
#define APISERVE_TLS_VERSIONS_H_

// TLS protocol version names, parsed and formatted in one place:
//
//   flag name (kube's --tls-min-version, Go's crypto/tls constants)  "VersionTLS10" ... "VersionTLS13"
//   protocol number (BoringSSL's TLS1_VERSION ... TLS1_3_VERSION)    0x0301 ... 0x0304
//   protocol name (OpenSSL's SSL_get_version, logs, ConnectionInfo)  "TLSv1" "TLSv1.1" "TLSv1.2" "TLSv1.3"
//
// No BoringSSL dependency (flags/ uses it). Stateless; thread-safe.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace apiserve::tls {

inline constexpr uint16_t kTls10 = 0x0301;  // TLS1_VERSION
inline constexpr uint16_t kTls11 = 0x0302;  // TLS1_1_VERSION
inline constexpr uint16_t kTls12 = 0x0303;  // TLS1_2_VERSION
inline constexpr uint16_t kTls13 = 0x0304;  // TLS1_3_VERSION

// ParseTlsVersion maps a --tls-min-version value to its protocol number: "VersionTLS10".."VersionTLS13" →
// 0x0301..0x0304, and "" → 0 (unset: the caller's default, TLS 1.2 for serving). Names are case-sensitive, as Go's;
// anything else is InvalidArgument `unknown tls version "<v>"` (kube's message).
absl::StatusOr<uint16_t> ParseTlsVersion(absl::string_view name);

// TlsVersionFlagName returns the flag name of a protocol number ("VersionTLS12"), or "" for an unknown one.
absl::string_view TlsVersionFlagName(uint16_t version);

// TlsProtocolName returns the protocol name of a protocol number ("TLSv1.2"), or "unknown".
absl::string_view TlsProtocolName(uint16_t version);

// IsDeprecatedTlsVersion reports whether `version` is below TLS 1.2 (accepted with a warning, as kube).
inline bool IsDeprecatedTlsVersion(uint16_t version) { return version != 0 && version < kTls12; }

}  // namespace apiserve::tls

#endif  // APISERVE_TLS_VERSIONS_H_
