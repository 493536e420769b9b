#ifndef APISERVE_HEALTHZ_HANDLERS_H_
#define APISERVE_HEALTHZ_HANDLERS_H_

// The health endpoints' HTTP handlers (kube's healthz.InstallHandler family): a root handler at `<path>` that runs
// every check and a per-check handler at `<path>/<check name>`, installed on an http::Router.
//
// Root handler (reference §3.3), any method:
//   ?exclude=<name|group> (repeatable) skips checks; ?verbose (any value) lists every check.
//   all pass, not verbose → 200 `ok` (one prebuilt shared response; no allocation for the body)
//   all pass, verbose     → 200 `[+]ping ok\n...<endpoint> check passed\n`
//   any fails             → 500 `[+]ping ok\n[-]bad failed: reason withheld\n<endpoint> check failed\n` (always
//                           verbose; the real reasons are logged at V(2), never sent)
//   Every answer has `Content-Type: text/plain; charset=utf-8` and `X-Content-Type-Options: nosniff`.
// Per-check handler (§3.4): 200 `ok`, or 500 `internal server error: <real reason>\n`; no exclusion, verbose,
// logging, metrics or first-time-healthy callback.
//
// `<endpoint>` is the first segment of `path` ("/healthz" → "healthz", "/healthz/test" → "healthz").
//
// Threading: handlers run on the connection's event loop. Non-blocking checks run inline; blocking checks run on the
// request executor's worker pool (CheckRunner) and the root handler answers through its ResponseWriter when the last
// one completed or timed out. Concurrent probes of one endpoint share a blocking check's run.

#include <functional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "healthz/check_metrics.h"
#include "healthz/health_checker.h"
#include "http/handler.h"

namespace apiserve::healthz {

struct HandlerOptions {
  // first_time_healthy runs once, the first time a root-handler probe passes (with or without ?exclude), on the
  // thread that answers it (readyz → fire HasBeenReady). May be empty.
  std::function<void()> first_time_healthy;
  // metrics receives one Record per check run by the root handler. Borrowed; null means CheckMetrics::Global().
  CheckMetrics* metrics = nullptr;
  // log_failure receives the failure log message of a failing root probe (see FormatFailureLog); the default writes
  // it with VLOG(2). Called on the answering thread.
  std::function<void(const std::string&)> log_failure;
};

// InstallHandler registers the checks at "/healthz" (ping if `checks` is empty). See InstallPathHandler.
absl::Status InstallHandler(http::Router* mux, std::vector<HealthCheckerPtr> checks);
// InstallReadyzHandler registers the checks at "/readyz".
absl::Status InstallReadyzHandler(http::Router* mux, std::vector<HealthCheckerPtr> checks);
// InstallLivezHandler registers the checks at "/livez".
absl::Status InstallLivezHandler(http::Router* mux, std::vector<HealthCheckerPtr> checks);

// InstallPathHandler registers the root handler at `path` and one handler per check at `path` + "/" + name, in
// registration order; with no checks, it installs ping. Returns the router's error (AlreadyExists for a taken path,
// e.g. two checks with one name); paths registered before the error stay registered. `mux` is borrowed for the call.
absl::Status InstallPathHandler(http::Router* mux, absl::string_view path, std::vector<HealthCheckerPtr> checks);

// InstallPathHandlerWithHealthyFunc is InstallPathHandler with options (first-time-healthy callback, metrics, log).
absl::Status InstallPathHandlerWithHealthyFunc(http::Router* mux, absl::string_view path,
                                               std::vector<HealthCheckerPtr> checks, HandlerOptions options = {});

// EndpointName returns the first segment of `path`: "/healthz" → "healthz", "/ready/x" → "ready".
std::string EndpointName(absl::string_view path);

}  // namespace apiserve::healthz

#endif  // APISERVE_HEALTHZ_HANDLERS_H_
