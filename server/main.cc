// apiserver: the demo delegation chain served the way kube-apiserver serves (flags, TLS, HTTP/2, graceful
// termination). `bazel run //server:apiserver -- --help` lists every flag.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "auth/build.h"
#include "base/logger.h"
#include "base/metrics/process_collector.h"
#include "base/metrics/registry.h"
#include "chain/generic_server.h"
#include "flags/apiserver_flags.h"
#include "flags/flag_set.h"
#include "http1/options.h"
#include "http2/options.h"
#include "lifecycle/os_signals.h"
#include "server/build_info.h"
#include "server/codecs.h"
#include "server/demo_chain.h"
#include "server/run.h"
#include "server/serving_metrics.h"
#include "server/version.h"
#include "tls/handshake_info.h"
#include "tls/server_context.h"
#include "tls/sni_cert_key.h"

namespace apiserve {
namespace {

int Fail(const std::string& message) {
  base::Logger::Global().Flush();
  std::fprintf(stderr, "Error: %s\n", message.c_str());
  return 1;
}

// UnderWorkingDirectory resolves a relative path given by the user against $BUILD_WORKING_DIRECTORY when running
// under `bazel run` (which starts the binary inside its runfiles tree).
std::string UnderWorkingDirectory(const std::string& path) {
  const char* dir = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path[0] == '/' || dir == nullptr || dir[0] == '\0') return path;
  return absl::StrCat(dir, "/", path);
}

int Main(int argc, char** argv) {
  flags::ApiserverFlags options;
  flags::FlagSet flag_set("apiserver");
  flags::RegisterApiserverFlags(&flag_set, &options);
  if (absl::Status parsed = flag_set.Parse(argc, argv); !parsed.ok()) {
    if (flags::IsHelpRequested(parsed)) {
      std::printf("Usage:\n  apiserver [flags]\n\nFlags:\n%s", flag_set.Usage().c_str());
      return 0;
    }
    return Fail(std::string(parsed.message()));
  }
  if (absl::Status valid = flags::ValidateApiserverFlags(options); !valid.ok()) {
    return Fail(std::string(valid.message()));
  }
  base::Logger::Global().SetVerbosity(options.verbosity);
  server::SetBuildInfo(server::StampedBuildInfo());  // /version

  // TLS: the serving certificate (or a self-signed one in --cert-dir), SNI certificates, client CA.
  tls::TlsOptions tls_options;
  tls_options.min_version = options.tls_min_version;
  tls_options.cipher_suites = options.tls_cipher_suites;
  tls_options.disable_http2 = options.disable_http2_serving;
  tls_options.cert_file = UnderWorkingDirectory(options.tls_cert_file);
  tls_options.key_file = UnderWorkingDirectory(options.tls_private_key_file);
  tls_options.client_ca_file = UnderWorkingDirectory(options.client_ca_file);
  for (const std::string& value : options.tls_sni_cert_key) {
    absl::StatusOr<tls::SniCertKey> sni = tls::ParseSniCertKey(value);
    if (!sni.ok()) return Fail(std::string(sni.status().message()));
    sni->cert_file = UnderWorkingDirectory(sni->cert_file);
    sni->key_file = UnderWorkingDirectory(sni->key_file);
    tls_options.sni_cert_keys.push_back(*std::move(sni));
  }
  tls_options.self_signed.cert_directory = UnderWorkingDirectory(options.cert_dir);
  tls_options.self_signed.bind_address = options.bind_address;
  absl::StatusOr<std::unique_ptr<tls::ServerContext>> tls_context = tls::ServerContext::Create(tls_options);
  if (!tls_context.ok()) return Fail(std::string(tls_context.status().message()));
  tls::ServerContext* tls = tls_context->get();

  // The chain.
  chain::ServerConfig config;
  config.shutdown_send_retry_after = options.shutdown_send_retry_after;
  config.hsts_directives = options.strict_transport_security_directives;
  config.goaway_chance = options.disable_http2_serving ? 0 : options.goaway_chance;
  config.request_timeout = options.request_timeout;
  config.max_request_body_bytes = static_cast<uint64_t>(options.max_request_body_bytes);
  config.request_metrics = options.enable_request_metrics;
  config.unauthenticated_http2_dos_mitigation =
      flags::FeatureEnabled(options, "UnauthenticatedHTTP2DOSMitigation", /*default_value=*/true);
  config.max_requests_inflight = options.max_requests_inflight;
  config.max_mutating_requests_inflight = options.max_mutating_requests_inflight;
  config.livez_grace_period = options.livez_grace_period;
  config.pre_shutdown_hook_timeout = options.pre_shutdown_hook_timeout;
  config.shutdown_delay_duration = options.shutdown_delay_duration;
  config.shutdown_watch_termination_grace_period = options.shutdown_watch_termination_grace_period;
  config.clock = &base::SystemClock::Get();
  // Authentication (x509 with --client-ca-file, --token-auth-file, --anonymous-auth) and --authorization-mode.
  absl::StatusOr<auth::AuthConfig> auth_config =
      auth::BuildFromFlags({!options.client_ca_file.empty(), UnderWorkingDirectory(options.token_auth_file),
                            absl::Minutes(1), options.anonymous_auth, options.authorization_mode});
  if (!auth_config.ok()) return Fail(std::string(auth_config.status().message()));
  config.authenticator = auth_config->authenticator;
  config.authorizer = auth_config->authorizer;
  absl::StatusOr<server::DemoChain> demo = server::BuildDemoChain(config);
  if (!demo.ok()) return Fail(std::string(demo.status().message()));
  absl::StatusOr<chain::PreparedServer> prepared = demo->aggregator->PrepareRun();
  if (!prepared.ok()) return Fail(std::string(prepared.status().message()));

  // Serving.
  server::RunOptions run;
  run.serving.bind_address = options.bind_address;
  run.serving.port = options.secure_port;
  run.serving.workers = options.workers;
  run.serving.permit_port_sharing = options.permit_port_sharing;
  run.serving.max_connections = options.max_connections;
  run.serving.connection.read_header_timeout = options.read_header_timeout;
  run.serving.connection.idle_timeout = options.idle_timeout;
  run.ssl_ctx = tls->ssl_ctx();
  http1::Options http1_options;
  http2::Options http2_options;
  http2_options.max_concurrent_streams = static_cast<uint32_t>(flags::Http2MaxConcurrentStreams(options));
  http2_options.idle_timeout = options.idle_timeout;
  if (absl::Status valid = http2_options.Validate(); !valid.ok()) return Fail(std::string(valid.message()));
  run.codec_factory = server::DefaultCodecFactory(http1_options, http2_options);
  run.tls.new_ssl = [tls](absl::string_view local_ip) { return tls->NewSsl(local_ip); };
  run.tls.on_handshake_failure = [tls](const SSL* ssl, int rc, absl::string_view remote) {
    tls->OnHandshakeFailure(ssl, rc, remote);
  };
  run.tls.inspect = [](SSL* ssl, http::ConnectionInfo* info) {
    tls::ClientCertificateResult result = tls::VerifyPeerCertificate(ssl);
    if (!result.presented) return;
    if (result.identity.has_value()) {
      http::ClientCertificate identity;
      identity.common_name = result.identity->common_name;
      identity.organizations = result.identity->organizations;
      identity.dns_names = result.identity->dns_names;
      identity.ip_addresses = result.identity->ip_addresses;
      identity.emails = result.identity->emails;
      identity.uris = result.identity->uris;
      info->client_certificate = std::move(identity);
    } else {
      info->client_certificate_error = result.error;
    }
  };

  // Metrics read at scrape time: this process, TLS handshake errors, connections and HTTP/2 counters.
  base::metrics::Registry& metrics = base::metrics::Registry::Default();
  std::atomic<server::SecureServer*> serving{nullptr};
  run.on_serving = [&serving](server::SecureServer& secure) { serving.store(&secure, std::memory_order_release); };
  const base::metrics::CollectorHandle process_metrics = metrics.AddCollector(base::metrics::ProcessCollector());
  const base::metrics::CollectorHandle tls_metrics =
      metrics.AddCollector(server::TlsCollector(&tls->handshake_errors()));
  const base::metrics::CollectorHandle serving_metrics = metrics.AddCollector(server::ServingCollector(&serving));

  lifecycle::Signal stop("stop");
  if (absl::Status installed = lifecycle::StopOnOsSignals(&stop); !installed.ok()) {
    return Fail(std::string(installed.message()));
  }
  const absl::Status ran = server::Run(*std::move(prepared), run, &stop);
  serving.store(nullptr, std::memory_order_release);  // Run destroyed it
  if (!ran.ok()) return Fail(std::string(ran.message()));
  base::Logger::Global().Flush();
  return 0;
}

}  // namespace
}  // namespace apiserve

int main(int argc, char** argv) { return apiserve::Main(argc, argv); }
