#ifndef APISERVE_CHAIN_ROUTE_SPEC_H_
#define APISERVE_CHAIN_ROUTE_SPEC_H_

// chain::RouteSpec: a route registered with GenericServer::HandleRoute, as OpenAPI and the long-running rules see it.

#include <string>
#include <vector>

namespace apiserve::chain {

struct RouteSpec {
  std::string path;                  // "/version"
  std::vector<std::string> methods;  // "GET", "POST"
  std::string summary;               // one line
  std::string response_type = "application/json";
  bool prefix = false;        // registered with HandlePrefix
  bool long_running = false;  // streams or waits: not timed out, not waited for at shutdown
};

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_ROUTE_SPEC_H_
