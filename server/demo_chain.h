#ifndef APISERVE_SERVER_DEMO_CHAIN_H_
#define APISERVE_SERVER_DEMO_CHAIN_H_

// The apiserver binary's demo chain: aggregator → kube → apiextensions → not-found, each with kube-like discovery
// routes, and a demo group that exercises the framework:
//
//   aggregator     GET /apis, GET /apis/apiregistration.k8s.io/v1
//   kube           GET /api, GET /api/v1, GET /version
//   apiextensions  GET /apis/apiextensions.k8s.io/v1
//                  GET /apis/demo.apiserve.io/v1/delay?duration=2s      answers asynchronously from a timer
//                  GET /apis/demo.apiserve.io/v1/ticks?count=N&interval=100ms
//                                                                     long-running stream, one JSON line per tick
//                  POST /apis/demo.apiserve.io/v1/echo                returns the body (413 over the body limit)
//   not-found      503 before MuxAndDiscoveryComplete, then `404 page not found`

#include <memory>

#include "absl/status/statusor.h"
#include "chain/delegation_target.h"
#include "chain/generic_server.h"

namespace apiserve::server {

struct DemoChain {
  std::unique_ptr<chain::EmptyDelegate> not_found;
  std::unique_ptr<chain::GenericServer> apiextensions;
  std::unique_ptr<chain::GenericServer> kube;
  std::unique_ptr<chain::GenericServer> aggregator;  // the outermost: PrepareRun this one
};

// BuildDemoChain builds the chain; `config` is applied to every server (names are set per server). The filter
// chain of the aggregator is the one that serves.
absl::StatusOr<DemoChain> BuildDemoChain(const chain::ServerConfig& config);

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_DEMO_CHAIN_H_
