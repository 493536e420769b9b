#include "options/serving_limits_options.h"

#include <thread>

#include "absl/strings/str_cat.h"

namespace apiserve::options {
namespace {

void RequirePositive(absl::Duration d, absl::string_view flag, std::vector<std::string>* problems) {
  if (d <= absl::ZeroDuration()) problems->push_back(absl::StrCat("--", flag, " must be greater than 0"));
}

}  // namespace

int DefaultWorkers() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

void ServingLimitsOptions::AddFlags(flags::FlagSet* fs) {
  fs->IntVar(&workers, "workers", workers,
             "Number of event-loop threads. They share one listening socket (with --permit-port-sharing each "
             "binds its own with SO_REUSEPORT). Defaults to the number of hardware threads.");
  fs->DurationVar(&read_header_timeout, "read-header-timeout", read_header_timeout,
                  "Time allowed for a new connection's TLS handshake and each request's headers before the "
                  "connection is closed.");
  fs->DurationVar(&idle_timeout, "idle-timeout", idle_timeout,
                  "Time an idle keep-alive connection is kept open before it is closed (HTTP/2: with GOAWAY).");
  fs->Int64Var(&max_connections, "max-connections", max_connections,
               "Maximum number of open client connections across all workers; at the limit the longest-idle "
               "connection is closed to admit a new one, or the new one is closed at once when none is idle "
               "(logged once per burst). Zero means no limit.");
  fs->BoolVar(&enable_request_metrics, "enable-request-metrics", enable_request_metrics,
              "Record apiserver_request_total, apiserver_request_duration_seconds and apiserver_response_sizes "
              "for every request (kube-apiserver always does).");
  fs->DurationVar(&pre_shutdown_hook_timeout, "pre-shutdown-hook-timeout", pre_shutdown_hook_timeout,
                  "Maximum time the pre-shutdown hooks may run during graceful termination before shutdown "
                  "proceeds without them.");
  fs->BoolVar(&shutdown_drain_connections, "shutdown-drain-connections", shutdown_drain_connections,
              "Halfway through --shutdown-delay-duration (once /readyz has failed long enough for a load balancer to "
              "stop routing here), ask persistent connections to move to other replicas while this one still "
              "listens and serves: HTTP/1.1 responses carry 'Connection: close', "
              "HTTP/2 connections get the GOAWAY shutdown notice, and connections idle for "
              "--shutdown-drain-idle-grace are closed. Needed for a rolling restart behind a TCP (passthrough) load "
              "balancer to lose no request. "
              "kube-apiserver does not do this (false reproduces it).");
  fs->DurationVar(&shutdown_drain_idle_grace, "shutdown-drain-idle-grace", shutdown_drain_idle_grace,
                  "With --shutdown-drain-connections, time an idle connection is kept open after it is asked to move "
                  "before it is closed. Keep it below half of --shutdown-delay-duration.");
}

void ServingLimitsOptions::Validate(std::vector<std::string>* problems) const {
  if (workers < 1) problems->push_back("--workers must be at least 1");
  RequirePositive(read_header_timeout, "read-header-timeout", problems);
  RequirePositive(idle_timeout, "idle-timeout", problems);
  RequirePositive(pre_shutdown_hook_timeout, "pre-shutdown-hook-timeout", problems);
  RequirePositive(shutdown_drain_idle_grace, "shutdown-drain-idle-grace", problems);
  if (max_connections < 0) problems->push_back("--max-connections can not be negative value");
}

void ServingLimitsOptions::ApplyTo(server::Config* config) const {
  config->serving.workers = workers;
  config->serving.max_connections = max_connections;
  config->serving.connection.read_header_timeout = read_header_timeout;
  config->serving.connection.idle_timeout = idle_timeout;
  config->serving.drain_connections = shutdown_drain_connections;
  config->serving.connection.drain_idle_grace = shutdown_drain_idle_grace;
  config->http2.idle_timeout = idle_timeout;
  config->chain.request_metrics = enable_request_metrics;
  config->chain.pre_shutdown_hook_timeout = pre_shutdown_hook_timeout;
}

}  // namespace apiserve::options
