#include "options/server_run_options.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace apiserve::options {
namespace {

constexpr double kMaxGoawayChance = 0.02;

// kube's validateHSTSDirectives: each directive is max-age=<n>, includeSubDomains or preload.
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

}  // namespace

void ServerRunOptions::AddFlags(flags::FlagSet* fs) {
  fs->DurationVar(&shutdown_delay_duration, "shutdown-delay-duration", shutdown_delay_duration,
                  "Time to delay the termination. During that time the server keeps serving requests normally. The "
                  "endpoints /healthz and /livez will return success, but /readyz immediately returns failure. "
                  "Graceful termination starts after this delay has elapsed. This can be used to allow load "
                  "balancer to stop sending traffic to this server.");
  fs->BoolVar(&shutdown_send_retry_after, "shutdown-send-retry-after", shutdown_send_retry_after,
              "If true the HTTP Server will continue listening until all non long running request(s) in flight "
              "have been drained, during this window all incoming requests will be rejected with a status code 429 "
              "and a 'Retry-After' response header, in addition 'Connection: close' response header is set in "
              "order to tear down the TCP connection when idle.");
  fs->DurationVar(&shutdown_watch_termination_grace_period, "shutdown-watch-termination-grace-period",
                  shutdown_watch_termination_grace_period,
                  "This option, if set, represents the maximum amount of grace period the apiserver will wait for "
                  "active watch request(s) to drain during the graceful server shutdown window.");
  fs->DurationVar(&livez_grace_period, "livez-grace-period", livez_grace_period,
                  "This option represents the maximum amount of time it should take for apiserver to complete its "
                  "startup sequence and become live. From apiserver's start time to when this amount of time has "
                  "elapsed, /livez will assume that unfinished post-start hooks will complete successfully and "
                  "therefore return true.");
  fs->Float64Var(&goaway_chance, "goaway-chance", goaway_chance,
                 "To prevent HTTP/2 clients from getting stuck on a single apiserver, randomly close a connection "
                 "(GOAWAY). The client's other in-flight requests won't be affected, and the client will reconnect, "
                 "likely landing on a different apiserver after going through the load balancer again. This "
                 "argument sets the fraction of requests that will be sent a GOAWAY. Clusters with single "
                 "apiservers, or which don't use a load balancer, should NOT enable this. Min is 0 (off), Max is "
                 ".02 (1/50 requests); .001 (1/1000) is a recommended starting point.");
  fs->IntVar(&max_requests_inflight, "max-requests-inflight", max_requests_inflight,
             "The maximum number of non-mutating requests in flight at a given time. When the server exceeds this, "
             "it rejects requests with 429. Zero for no limit.");
  fs->IntVar(&max_mutating_requests_inflight, "max-mutating-requests-inflight", max_mutating_requests_inflight,
             "The maximum number of mutating requests in flight at a given time. When the server exceeds this, it "
             "rejects requests with 429. Zero for no limit.");
  fs->DurationVar(&request_timeout, "request-timeout", request_timeout,
                  "An optional field indicating the duration a handler must keep a request open before timing it "
                  "out. This is the default request timeout for requests but may be overridden by flags such as "
                  "--min-request-timeout for specific types of requests.");
  fs->IntVar(&min_request_timeout, "min-request-timeout", min_request_timeout,
             "An optional field indicating the minimum number of seconds a handler must keep a request open before "
             "timing it out. Currently only honored by the watch request handler, which picks a randomized value "
             "above this number as the connection timeout, to spread out load.");
  fs->StringSliceVar(&strict_transport_security_directives, "strict-transport-security-directives",
                     strict_transport_security_directives,
                     "List of directives for HSTS, comma separated. If this list is empty, then HSTS directives "
                     "will not be added. Example: 'max-age=31536000,includeSubDomains,preload'");
  fs->Int64Var(&max_request_body_bytes, "max-request-body-bytes", max_request_body_bytes,
               "Largest request body accepted, in bytes; a larger body is rejected with 413.");
}

void ServerRunOptions::Validate(std::vector<std::string>* problems) const {
  if (max_requests_inflight < 0) problems->push_back("--max-requests-inflight can not be negative value");
  if (max_mutating_requests_inflight < 0) {
    problems->push_back("--max-mutating-requests-inflight can not be negative value");
  }
  if (request_timeout < absl::ZeroDuration()) {
    problems->push_back("--request-timeout can not be negative value");
  } else if (request_timeout == absl::ZeroDuration()) {
    problems->push_back("--request-timeout must be greater than 0");
  }
  if (goaway_chance < 0 || goaway_chance > kMaxGoawayChance || goaway_chance != goaway_chance) {
    problems->push_back("--goaway-chance can not be less than 0 or greater than 0.02");
  }
  if (min_request_timeout < 0) problems->push_back("--min-request-timeout can not be negative value");
  if (shutdown_delay_duration < absl::ZeroDuration()) {
    problems->push_back("--shutdown-delay-duration can not be negative value");
  }
  if (shutdown_watch_termination_grace_period < absl::ZeroDuration()) {
    problems->push_back("shutdown-watch-termination-grace-period, if provided, can not be a negative value");
  }
  if (max_request_body_bytes < 0) problems->push_back("--max-request-body-bytes can not be negative value");
  ValidateHstsDirectives(strict_transport_security_directives, problems);
  if (livez_grace_period < absl::ZeroDuration()) {
    problems->push_back("--livez-grace-period can not be a negative value");
  }
}

void ServerRunOptions::ApplyTo(server::Config* config) const {
  chain::ServerConfig& c = config->chain;
  c.shutdown_delay_duration = shutdown_delay_duration;
  c.shutdown_send_retry_after = shutdown_send_retry_after;
  c.shutdown_watch_termination_grace_period = shutdown_watch_termination_grace_period;
  c.livez_grace_period = livez_grace_period;
  c.goaway_chance = config->tls.disable_http2 ? 0 : goaway_chance;
  c.max_requests_inflight = max_requests_inflight;
  c.max_mutating_requests_inflight = max_mutating_requests_inflight;
  c.request_timeout = request_timeout;
  c.min_request_timeout = absl::Seconds(min_request_timeout);
  c.hsts_directives = strict_transport_security_directives;
  c.max_request_body_bytes = static_cast<uint64_t>(max_request_body_bytes);
}

}  // namespace apiserve::options
