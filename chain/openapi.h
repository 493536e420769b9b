#ifndef APISERVE_CHAIN_OPENAPI_H_
#define APISERVE_CHAIN_OPENAPI_H_

// OpenAPI documents built from the routes a server registered (kube serves them at /openapi/v2 and /openapi/v3).
//
// /openapi/v2: one Swagger 2.0 document. /openapi/v3: a discovery document listing one document per group path
// ("api/v1", "apis/demo.apiserve.io/v1"; everything else under "" is left out, as kube does for non-API paths),
// each at /openapi/v3/<group path>?hash=<etag>. Every document is built once (at PrepareRun), served with a strong
// `ETag`; `If-None-Match` with that tag answers 304.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "chain/api_group.h"
#include "chain/route_spec.h"
#include "http/handler.h"

namespace apiserve::chain {

// OpenApiDocuments holds the built documents.
struct OpenApiDocuments {
  std::string v2;
  std::string v3_discovery;
  std::vector<std::pair<std::string, std::string>> v3_groups;  // group path → document
};

// BuildOpenApi builds the documents for `routes` and the installed `groups` (a server's and its delegates'),
// titled `title`: the kinds' schemas and resource paths of each group version (chain/openapi_kinds.h) go into
// /openapi/v2 and into that group version's /openapi/v3 document.
OpenApiDocuments BuildOpenApi(const std::vector<RouteSpec>& routes,
                              const std::vector<std::shared_ptr<const APIGroupInfo>>& groups, const std::string& title);
// BuildOpenApi without installed groups.
inline OpenApiDocuments BuildOpenApi(const std::vector<RouteSpec>& routes, const std::string& title) {
  return BuildOpenApi(routes, {}, title);
}

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
