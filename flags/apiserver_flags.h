#ifndef APISERVE_FLAGS_APISERVER_FLAGS_H_
#define APISERVE_FLAGS_APISERVER_FLAGS_H_

// The apiserve binary's command line: kube-apiserver's serving flags (dashed names, kube defaults and messages,
// reference §4.7) plus apiserve's own server timeouts.
//
//   ApiserverFlags options;                       // kube's defaults
//   FlagSet fs("apiserve");
//   RegisterApiserverFlags(&fs, &options);
//   RETURN_IF_ERROR(fs.Parse(argc, argv));
//   RETURN_IF_ERROR(ValidateApiserverFlags(options));   // every problem at once
//
// Validation reports all problems in one InvalidArgument status whose message is kube's aggregate error text
// (utilerrors.NewAggregate): a single problem is its message alone; several distinct ones are
// "[first, second, ...]" in the order of the fields below. Cipher suite names are checked later, by tls/.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "flags/flag_set.h"
#include "tls/sni_cert_key.h"

namespace apiserve::flags {

// DefaultWorkers returns the default of --workers: the number of hardware threads, at least 1.
int DefaultWorkers();

// The options of the apiserve binary. A default-constructed value holds the defaults; RegisterApiserverFlags uses
// the values present at registration as the flags' defaults (kube's AddFlags pattern), so an embedder may change
// them first. Field names follow the flags: `secure_port` is `--secure-port`.
struct ApiserverFlags {
  // Secure serving.
  std::string bind_address = "0.0.0.0";
  int secure_port = 6443;
  // The generic server's default; kube-apiserver's /var/run/kubernetes needs root.
  std::string cert_dir = "apiserver.local.config/certificates";
  std::string tls_cert_file;
  std::string tls_private_key_file;
  // Raw `--tls-sni-cert-key` values, one per use; see ParseSniCertKey.
  std::vector<std::string> tls_sni_cert_key;
  std::string client_ca_file;
  std::string tls_min_version;                 // "" (TLS 1.2) or VersionTLS10..VersionTLS13
  std::vector<std::string> tls_cipher_suites;  // Go names; empty: the library's defaults
  int http2_max_streams_per_connection = 0;    // <= 0: 100 (see Http2MaxConcurrentStreams)
  bool disable_http2_serving = false;
  bool permit_port_sharing = false;
  bool permit_address_sharing = false;

  // Graceful termination and health.
  absl::Duration shutdown_delay_duration = absl::ZeroDuration();
  bool shutdown_send_retry_after = false;
  absl::Duration shutdown_watch_termination_grace_period = absl::ZeroDuration();
  absl::Duration livez_grace_period = absl::ZeroDuration();

  // Requests.
  double goaway_chance = 0;
  int max_requests_inflight = 400;
  int max_mutating_requests_inflight = 200;
  absl::Duration request_timeout = absl::Minutes(1);
  int min_request_timeout = 1800;  // seconds
  std::vector<std::string> strict_transport_security_directives;

  // Authentication and authorization.
  std::string token_auth_file;
  bool anonymous_auth = true;
  std::vector<std::string> authorization_mode = {"AlwaysAllow"};
  // --feature-gates, kube's "Key=bool,..." syntax. Known: UnauthenticatedHTTP2DOSMitigation (default true).
  std::vector<std::string> feature_gates;

  // Process.
  int workers = DefaultWorkers();
  int verbosity = 0;  // -v / --v

  // apiserve's own server limits (kube hard-codes these).
  absl::Duration read_header_timeout = absl::Seconds(32);
  absl::Duration idle_timeout = absl::Seconds(90);
  int64_t max_request_body_bytes = 3 * 1024 * 1024;
  int64_t max_connections = 0;         // 0: unlimited (kube has no such limit; RLIMIT_NOFILE is the natural cap)
  bool enable_request_metrics = true;  // kube always records apiserver_request_*; embedders and benchmarks may not
  absl::Duration pre_shutdown_hook_timeout = absl::Minutes(1);
};

// RegisterApiserverFlags registers every field of `*options` on `fs` under its kube flag name, with the field's
// current value as default and a one-line kube-style usage text. Both are borrowed; `options` must outlive `fs`.
// Registering twice on one FlagSet aborts (a flag would be redefined).
void RegisterApiserverFlags(FlagSet* fs, ApiserverFlags* options);

// ValidateApiserverFlags checks `options` and returns OK or one InvalidArgument listing every problem (see the file
// comment for the format). Messages are kube's, e.g.
// `--secure-port 0 must be between 1 and 65535, inclusive. It cannot be turned off with 0`.
absl::Status ValidateApiserverFlags(const ApiserverFlags& options);

// FeatureEnabled returns the value --feature-gates gives `gate`, or `default_value` when it is not mentioned.
// The gates were validated by ValidateApiserverFlags.
bool FeatureEnabled(const ApiserverFlags& flags, absl::string_view gate, bool default_value);

// SniCertKey and ParseSniCertKey come from tls/ (kube's NamedCertKey flag syntax).
using ::apiserve::tls::ParseSniCertKey;
using ::apiserve::tls::SniCertKey;

// ParseTlsVersion maps a --tls-min-version name to its protocol number: "" -> 0 (use the default),
// VersionTLS10..VersionTLS13 -> 0x0301..0x0304; anything else is InvalidArgument `unknown tls version "<v>"`.
absl::StatusOr<uint16_t> ParseTlsVersion(absl::string_view name);

// Http2MaxConcurrentStreams returns the HTTP/2 stream limit to advertise: the flag if positive, else 100.
int Http2MaxConcurrentStreams(const ApiserverFlags& options);

}  // namespace apiserve::flags

#endif  // APISERVE_FLAGS_APISERVER_FLAGS_H_
