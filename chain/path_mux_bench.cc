// Micro-benchmark of PathMux lookups over a kube-like route table. Run: bazel run -c opt //chain:path_mux_bench
#include <cstdio>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "chain/path_mux.h"
#include "http/response.h"

int main() {
  using apiserve::chain::PathMux;
  PathMux mux("bench");
  auto ok = apiserve::http::StaticHandler(apiserve::http::Shared(apiserve::http::TextResponse(200, "ok")));
  for (const char* p : {"/healthz", "/livez", "/readyz", "/version", "/api", "/api/v1", "/apis", "/metrics",
                        "/openapi/v2", "/openapi/v3", "/healthz/ping", "/healthz/log", "/readyz/shutdown"}) {
    if (!mux.Handle(p, ok).ok()) return 1;
  }
  for (const char* p : {"/apis/demo.apiserve.io/v1/", "/apis/apiregistration.k8s.io/v1/", "/openapi/v3/",
                        "/api/v1/namespaces/", "/debug/pprof/"}) {
    if (!mux.HandlePrefix(p, ok).ok()) return 1;
  }
  const std::vector<std::string> paths = {"/healthz", "/readyz/shutdown", "/apis/demo.apiserve.io/v1/echo",
                                          "/api/v1/namespaces/default/pods/x", "/not/found/at/all"};
  constexpr int kRounds = 2'000'000;
  size_t found = 0;
  const absl::Time start = absl::Now();
  for (int i = 0; i < kRounds; ++i) {
    for (const std::string& path : paths) found += mux.Lookup(path) != nullptr;
  }
  const double ns = absl::ToDoubleNanoseconds(absl::Now() - start) / (static_cast<double>(kRounds) * paths.size());
  std::printf("PathMux lookup: %.1f ns per lookup over %zu paths (%zu found)\n", ns, paths.size(), found);
  return 0;
}
