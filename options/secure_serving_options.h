#ifndef APISERVE_OPTIONS_SECURE_SERVING_OPTIONS_H_
#define APISERVE_OPTIONS_SECURE_SERVING_OPTIONS_H_

// SecureServingOptions: kube's `--bind-address`, `--secure-port`, certificates, TLS versions and ciphers, HTTP/2
// streams and port/address sharing (k8s.io/apiserver/pkg/server/options/serving.go), with kube's defaults and
// messages.

#include <string>
#include <vector>

#include "flags/flag_set.h"
#include "server/config.h"

namespace apiserve::options {

struct SecureServingOptions {
  std::string bind_address = "0.0.0.0";
  int secure_port = 6443;
  // The generic server's default; kube-apiserver's /var/run/kubernetes needs root.
  std::string cert_dir = "apiserver.local.config/certificates";
  std::string tls_cert_file;
  std::string tls_private_key_file;
  std::vector<std::string> tls_sni_cert_key;   // raw values, one per use (tls::ParseSniCertKey)
  std::string tls_min_version;                 // "" (TLS 1.2) or VersionTLS10..VersionTLS13
  std::vector<std::string> tls_cipher_suites;  // Go names; empty: the library's defaults
  int http2_max_streams_per_connection = 0;    // <= 0: 100 (Http2MaxConcurrentStreams)
  bool disable_http2_serving = false;
  bool permit_port_sharing = false;
  bool permit_address_sharing = false;  // accepted; SO_REUSEADDR is always set, as Go does on Linux

  // AddFlags registers the fields on `fs` with their current values as defaults. Both borrowed.
  void AddFlags(flags::FlagSet* fs);
  // Validate appends every problem, with kube's messages.
  void Validate(std::vector<std::string>* problems) const;
  // ApplyTo fills the listening and TLS parts of `config`. Relative file paths are resolved by ResolvePath. A
  // listening socket handed over by systemd's socket activation (LISTEN_PID/LISTEN_FDS, fd 3) becomes
  // config->serving.inherited_fd, served instead of binding --bind-address:--secure-port; ApplyTo takes it from the
  // environment (server::TakeSocketActivationListener: call ApplyTo before starting threads) and fails with that
  // function's errors when the environment or fd 3 is wrong.
  absl::Status ApplyTo(server::Config* config) const;
  // Http2MaxConcurrentStreams is the HTTP/2 stream limit to advertise: the flag if positive, else 100.
  int Http2MaxConcurrentStreams() const;
};

// ResolvePath resolves a relative path given by the user against $BUILD_WORKING_DIRECTORY when the binary runs under
// `bazel run` (which starts it inside its runfiles tree); other paths are returned as they are.
std::string ResolvePath(const std::string& path);

}  // namespace apiserve::options

#endif  // APISERVE_OPTIONS_SECURE_SERVING_OPTIONS_H_
