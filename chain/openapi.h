#ifndef APISERVE_CHAIN_OPENAPI_H_
#define APISERVE_CHAIN_OPENAPI_H_

// OpenAPI documents built from the routes a server registered (kube serves them at /openapi/v2 and /openapi/v3).
//
// /openapi/v2: one Swagger 2.0 document, as JSON or in its protobuf form (gnostic's openapi.v2.Document,
// chain/openapi_proto.h), chosen by the Accept header as kube-openapi does. /openapi/v3: a discovery document listing
// one document per group path
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
  // v2 in its protobuf form; an error if the v2 JSON could not be read back (then a protobuf request gets 503).
  absl::StatusOr<std::string> v2_protobuf;
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

// The media subtypes of the protobuf form (kube-openapi's): clients ask for either (client-go sends the deprecated
// one); the answer's Content-Type is always application/<kOpenApiV2ProtobufSubtype>.
inline constexpr absl::string_view kOpenApiV2ProtobufSubtype = "com.github.proto-openapi.spec.v2.v1.0+protobuf";
inline constexpr absl::string_view kOpenApiV2ProtobufSubtypeDeprecated =
    "com.github.proto-openapi.spec.v2@v1.0+protobuf";

enum class OpenApiV2Format { kNone, kJson, kProtobuf };

// NegotiateOpenApiV2 returns kube-openapi's choice for an Accept header: the first media range (higher q first; at
// equal q, concrete types before wildcards) that application/json, the deprecated or the current protobuf subtype
// matches, tried in that order — so "*/*" and a missing header give JSON. kNone: nothing acceptable (406).
// Deviation: kube-openapi serves a range with q=0; here q=0 refuses it (RFC 9110 §12.4.2).
OpenApiV2Format NegotiateOpenApiV2(absl::string_view accept);

// Gzip compresses `data` in the gzip format.
absl::StatusOr<std::string> Gzip(absl::string_view data);

// ETagOf returns the quoted strong entity tag for `body` (a hash of its bytes).
std::string ETagOf(const std::string& body);

// StaticJsonWithETag answers `body` as application/json with its ETag, 304 when If-None-Match matches, and the
// gzip-compressed body (compressed once) when Accept-Encoding allows gzip.
http::HandlerPtr StaticJsonWithETag(std::string body);

// StaticWithETag is StaticJsonWithETag for any `content_type`, with the entity tag `etag` given (quoted) and
// `vary` added as Vary headers after Accept-Encoding (also on the 304).
http::HandlerPtr StaticWithETag(std::string body, absl::string_view content_type, std::string etag,
                                const std::vector<std::string>& vary);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_OPENAPI_H_
