// Fuzzes the health endpoints' query handling: a random query string (and a random check subpath) is served by the
// root handler of "/healthz" with five checks — ping, a grouped check, a check that always fails, a blocking check
// and one whose name holds a '/' — installed on a chain::PathMux.
//
// Input: 1 byte of options (bit 0: serve `/healthz/<rest>` through the mux instead of the root; bit 1: method HEAD),
// then the query (or the subpath).
//
// Checks beyond the sanitizers, against what the request's own query parser says: the status is 500 exactly when
// the failing check was not excluded (by its name or its group); excluded checks are listed as such; unknown
// exclusions are reported in one `warn:` line; a passing, non-verbose probe answers `ok` alone; every answer is
// complete. A subpath answers 200/500 for a known check and 404 otherwise.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/fake_executor.h"
#include "chain/path_mux.h"
#include "healthz/check_metrics.h"
#include "healthz/handlers.h"
#include "healthz/health_checker.h"
#include "healthz/ping_check.h"
#include "http/testing.h"

namespace apiserve::healthz {
namespace {

void Check(bool condition, const std::string& what) {
  if (!condition) {
    fprintf(stderr, "healthz_query_fuzzer: check failed: %s\n", what.c_str());
    abort();
  }
}

struct Endpoint {
  Endpoint() : mux("fuzz") {
    HandlerOptions options;
    options.metrics = &metrics;
    options.log_failure = [](const std::string&) {};
    std::vector<HealthCheckerPtr> checks = {
        PingCheck(),
        NamedGroupedCheck("etcd", "storage", [](const http::Request&) { return absl::OkStatus(); }),
        NamedGroupedCheck("bad", "flaky", [](const http::Request&) { return absl::InternalError("always fails"); }),
        NamedBlockingCheck("slow", absl::Seconds(1), [](const http::Request&) { return absl::OkStatus(); }),
        NamedCheck("poststarthook/start", [](const http::Request&) { return absl::OkStatus(); }),
    };
    absl::Status status = InstallPathHandlerWithHealthyFunc(&mux, "/healthz", std::move(checks), std::move(options));
    Check(status.ok(), status.ToString());
  }
  CheckMetrics metrics;
  chain::PathMux mux;
};

void FuzzOne(absl::string_view data) {
  static Endpoint* const endpoint = new Endpoint();
  if (data.empty()) return;
  const uint8_t flags = static_cast<uint8_t>(data[0]);
  data.remove_prefix(1);
  const std::string method = (flags & 2) ? "HEAD" : "GET";
  base::FakeExecutor loop;

  if (flags & 1) {
    const std::string path = absl::StrCat("/healthz/", data);
    http::RequestPtr request = http::NewRequest(method, path, &loop);
    request->path = path;  // the whole input, '?' included
    request->raw_query.clear();
    http::HandlerPtr handler = endpoint->mux.Lookup(path);
    http::RecordedResponse r = http::ServeForTest(*handler, std::move(request), &loop);
    Check(r.complete, "a check subpath is answered");
    const bool known =
        data == "ping" || data == "etcd" || data == "bad" || data == "slow" || data == "poststarthook/start";
    Check(r.status == (known ? (data == "bad" ? 500 : 200) : 404), absl::StrCat("status ", r.status, " for ", path));
    return;
  }

  http::RequestPtr request = http::NewRequest(method, "/healthz", &loop);
  request->target = absl::StrCat("/healthz?", data);
  request->raw_query = std::string(data);
  const std::vector<std::string> excluded_values = request->QueryAll("exclude");
  const std::set<std::string> excluded(excluded_values.begin(), excluded_values.end());
  const bool verbose = request->HasQuery("verbose");
  http::RecordedResponse r = http::ServeForTest(*endpoint->mux.Lookup("/healthz"), request, &loop);

  Check(r.complete, "the root probe is answered");
  Check(r.headers.Get("X-Content-Type-Options") == "nosniff", "nosniff");
  const bool bad_runs = excluded.count("bad") == 0 && excluded.count("flaky") == 0;
  Check(r.status == (bad_runs ? 500 : 200), absl::StrCat("status ", r.status));
  // A group counts as matched only when it excluded a check that its name did not (the reference, §3.3).
  std::set<std::string> unknown = excluded;
  for (absl::string_view name : {"ping", "etcd", "bad", "slow", "poststarthook/start"})
    unknown.erase(std::string(name));
  if (excluded.count("etcd") == 0) unknown.erase("storage");
  if (excluded.count("bad") == 0) unknown.erase("flaky");
  const bool warns = absl::StrContains(r.body, "\nwarn: some health checks cannot be excluded: no matches for ") ||
                     absl::StartsWith(r.body, "warn: ");
  if (r.status == 200 && !verbose) {
    Check(r.body == "ok", "a quiet passing probe answers ok");
    return;
  }
  Check(warns == !unknown.empty(), "unknown exclusions are reported exactly when there are some");
  Check(absl::EndsWith(r.body, bad_runs ? "healthz check failed\n" : "healthz check passed\n"), "the last line");
  Check(absl::StartsWith(r.body, excluded.count("ping") ? "[+]ping excluded: ok\n" : "[+]ping ok\n"), "ping first");
  if (excluded.count("etcd")) {
    Check(absl::StrContains(r.body, "\n[+]etcd excluded: ok\n"), "etcd excluded by name");
  } else if (excluded.count("storage")) {
    Check(absl::StrContains(r.body, "\n[+]etcd excluded with storage: ok\n"), "etcd excluded by group");
  } else {
    Check(absl::StrContains(r.body, "\n[+]etcd ok\n"), "etcd ran");
  }
}

}  // namespace
}  // namespace apiserve::healthz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  apiserve::healthz::FuzzOne(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
