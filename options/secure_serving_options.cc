#include "options/secure_serving_options.h"

#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "flags/go_strconv.h"
#include "server/socket_activation.h"
#include "tls/sni_cert_key.h"
#include "tls/versions.h"

namespace apiserve::options {
namespace {

constexpr int kDefaultHttp2MaxStreams = 100;

}  // namespace

std::string ResolvePath(const std::string& path) {
  const char* dir = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path[0] == '/' || dir == nullptr || dir[0] == '\0') return path;
  return absl::StrCat(dir, "/", path);
}

void SecureServingOptions::AddFlags(flags::FlagSet* fs) {
  fs->IPVar(&bind_address, "bind-address", bind_address,
            "The IP address on which to listen for the --secure-port port. The associated interface(s) must be "
            "reachable by the rest of the cluster, and by CLI/web clients. If blank or an unspecified address "
            "(0.0.0.0 or ::), all interfaces and IP address families will be used.");
  fs->IntVar(&secure_port, "secure-port", secure_port,
             "The port on which to serve HTTPS with authentication and authorization. It cannot be switched off "
             "with 0.");
  fs->StringVar(&cert_dir, "cert-dir", cert_dir,
                "The directory where the TLS certs are located. If --tls-cert-file and --tls-private-key-file are "
                "provided, this flag will be ignored.");
  fs->StringVar(&tls_cert_file, "tls-cert-file", tls_cert_file,
                "File containing the default x509 Certificate for HTTPS. (CA cert, if any, concatenated after "
                "server cert). If HTTPS serving is enabled, and --tls-cert-file and --tls-private-key-file are not "
                "provided, a self-signed certificate and key are generated for the public address and saved to the "
                "directory specified by --cert-dir.");
  fs->StringVar(&tls_private_key_file, "tls-private-key-file", tls_private_key_file,
                "File containing the default x509 private key matching --tls-cert-file.");
  fs->StringArrayVar(&tls_sni_cert_key, "tls-sni-cert-key", tls_sni_cert_key,
                     "A pair of x509 certificate and private key file paths, optionally suffixed with a list of "
                     "domain patterns which are fully qualified domain names, possibly with prefixed wildcard "
                     "segments. The domain patterns also allow IP addresses, but IPs should only be used if the "
                     "apiserver has visibility to the IP address requested by a client. If no domain patterns are "
                     "provided, the names of the certificate are extracted. Non-wildcard matches trump over wildcard "
                     "matches, explicit domain patterns trump over extracted names. For multiple key/certificate "
                     "pairs, use the --tls-sni-cert-key multiple times. Examples: \"example.crt,example.key\" or "
                     "\"foo.crt,foo.key:*.foo.com,foo.com\".");
  fs->StringVar(&tls_min_version, "tls-min-version", tls_min_version,
                "Minimum TLS version supported. Possible values: VersionTLS10, VersionTLS11, VersionTLS12, "
                "VersionTLS13");
  fs->StringSliceVar(&tls_cipher_suites, "tls-cipher-suites", tls_cipher_suites,
                     "Comma-separated list of cipher suites for the server. If omitted, the default cipher suites "
                     "will be used. Only affects TLS 1.2 and below.");
  fs->IntVar(&http2_max_streams_per_connection, "http2-max-streams-per-connection", http2_max_streams_per_connection,
             "The limit that the server gives to clients for the maximum number of streams in an HTTP/2 "
             "connection. Zero means to use the default (100).");
  fs->BoolVar(&disable_http2_serving, "disable-http2-serving", disable_http2_serving,
              "If true, HTTP2 serving will be disabled [default=false]");
  fs->BoolVar(&permit_port_sharing, "permit-port-sharing", permit_port_sharing,
              "If true, SO_REUSEPORT will be used when binding the port, which allows more than one instance to "
              "bind on the same address and port. [default=false]");
  fs->BoolVar(&permit_address_sharing, "permit-address-sharing", permit_address_sharing,
              "If true, SO_REUSEADDR will be used when binding the port. This allows binding to wildcard IPs like "
              "0.0.0.0 and specific IPs in parallel, and it avoids waiting for the kernel to release sockets in "
              "TIME_WAIT state. [default=false] (Accepted for compatibility: apiserve, like Go on Linux, sets "
              "SO_REUSEADDR on every listener whatever this flag says.)");
}

void SecureServingOptions::Validate(std::vector<std::string>* problems) const {
  if (secure_port < 1 || secure_port > 65535) {
    problems->push_back(absl::StrCat("--secure-port ", secure_port,
                                     " must be between 1 and 65535, inclusive. It cannot be turned off with 0"));
  }
  for (const std::string& value : tls_sni_cert_key) {
    absl::StatusOr<tls::SniCertKey> parsed = tls::ParseSniCertKey(value);
    if (!parsed.ok()) {
      // What kube prints when its NamedCertKey flag rejects the value.
      problems->push_back(absl::StrCat("invalid argument ", flags::GoQuote(value),
                                       " for \"--tls-sni-cert-key\" flag: ", parsed.status().message()));
    }
  }
  if (absl::StatusOr<uint16_t> version = tls::ParseTlsVersion(tls_min_version); !version.ok()) {
    problems->emplace_back(version.status().message());
  }
}

int SecureServingOptions::Http2MaxConcurrentStreams() const {
  return http2_max_streams_per_connection > 0 ? http2_max_streams_per_connection : kDefaultHttp2MaxStreams;
}

absl::Status SecureServingOptions::ApplyTo(server::Config* config) const {
  config->serving.bind_address = bind_address;
  config->serving.port = secure_port;
  config->serving.permit_port_sharing = permit_port_sharing;
  // kube's ApplyTo serves SecureServingOptions.Listener when one is set instead of binding; a separate process gets
  // its listener through systemd's socket activation, which wins over --bind-address/--secure-port.
  ASSIGN_OR_RETURN(config->serving.inherited_fd, server::TakeSocketActivationListener());
  tls::TlsOptions& t = config->tls;
  t.min_version = tls_min_version;
  t.cipher_suites = tls_cipher_suites;
  t.disable_http2 = disable_http2_serving;
  t.cert_file = ResolvePath(tls_cert_file);
  t.key_file = ResolvePath(tls_private_key_file);
  for (const std::string& value : tls_sni_cert_key) {
    absl::StatusOr<tls::SniCertKey> sni = tls::ParseSniCertKey(value);
    if (!sni.ok()) return sni.status();
    sni->cert_file = ResolvePath(sni->cert_file);
    sni->key_file = ResolvePath(sni->key_file);
    t.sni_cert_keys.push_back(*std::move(sni));
  }
  t.self_signed.cert_directory = ResolvePath(cert_dir);
  t.self_signed.bind_address = bind_address;
  config->http2.max_concurrent_streams = static_cast<uint32_t>(Http2MaxConcurrentStreams());
  return absl::OkStatus();
}

}  // namespace apiserve::options
