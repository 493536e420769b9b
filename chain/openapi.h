#ifndef APISERVE_CHAIN_OPENAPI_H_
#define APISERVE_CHAIN_OPENAPI_H_

// OpenAPI documents built from the routes a server registered (kube serves them at /openapi/v2 and /openapi/v3).
//
// /openapi/v2: one Swagger 2.0 document. /openapi/v3: a discovery document listing one document per group path
// ("api/v1", "apis/demo.apiserve.io/v1"; everything else under "" is left out, as kube does for non-API paths),
// each at /openapi/v3/<group path>?hash=<etag>. Every document is built once (at PrepareRun), served with a strong
// `ETag`; `If-None-Match` with that tag answers 304.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "http/handler.h"

namespace apiserve::chain {

// RouteSpec describes a route for the OpenAPI documents.
struct RouteSpec {
  std::string path;                  // "/apis/demo.apiserve.io/v1/echo"
  std::vector<std::string> methods;  // "GET", "POST"
  std::string summary;               // one line
  std::string response_type = "application/json";
  bool prefix = false;        // registered with HandlePrefix
  bool long_running = false;  // streams or waits: not timed out, not waited for at shutdown
};

// OpenApiDocuments holds the built documents.
struct OpenApiDocuments {
  std::string v2;
  std::string v3_discovery;
  std::vector<std::pair<std::string, std::string>> v3_groups;  // group path → document
};

// BuildOpenApi builds the documents for `routes` (a server and its delegates), titled `title`.
OpenApiDocuments BuildOpenApi(const std::vector<RouteSpec>& routes, const std::string& title);

// InstallOpenApi registers /openapi/v2, /openapi/v3 and /openapi/v3/<group> on `mux`.
absl::Status InstallOpenApi(http::Router* mux, const OpenApiDocuments& documents);

// Gzip compresses `data` in the gzip format.
absl::StatusOr<std::string> Gzip(absl::string_view data);

// ETagOf returns the quoted strong entity tag for `body` (a hash of its bytes).
std::string ETagOf(const std::string& body);

// StaticJsonWithETag answers `body` as application/json with its ETag, 304 when If-None-Match matches, and the
// gzip-compressed body (compressed once) when Accept-Encoding allows gzip.
http::HandlerPtr StaticJsonWithETag(std::string body);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_OPENAPI_H_
