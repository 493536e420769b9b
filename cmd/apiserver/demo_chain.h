#ifndef APISERVE_CMD_APISERVER_DEMO_CHAIN_H_
#define APISERVE_CMD_APISERVER_DEMO_CHAIN_H_

// The apiserver binary's demo chain: aggregator → kube → apiextensions → not-found, like kube-apiserver's, with
// discovery (/apis, /apis/<g>, /apis/<g>/<v>, aggregated discovery) generated from what is installed:
//
//   kube           GET /version
//   apiextensions  demo.apiserve.io/v1, installed with InstallAPIGroup (cluster-scoped resources):
//                    delay  list    GET /apis/demo.apiserve.io/v1/delay?duration=2s   answers after the duration
//                    ticks  list    GET /apis/demo.apiserve.io/v1/ticks?count=N&interval=100ms
//                                   long-running stream, one JSON line per tick
//                    echo   create  POST /apis/demo.apiserve.io/v1/echo              returns the body (413 over the
//                                                                                    body limit)
//   not-found      503 before MuxAndDiscoveryComplete, then `404 page not found`
//
// It advertises nothing it does not serve: no core group (/api is 404, so `kubectl get pods` says the server has no
// such resource type), no apiextensions or apiregistration resources.

#include <memory>

#include "absl/status/statusor.h"
#include "chain/delegation_target.h"
#include "chain/generic_server.h"
#include "chain/version.h"
#include "cmd/apiserver/build_info.h"

namespace apiserve::demo {

struct DemoChain {
  std::unique_ptr<chain::EmptyDelegate> not_found;
  std::unique_ptr<chain::GenericServer> apiextensions;
  std::unique_ptr<chain::GenericServer> kube;
  std::unique_ptr<chain::GenericServer> aggregator;  // the outermost: PrepareRun this one
};

// BuildDemoChain builds the chain; `config` is applied to every server (names are set per server). The filter
// chain of the aggregator is the one that serves.
absl::StatusOr<DemoChain> BuildDemoChain(const chain::ServerConfig& config);

// The demo reports Kubernetes 1.32 (the kubectl these machines carry) so `kubectl version` prints no skew warning;
// its gitVersion says what it is: v1.32.0-apiserve.0.1.0, plus "+<commit>" and "-dirty" from the build stamp.
inline constexpr char kDemoGitVersion[] = "v1.32.0-apiserve.0.1.0";
chain::VersionInfo DemoVersion(const BuildInfo& build);

}  // namespace apiserve::demo

#endif  // APISERVE_CMD_APISERVER_DEMO_CHAIN_H_
