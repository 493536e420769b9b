#ifndef APISERVE_TLS_OPTIONS_H_
#define APISERVE_TLS_OPTIONS_H_

// TlsOptions: the TLS part of kube's SecureServingOptions (flags in reference §4.7) plus our own knobs (reload and
// ticket intervals, self-signed key type). Validate() reports every problem at once; ResolveTlsParameters() turns
// the options into BoringSSL settings. Plain values; thread-compatible.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tls/self_signed.h"
#include "tls/sni_cert_key.h"

namespace apiserve::tls {

struct TlsOptions {
  // --tls-min-version: "VersionTLS12" (default when empty) or "VersionTLS13"; "VersionTLS10"/"VersionTLS11" are
  // accepted with a warning. Parsed by tls::ParseTlsVersion (tls/versions.h).
  std::string min_version;
  // --tls-cipher-suites: IANA/Go names (cipher_suites.h). Only affect TLS <= 1.2. Empty: ECDHE with AES-GCM or
  // ChaCha20-Poly1305.
  std::vector<std::string> cipher_suites;
  // --tls-curve-preferences: Go CurveIDs 23 (P-256), 24 (P-384), 25 (P-521), 29 (X25519). Empty: X25519, P-256, P-384,
  // P-521 (Go's).
  std::vector<int> curve_preferences;
  // --disable-http2-serving: ALPN offers only http/1.1.
  bool disable_http2 = false;

  // --tls-cert-file / --tls-private-key-file (given together). Both empty: a self-signed pair (below).
  std::string cert_file;
  std::string key_file;
  // --tls-sni-cert-key, in flag order (earlier entries win).
  std::vector<SniCertKey> sni_cert_keys;
  // --client-ca-file: request (not require) client certificates and verify them against this bundle.
  std::string client_ca_file;
  // --requestheader-client-ca-file: the front proxy's CA (request-header authentication). Client certificates are
  // requested when either CA is set, both bundles' names are advertised, and each presented certificate is verified
  // against each bundle separately (kube adds both to the server's acceptable client CAs).
  std::string requestheader_client_ca_file;
  // dynamic_client_cas: the client CAs are set at run time (DynamicCertificates::SetClientCa /
  // SetRequestHeaderClientCa, from the extension-apiserver-authentication ConfigMap), so client certificates are
  // requested although no CA file is named.
  bool dynamic_client_cas = false;
  // Used when cert_file and key_file are empty and generate_self_signed is true.
  SelfSignedOptions self_signed;
  bool generate_self_signed = true;

  // Reloading of certificate, key and CA files.
  bool watch_files = true;
  absl::Duration reload_check_interval = absl::Minutes(1);
  absl::Duration reload_debounce = absl::Milliseconds(100);

  // Session tickets (TLS 1.2 tickets and TLS 1.3 resumption).
  bool session_tickets = true;
  absl::Duration ticket_key_rotation = absl::Hours(24);
  int ticket_keys_retained = 2;
  std::function<absl::Time()> clock;  // for ticket rotation; default absl::Now

  // Validate returns OK or one InvalidArgument error listing every problem, kube-style: the message alone for one,
  // "[first, second, ...]" for several. Messages: `unknown tls version "<v>"`, `Cipher suite <name> not supported or
  // doesn't exist`, `unsupported curve preference <id>`, `error configuring http2: ...`, the SNI and pairing
  // messages. It checks values only; files are read later.
  absl::Status Validate() const;

  // Warnings lists what is accepted but insecure: `Use of insecure cipher '<name>' detected.` and old versions.
  std::vector<std::string> Warnings() const;
};

// ResolvedTlsParameters are the BoringSSL settings derived from TlsOptions.
struct ResolvedTlsParameters {
  uint16_t min_version = 0;  // TLS1_2_VERSION, ...
  std::string cipher_list;   // for SSL_CTX_set_strict_cipher_list
  std::vector<int> curve_nids;
  bool http2 = true;
};

// ResolveTlsParameters validates `options` (same error as Validate) and returns the settings.
absl::StatusOr<ResolvedTlsParameters> ResolveTlsParameters(const TlsOptions& options);

}  // namespace apiserve::tls

#endif  // APISERVE_TLS_OPTIONS_H_
