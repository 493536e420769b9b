#include "flags/apiserver_flags.h"

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "flags/go_strconv.h"

namespace apiserve::flags {
namespace {

constexpr int kDefaultHttp2MaxStreams = 100;
constexpr double kMaxGoawayChance = 0.02;

bool IsValidAuthorizationMode(absl::string_view mode) {
  return mode == "AlwaysAllow" || mode == "AlwaysDeny" || mode == "Bootstrap";
}

// kube's validateHSTSDirectives: each directive is max-age=<n>, includeSubDomains or preload.
constexpr absl::string_view kKnownFeatureGates[] = {"UnauthenticatedHTTP2DOSMitigation"};

void ValidateFeatureGates(const std::vector<std::string>& gates, std::vector<std::string>* problems) {
  for (const std::string& gate : gates) {
    const size_t eq = gate.find('=');
    if (eq == std::string::npos) {
      problems->push_back(absl::StrCat("missing bool value for ", gate));
      continue;
    }
    const std::string name = std::string(absl::StripAsciiWhitespace(gate.substr(0, eq)));
    const std::string value = std::string(absl::StripAsciiWhitespace(gate.substr(eq + 1)));
    if (std::find(std::begin(kKnownFeatureGates), std::end(kKnownFeatureGates), name) == std::end(kKnownFeatureGates)) {
      problems->push_back(absl::StrCat("unrecognized feature gate: ", name));
      continue;
    }
    if (absl::StatusOr<bool> parsed = ParseGoBool(value); !parsed.ok()) {
      problems->push_back(absl::StrCat("invalid value of ", name, "=", value, ", err: ", parsed.status().message()));
    }
  }
}

void ValidateHstsDirectives(const std::vector<std::string>& directives, std::vector<std::string>* problems) {
  for (const std::string& directive : directives) {
    if (absl::StripAsciiWhitespace(directive).empty()) {
      problems->push_back("empty value in strict-transport-security-directives");
      continue;
    }
    if (directive == "includeSubDomains" || directive == "preload") continue;
    const std::vector<absl::string_view> parts = absl::StrSplit(directive, '=');
    if (parts.size() != 2 || parts[0] != "max-age") {
      problems->push_back(
          "--strict-transport-security-directives invalid, allowed values: max-age=expireTime, includeSubDomains, "
          "preload. see https://tools.ietf.org/html/rfc6797#section-6.1 for more information");
    }
  }
}

// kube's BuiltInAuthorizationOptions.Validate, for the modes apiserve implements.
void ValidateAuthorizationModes(const std::vector<std::string>& modes, std::vector<std::string>* problems) {
  if (modes.empty()) problems->push_back("at least one authorization-mode must be passed");
  for (const std::string& mode : modes) {
    if (!IsValidAuthorizationMode(mode)) {
      problems->push_back(absl::StrCat("authorization-mode ", GoQuote(mode), " is not a valid mode"));
    }
  }
  if (std::set<std::string>(modes.begin(), modes.end()).size() != modes.size()) {
    std::vector<std::string> quoted;
    for (const std::string& mode : modes) quoted.push_back(GoQuote(mode));
    problems->push_back(
        absl::StrCat("authorization-mode [", absl::StrJoin(quoted, " "), "] has mode specified more than once"));
  }
}

void RequirePositive(absl::Duration d, absl::string_view flag, std::vector<std::string>* problems) {
  if (d <= absl::ZeroDuration()) problems->push_back(absl::StrCat("--", flag, " must be greater than 0"));
}

// The text of kube's utilerrors.NewAggregate: duplicates dropped; one message alone, several as "[a, b]".
std::string Aggregate(const std::vector<std::string>& problems) {
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (const std::string& p : problems) {
    if (seen.insert(p).second) unique.push_back(p);
  }
  if (unique.size() == 1) return unique[0];
  return absl::StrCat("[", absl::StrJoin(unique, ", "), "]");
}

}  // namespace

int DefaultWorkers() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

void RegisterApiserverFlags(FlagSet* fs, ApiserverFlags* o) {
  // Secure serving.
  fs->IPVar(&o->bind_address, "bind-address", o->bind_address,
            "The IP address on which to listen for the --secure-port port. The associated interface(s) must be "
            "reachable by the rest of the cluster, and by CLI/web clients. If blank or an unspecified address "
            "(0.0.0.0 or ::), all interfaces and IP address families will be used.");
  fs->IntVar(&o->secure_port, "secure-port", o->secure_port,
             "The port on which to serve HTTPS with authentication and authorization. It cannot be switched off "
             "with 0.");
  fs->StringVar(&o->cert_dir, "cert-dir", o->cert_dir,
                "The directory where the TLS certs are located. If --tls-cert-file and --tls-private-key-file are "
                "provided, this flag will be ignored.");
  fs->StringVar(&o->tls_cert_file, "tls-cert-file", o->tls_cert_file,
                "File containing the default x509 Certificate for HTTPS. (CA cert, if any, concatenated after "
                "server cert). If HTTPS serving is enabled, and --tls-cert-file and --tls-private-key-file are not "
                "provided, a self-signed certificate and key are generated for the public address and saved to the "
                "directory specified by --cert-dir.");
  fs->StringVar(&o->tls_private_key_file, "tls-private-key-file", o->tls_private_key_file,
                "File containing the default x509 private key matching --tls-cert-file.");
  fs->StringArrayVar(&o->tls_sni_cert_key, "tls-sni-cert-key", o->tls_sni_cert_key,
                     "A pair of x509 certificate and private key file paths, optionally suffixed with a list of "
                     "domain patterns which are fully qualified domain names, possibly with prefixed wildcard "
                     "segments. The domain patterns also allow IP addresses, but IPs should only be used if the "
                     "apiserver has visibility to the IP address requested by a client. If no domain patterns are "
                     "provided, the names of the certificate are extracted. Non-wildcard matches trump over wildcard "
                     "matches, explicit domain patterns trump over extracted names. For multiple key/certificate "
                     "pairs, use the --tls-sni-cert-key multiple times. Examples: \"example.crt,example.key\" or "
                     "\"foo.crt,foo.key:*.foo.com,foo.com\".");
  fs->StringVar(&o->client_ca_file, "client-ca-file", o->client_ca_file,
                "If set, any request presenting a client certificate signed by one of the authorities in the "
                "client-ca-file is authenticated with an identity corresponding to the CommonName of the client "
                "certificate.");
  fs->StringVar(&o->tls_min_version, "tls-min-version", o->tls_min_version,
                "Minimum TLS version supported. Possible values: VersionTLS10, VersionTLS11, VersionTLS12, "
                "VersionTLS13");
  fs->StringSliceVar(&o->tls_cipher_suites, "tls-cipher-suites", o->tls_cipher_suites,
                     "Comma-separated list of cipher suites for the server. If omitted, the default cipher suites "
                     "will be used. Only affects TLS 1.2 and below.");
  fs->IntVar(&o->http2_max_streams_per_connection, "http2-max-streams-per-connection",
             o->http2_max_streams_per_connection,
             "The limit that the server gives to clients for the maximum number of streams in an HTTP/2 "
             "connection. Zero means to use the default (100).");
  fs->BoolVar(&o->disable_http2_serving, "disable-http2-serving", o->disable_http2_serving,
              "If true, HTTP2 serving will be disabled [default=false]");
  fs->BoolVar(&o->permit_port_sharing, "permit-port-sharing", o->permit_port_sharing,
              "If true, SO_REUSEPORT will be used when binding the port, which allows more than one instance to "
              "bind on the same address and port. [default=false]");
  fs->BoolVar(&o->permit_address_sharing, "permit-address-sharing", o->permit_address_sharing,
              "If true, SO_REUSEADDR will be used when binding the port. This allows binding to wildcard IPs like "
              "0.0.0.0 and specific IPs in parallel, and it avoids waiting for the kernel to release sockets in "
              "TIME_WAIT state. [default=false] (Accepted for compatibility: apiserve, like Go on Linux, sets "
              "SO_REUSEADDR on every listener whatever this flag says.)");

  // Graceful termination and health.
  fs->DurationVar(&o->shutdown_delay_duration, "shutdown-delay-duration", o->shutdown_delay_duration,
                  "Time to delay the termination. During that time the server keeps serving requests normally. The "
                  "endpoints /healthz and /livez will return success, but /readyz immediately returns failure. "
                  "Graceful termination starts after this delay has elapsed. This can be used to allow load "
                  "balancer to stop sending traffic to this server.");
  fs->BoolVar(&o->shutdown_send_retry_after, "shutdown-send-retry-after", o->shutdown_send_retry_after,
              "If true the HTTP Server will continue listening until all non long running request(s) in flight "
              "have been drained, during this window all incoming requests will be rejected with a status code 429 "
              "and a 'Retry-After' response header, in addition 'Connection: close' response header is set in "
              "order to tear down the TCP connection when idle.");
  fs->DurationVar(&o->shutdown_watch_termination_grace_period, "shutdown-watch-termination-grace-period",
                  o->shutdown_watch_termination_grace_period,
                  "This option, if set, represents the maximum amount of grace period the apiserver will wait for "
                  "active watch request(s) to drain during the graceful server shutdown window.");
  fs->DurationVar(&o->livez_grace_period, "livez-grace-period", o->livez_grace_period,
                  "This option represents the maximum amount of time it should take for apiserver to complete its "
                  "startup sequence and become live. From apiserver's start time to when this amount of time has "
                  "elapsed, /livez will assume that unfinished post-start hooks will complete successfully and "
                  "therefore return true.");

  // Requests.
  fs->Float64Var(&o->goaway_chance, "goaway-chance", o->goaway_chance,
                 "To prevent HTTP/2 clients from getting stuck on a single apiserver, randomly close a connection "
                 "(GOAWAY). The client's other in-flight requests won't be affected, and the client will reconnect, "
                 "likely landing on a different apiserver after going through the load balancer again. This "
                 "argument sets the fraction of requests that will be sent a GOAWAY. Clusters with single "
                 "apiservers, or which don't use a load balancer, should NOT enable this. Min is 0 (off), Max is "
                 ".02 (1/50 requests); .001 (1/1000) is a recommended starting point.");
  fs->IntVar(&o->max_requests_inflight, "max-requests-inflight", o->max_requests_inflight,
             "The maximum number of non-mutating requests in flight at a given time. When the server exceeds this, "
             "it rejects requests with 429. Zero for no limit.");
  fs->IntVar(&o->max_mutating_requests_inflight, "max-mutating-requests-inflight", o->max_mutating_requests_inflight,
             "The maximum number of mutating requests in flight at a given time. When the server exceeds this, it "
             "rejects requests with 429. Zero for no limit.");
  fs->DurationVar(&o->request_timeout, "request-timeout", o->request_timeout,
                  "An optional field indicating the duration a handler must keep a request open before timing it "
                  "out. This is the default request timeout for requests but may be overridden by flags such as "
                  "--min-request-timeout for specific types of requests.");
  fs->IntVar(&o->min_request_timeout, "min-request-timeout", o->min_request_timeout,
             "An optional field indicating the minimum number of seconds a handler must keep a request open before "
             "timing it out. Currently only honored by the watch request handler, which picks a randomized value "
             "above this number as the connection timeout, to spread out load.");
  fs->StringSliceVar(&o->strict_transport_security_directives, "strict-transport-security-directives",
                     o->strict_transport_security_directives,
                     "List of directives for HSTS, comma separated. If this list is empty, then HSTS directives "
                     "will not be added. Example: 'max-age=31536000,includeSubDomains,preload'");

  // Authentication and authorization.
  fs->StringVar(&o->token_auth_file, "token-auth-file", o->token_auth_file,
                "If set, the file that will be used to secure the secure port of the API server via token "
                "authentication.");
  fs->BoolVar(&o->anonymous_auth, "anonymous-auth", o->anonymous_auth,
              "Enables anonymous requests to the secure port of the API server. Requests that are not rejected by "
              "another authentication method are treated as anonymous requests. Anonymous requests have a username "
              "of system:anonymous, and a group name of system:unauthenticated.");
  fs->StringSliceVar(&o->authorization_mode, "authorization-mode", o->authorization_mode,
                     "Ordered list of plug-ins to do authorization on secure port. Comma-delimited list of: "
                     "AlwaysAllow,AlwaysDeny,Bootstrap.");
  fs->StringSliceVar(&o->feature_gates, "feature-gates", o->feature_gates,
                     "A set of key=value pairs that describe feature gates for alpha/experimental features. Options "
                     "are: UnauthenticatedHTTP2DOSMitigation=true|false (BETA - default=true)");

  // Process.
  fs->IntVar(&o->workers, "workers", o->workers,
             "Number of event-loop threads. They share one listening socket (with --permit-port-sharing each "
             "binds its own with SO_REUSEPORT). Defaults to the number of hardware threads.");
  fs->IntVar(&o->verbosity, "v", o->verbosity, "number for the log level verbosity");

  // apiserve's own limits.
  fs->DurationVar(&o->read_header_timeout, "read-header-timeout", o->read_header_timeout,
                  "Time allowed for a new connection's TLS handshake and each request's headers before the "
                  "connection is closed.");
  fs->DurationVar(&o->idle_timeout, "idle-timeout", o->idle_timeout,
                  "Time an idle keep-alive connection is kept open before it is closed (HTTP/2: with GOAWAY).");
  fs->Int64Var(&o->max_request_body_bytes, "max-request-body-bytes", o->max_request_body_bytes,
               "Largest request body accepted, in bytes; a larger body is rejected with 413.");
  fs->Int64Var(&o->max_connections, "max-connections", o->max_connections,
               "Maximum number of open client connections across all workers; beyond it a new connection is "
               "closed at once (logged once per burst). Zero means no limit.");
  fs->BoolVar(&o->enable_request_metrics, "enable-request-metrics", o->enable_request_metrics,
              "Record apiserver_request_total, apiserver_request_duration_seconds and apiserver_response_sizes "
              "for every request (kube-apiserver always does).");
  fs->DurationVar(&o->pre_shutdown_hook_timeout, "pre-shutdown-hook-timeout", o->pre_shutdown_hook_timeout,
                  "Maximum time the pre-shutdown hooks may run during graceful termination before shutdown "
                  "proceeds without them.");
}

absl::Status ValidateApiserverFlags(const ApiserverFlags& o) {
  std::vector<std::string> problems;
  // Secure serving.
  if (o.secure_port < 1 || o.secure_port > 65535) {
    problems.push_back(absl::StrCat("--secure-port ", o.secure_port,
                                    " must be between 1 and 65535, inclusive. It cannot be turned off with 0"));
  }
  for (const std::string& value : o.tls_sni_cert_key) {
    absl::StatusOr<SniCertKey> parsed = ParseSniCertKey(value);
    if (!parsed.ok()) {
      // What kube prints when its NamedCertKey flag rejects the value.
      problems.push_back(absl::StrCat("invalid argument ", GoQuote(value),
                                      " for \"--tls-sni-cert-key\" flag: ", parsed.status().message()));
    }
  }
  if (absl::StatusOr<uint16_t> version = ParseTlsVersion(o.tls_min_version); !version.ok()) {
    problems.emplace_back(version.status().message());
  }
  // Server run options, in kube's order.
  if (o.max_requests_inflight < 0) problems.push_back("--max-requests-inflight can not be negative value");
  if (o.max_mutating_requests_inflight < 0) {
    problems.push_back("--max-mutating-requests-inflight can not be negative value");
  }
  if (o.request_timeout < absl::ZeroDuration()) {
    problems.push_back("--request-timeout can not be negative value");
  } else if (o.request_timeout == absl::ZeroDuration()) {
    problems.push_back("--request-timeout must be greater than 0");
  }
  if (o.goaway_chance < 0 || o.goaway_chance > kMaxGoawayChance || o.goaway_chance != o.goaway_chance) {
    problems.push_back("--goaway-chance can not be less than 0 or greater than 0.02");
  }
  if (o.min_request_timeout < 0) problems.push_back("--min-request-timeout can not be negative value");
  if (o.shutdown_delay_duration < absl::ZeroDuration()) {
    problems.push_back("--shutdown-delay-duration can not be negative value");
  }
  if (o.shutdown_watch_termination_grace_period < absl::ZeroDuration()) {
    problems.push_back("shutdown-watch-termination-grace-period, if provided, can not be a negative value");
  }
  if (o.max_request_body_bytes < 0) problems.push_back("--max-request-body-bytes can not be negative value");
  ValidateHstsDirectives(o.strict_transport_security_directives, &problems);
  if (o.livez_grace_period < absl::ZeroDuration()) {
    problems.push_back("--livez-grace-period can not be a negative value");
  }
  ValidateAuthorizationModes(o.authorization_mode, &problems);
  ValidateFeatureGates(o.feature_gates, &problems);
  // apiserve's own.
  if (o.workers < 1) problems.push_back("--workers must be at least 1");
  RequirePositive(o.read_header_timeout, "read-header-timeout", &problems);
  RequirePositive(o.idle_timeout, "idle-timeout", &problems);
  RequirePositive(o.pre_shutdown_hook_timeout, "pre-shutdown-hook-timeout", &problems);
  if (o.max_connections < 0) problems.push_back("--max-connections can not be negative value");

  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(Aggregate(problems));
}

absl::StatusOr<uint16_t> ParseTlsVersion(absl::string_view name) {
  if (name.empty()) return 0;
  if (name == "VersionTLS10") return 0x0301;
  if (name == "VersionTLS11") return 0x0302;
  if (name == "VersionTLS12") return 0x0303;
  if (name == "VersionTLS13") return 0x0304;
  return absl::InvalidArgumentError(absl::StrCat("unknown tls version ", GoQuote(name)));
}

int Http2MaxConcurrentStreams(const ApiserverFlags& options) {
  return options.http2_max_streams_per_connection > 0 ? options.http2_max_streams_per_connection
                                                      : kDefaultHttp2MaxStreams;
}

bool FeatureEnabled(const ApiserverFlags& flags, absl::string_view gate, bool default_value) {
  bool value = default_value;
  for (const std::string& entry : flags.feature_gates) {
    const size_t eq = entry.find('=');
    if (eq == std::string::npos || absl::StripAsciiWhitespace(entry.substr(0, eq)) != gate) continue;
    if (absl::StatusOr<bool> parsed = ParseGoBool(absl::StripAsciiWhitespace(entry.substr(eq + 1))); parsed.ok()) {
      value = *parsed;  // the last mention wins, as in kube's map flag
    }
  }
  return value;
}

}  // namespace apiserve::flags
