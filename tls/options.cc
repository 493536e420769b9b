#include "tls/options.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "openssl/nid.h"
#include "openssl/ssl.h"
#include "tls/cipher_suites.h"
#include "tls/versions.h"
#include "tls/x509_builder.h"

namespace apiserve::tls {
namespace {

struct Analysis {
  ResolvedTlsParameters params;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};

Analysis Analyze(const TlsOptions& o) {
  Analysis a;
  ResolvedTlsParameters& p = a.params;

  // Minimum version.
  if (absl::StatusOr<uint16_t> version = ParseTlsVersion(o.min_version); !version.ok()) {
    a.errors.emplace_back(version.status().message());
  } else {
    p.min_version = *version == 0 ? TLS1_2_VERSION : *version;
    if (IsDeprecatedTlsVersion(*version)) {
      a.warnings.push_back(absl::StrCat("--tls-min-version=", o.min_version,
                                        " allows a deprecated TLS version; use VersionTLS12 or newer"));
    }
  }

  // Cipher suites (TLS <= 1.2 only).
  p.http2 = !o.disable_http2;
  if (o.cipher_suites.empty()) {
    p.cipher_list = std::string(DefaultCipherList());
  } else {
    std::vector<std::string> rules;
    bool has_http2_suite = false;
    for (const std::string& name : o.cipher_suites) {
      const CipherSuite* suite = FindCipherSuite(name);
      if (suite == nullptr || (!suite->tls13 && suite->boringssl_name.empty())) {
        a.errors.push_back(absl::StrCat("Cipher suite ", name, " not supported or doesn't exist"));
        continue;
      }
      if (suite->insecure) a.warnings.push_back(absl::StrCat("Use of insecure cipher '", name, "' detected."));
      if (suite->tls13) continue;
      has_http2_suite |= IsHttp2RequiredSuite(*suite);
      rules.emplace_back(suite->boringssl_name);
    }
    p.cipher_list = absl::StrJoin(rules, ":");
    if (p.http2 && p.min_version != 0 && p.min_version < TLS1_3_VERSION && !has_http2_suite) {
      // golang.org/x/net/http2 ConfigureServer's check, wrapped as kube's Serve does.
      a.errors.push_back(
          "error configuring http2: http2: TLSConfig.CipherSuites is missing an HTTP/2-required AES_128_GCM_SHA256 "
          "cipher (need at least one of TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 or "
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)");
    }
    if (rules.empty() && p.min_version != 0 && p.min_version < TLS1_3_VERSION) {  // only TLS 1.3 names
      a.errors.push_back("--tls-cipher-suites lists no cipher suite usable with TLS 1.2 or older");
    }
  }

  // Curves.
  if (o.curve_preferences.empty()) {
    // Every curve Go's server accepts (crypto/tls defaults: X25519, P-256, P-384, P-521). Go 1.24+ also offers the
    // hybrid X25519MLKEM768; this BoringSSL (Android 13) has no ML-KEM group (only the withdrawn CECPQ2), so none.
    p.curve_nids = {NID_X25519, NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1};
  } else {
    for (int id : o.curve_preferences) {
      switch (id) {
        case 23:
          p.curve_nids.push_back(NID_X9_62_prime256v1);
          break;
        case 24:
          p.curve_nids.push_back(NID_secp384r1);
          break;
        case 25:
          p.curve_nids.push_back(NID_secp521r1);
          break;
        case 29:
          p.curve_nids.push_back(NID_X25519);
          break;
        default:
          a.errors.push_back(absl::StrCat("unsupported curve preference ", id));
      }
    }
  }

  // Certificates.
  if (o.cert_file.empty() != o.key_file.empty()) {
    a.errors.push_back("--tls-cert-file and --tls-private-key-file must be specified together");
  }
  for (const SniCertKey& sni : o.sni_cert_keys) {
    if (sni.cert_file.empty() || sni.key_file.empty()) {
      a.errors.push_back(absl::StrCat("--tls-sni-cert-key \"", FormatSniCertKey(sni),
                                      "\": expected comma separated certificate and key file paths"));
    }
    for (const std::string& name : sni.names) {
      if (name.empty()) {
        a.errors.push_back(absl::StrCat("--tls-sni-cert-key \"", FormatSniCertKey(sni), "\": empty name"));
      }
    }
  }
  if (o.cert_file.empty() && o.generate_self_signed) {
    const std::string& bind = o.self_signed.bind_address;
    if (!bind.empty() && ParseIpAddress(bind).empty()) {
      a.errors.push_back(absl::StrCat("invalid bind address \"", bind, "\""));
    }
    for (const std::string& ip : o.self_signed.alternate_ips) {
      if (ParseIpAddress(ip).empty()) a.errors.push_back(absl::StrCat("invalid alternate IP \"", ip, "\""));
    }
  }

  // Intervals.
  if (o.reload_check_interval <= absl::ZeroDuration()) {
    a.errors.push_back("the certificate reload interval must be positive");
  }
  if (o.reload_debounce < absl::ZeroDuration()) a.errors.push_back("the reload debounce must not be negative");
  if (o.session_tickets && o.ticket_key_rotation <= absl::ZeroDuration()) {
    a.errors.push_back("the session ticket key rotation interval must be positive");
  }
  if (o.session_tickets && o.ticket_keys_retained < 0) {
    a.errors.push_back("the number of retained session ticket keys must not be negative");
  }
  return a;
}

absl::Status Aggregate(const std::vector<std::string>& errors) {
  if (errors.empty()) return absl::OkStatus();
  if (errors.size() == 1) return absl::InvalidArgumentError(errors.front());
  return absl::InvalidArgumentError(absl::StrCat("[", absl::StrJoin(errors, ", "), "]"));
}

}  // namespace

absl::Status TlsOptions::Validate() const { return Aggregate(Analyze(*this).errors); }

std::vector<std::string> TlsOptions::Warnings() const { return Analyze(*this).warnings; }

absl::StatusOr<ResolvedTlsParameters> ResolveTlsParameters(const TlsOptions& options) {
  Analysis analysis = Analyze(options);
  if (absl::Status s = Aggregate(analysis.errors); !s.ok()) return s;
  return std::move(analysis.params);
}

}  // namespace apiserve::tls
