#include "chain/openapi.h"

#include <map>
#include <set>

#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "chain/openapi_kinds.h"
#include "http/header_map.h"
#include "http/json_writer.h"
#include "http/response.h"
#include "zlib.h"

namespace apiserve::chain {
namespace {

// GroupPathOf returns "api/v1" or "apis/<group>/<version>" for API paths, "" otherwise.
std::string GroupPathOf(const std::string& path) {
  std::vector<absl::string_view> parts = absl::StrSplit(absl::string_view(path).substr(1), '/');
  if (parts.size() >= 2 && parts[0] == "api" && !parts[1].empty()) return absl::StrCat("api/", parts[1]);
  if (parts.size() >= 3 && parts[0] == "apis" && !parts[1].empty() && !parts[2].empty()) {
    return absl::StrCat("apis/", parts[1], "/", parts[2]);
  }
  return "";
}

void WriteInfo(http::JsonWriter& json, const std::string& title) {
  json.Key("info");
  json.BeginObject();
  json.Key("title");
  json.String(title);
  json.Key("version");
  json.String("unversioned");
  json.EndObject();
}

// AddRoutePaths adds a path item per route (prefix routes as "<prefix>{path}") to `paths`.
void AddRoutePaths(const std::vector<const RouteSpec*>& routes, bool v3, std::map<std::string, std::string>* paths) {
  std::map<std::string, const RouteSpec*> by_path;
  for (const RouteSpec* route : routes) by_path[route->prefix ? route->path + "{path}" : route->path] = route;
  for (const auto& [path, route] : by_path) {
    http::JsonWriter json;
    json.BeginObject();
    std::set<std::string> methods(route->methods.begin(), route->methods.end());
    for (const std::string& method : methods) {
      json.Key(absl::AsciiStrToLower(method));
      json.BeginObject();
      json.Key("description");
      json.String(route->summary);
      json.Key("operationId");
      json.String(absl::StrCat(absl::AsciiStrToLower(method), path));
      if (!v3) {
        json.Key("produces");
        json.BeginArray();
        json.String(route->response_type);
        json.EndArray();
      }
      json.Key("responses");
      json.BeginObject();
      json.Key("200");
      json.BeginObject();
      json.Key("description");
      json.String("OK");
      if (v3) {
        json.Key("content");
        json.BeginObject();
        json.Key(route->response_type);
        json.BeginObject();
        json.EndObject();
        json.EndObject();
      }
      json.EndObject();
      json.EndObject();
      json.EndObject();
    }
    json.EndObject();
    (*paths)[path] = json.Take();
  }
}

void WriteRawObject(http::JsonWriter& json, const std::map<std::string, std::string>& members) {
  json.BeginObject();
  for (const auto& [key, value] : members) {
    json.Key(key);
    json.Raw(value);
  }
  json.EndObject();
}

// Document is one OpenAPI document's content: routes and installed group versions.
struct Document {
  std::vector<const RouteSpec*> routes;
  std::vector<std::pair<const APIGroupInfo*, const APIGroupVersion*>> versions;
};

std::string WriteDocument(const Document& doc, const std::string& title, bool v3) {
  OpenApiFragments fragments;
  AddRoutePaths(doc.routes, v3, &fragments.paths);
  for (const auto& [group, version] : doc.versions) AddGroupVersionToOpenApi(*group, *version, v3, &fragments);
  http::JsonWriter json;
  json.BeginObject();
  json.Key(v3 ? "openapi" : "swagger");
  json.String(v3 ? "3.0.0" : "2.0");
  WriteInfo(json, title);
  json.Key("paths");
  WriteRawObject(json, fragments.paths);
  // A v3 document always has components.schemas (kubectl explain indexes it); v2 has definitions when there are any.
  if (v3 || !fragments.schemas.empty()) {
    if (v3) {
      json.Key("components");
      json.BeginObject();
      json.Key("schemas");
      WriteRawObject(json, fragments.schemas);
      json.EndObject();
    } else {
      json.Key("definitions");
      WriteRawObject(json, fragments.schemas);
    }
  }
  json.EndObject();
  return json.Take();
}

// AcceptsGzip reports whether an Accept-Encoding header allows gzip (a q=0 entry refuses it).
bool AcceptsGzip(const http::Request& request) {
  for (absl::string_view value : request.headers.GetAll("Accept-Encoding")) {
    for (absl::string_view coding : absl::StrSplit(value, ',')) {
      std::vector<absl::string_view> parts = absl::StrSplit(coding, ';');
      if (!absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(parts[0]), "gzip")) continue;
      return parts.size() < 2 || absl::StripAsciiWhitespace(parts[1]) != "q=0";
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<std::string> Gzip(absl::string_view data) {
  z_stream stream{};
  // windowBits 15 + 16: a gzip wrapper rather than zlib's.
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return absl::InternalError("deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&stream, Z_FINISH);
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) return absl::InternalError(absl::StrCat("deflate: ", rc));
  out.resize(stream.total_out);
  return out;
}

std::string ETagOf(const std::string& body) {
  return absl::StrFormat("\"%016X\"", static_cast<uint64_t>(absl::HashOf(body)));
}

OpenApiDocuments BuildOpenApi(const std::vector<RouteSpec>& routes,
                              const std::vector<std::shared_ptr<const APIGroupInfo>>& groups,
                              const std::string& title) {
  OpenApiDocuments documents;
  Document all;
  std::map<std::string, Document> by_group;
  for (const RouteSpec& route : routes) {
    all.routes.push_back(&route);
    const std::string group = GroupPathOf(route.path);
    if (!group.empty()) by_group[group].routes.push_back(&route);
  }
  for (const std::shared_ptr<const APIGroupInfo>& group : groups) {
    for (const APIGroupVersion& version : group->versions) {
      all.versions.emplace_back(group.get(), &version);
      by_group[GroupVersionPath(group->name, version.version).substr(1)].versions.emplace_back(group.get(), &version);
    }
  }
  documents.v2 = WriteDocument(all, title, /*v3=*/false);
  http::JsonWriter discovery;
  discovery.BeginObject();
  discovery.Key("paths");
  discovery.BeginObject();
  for (const auto& [group, doc] : by_group) {
    std::string document = WriteDocument(doc, title, /*v3=*/true);
    std::string etag = ETagOf(document);
    discovery.Key(group);
    discovery.BeginObject();
    discovery.Key("serverRelativeURL");
    discovery.String(absl::StrCat("/openapi/v3/", group, "?hash=", etag.substr(1, etag.size() - 2)));
    discovery.EndObject();
    documents.v3_groups.emplace_back(group, std::move(document));
  }
  discovery.EndObject();
  discovery.EndObject();
  documents.v3_discovery = discovery.Take();
  return documents;
}

http::HandlerPtr StaticJsonWithETag(std::string body) {
  const std::string etag = ETagOf(body);
  // The gzip variant is compressed once, here; it shares the entity tag (same representation, other coding).
  absl::StatusOr<std::string> compressed = Gzip(body);
  http::ResponsePtr gzipped;
  if (compressed.ok()) {
    http::Response gz = http::JsonResponse(200, *std::move(compressed));
    gz.headers.Add("Content-Encoding", "gzip");
    gz.headers.Add("Vary", "Accept-Encoding");
    gz.headers.Add("ETag", etag);
    gzipped = http::Shared(std::move(gz));
  }
  http::Response ok = http::JsonResponse(200, std::move(body));
  ok.headers.Add("Vary", "Accept-Encoding");
  ok.headers.Add("ETag", etag);
  http::Response not_modified;
  not_modified.status = 304;
  not_modified.headers.Add("ETag", etag);
  return http::HandlerFunc(
      [etag, gzipped, ok = http::Shared(std::move(ok)), not_modified = http::Shared(std::move(not_modified))](
          http::RequestPtr request, http::ResponseWriter writer) {
        for (absl::string_view value : request->headers.GetAll("If-None-Match")) {
          for (absl::string_view tag : absl::StrSplit(value, ',')) {
            tag = absl::StripAsciiWhitespace(tag);
            if (tag == etag || tag == "*" || (absl::StartsWith(tag, "W/") && tag.substr(2) == etag)) {
              writer.Send(not_modified).IgnoreError();
              return;
            }
          }
        }
        writer.Send(gzipped && AcceptsGzip(*request) ? gzipped : ok).IgnoreError();
      });
}

namespace {

// HttpDate formats `t` as an HTTP date (RFC 9110 IMF-fixdate, Go's http.TimeFormat).
std::string HttpDate(absl::Time t) { return absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", t, absl::UTCTimeZone()); }

// OpenApiV2Handler: the v2 document with kube-openapi's headers (Vary: Accept, Last-Modified). Only JSON is served:
// a request that accepts only the protobuf form gets 406 rather than JSON its client cannot parse.
http::HandlerPtr OpenApiV2Handler(std::string body, absl::Time last_modified) {
  http::HandlerPtr json = StaticJsonWithETag(std::move(body));
  const std::string modified = HttpDate(last_modified);
  http::ResponsePtr not_acceptable = http::Shared(http::TextResponse(
      406, "only application/json is served; application/com.github.proto-openapi.spec.v2@v1.0+protobuf is not\n"));
  return http::HandlerFunc([json, modified, not_acceptable](http::RequestPtr request, http::ResponseWriter writer) {
    const absl::string_view accept = request->headers.Get("Accept").value_or("");
    if (!accept.empty() && absl::StrContains(accept, "protobuf") && !absl::StrContains(accept, "json") &&
        !absl::StrContains(accept, "*/*")) {
      writer.Send(not_acceptable).IgnoreError();
      return;
    }
    writer.AddResponseHeader("Vary", "Accept");
    writer.AddResponseHeader("Last-Modified", modified);
    json->Serve(std::move(request), std::move(writer));
  });
}

// OpenApiV3GroupHandler: kube-openapi's handler3 for one group version. `?hash=` equal to the document's hash (what
// /openapi/v3 advertises): cacheable for good (Cache-Control: public, immutable; Expires a year ahead). A stale hash:
// 301 to the current one. No hash: revalidated every time (the chain's Cache-Control: no-cache, private), with the
// ETag.
http::HandlerPtr OpenApiV3GroupHandler(std::string path, std::string body) {
  const std::string etag = ETagOf(body);
  const std::string hash = etag.substr(1, etag.size() - 2);
  http::HandlerPtr json = StaticJsonWithETag(std::move(body));
  http::Response moved = http::TextResponse(301, "Moved Permanently\n");
  moved.headers.Add("Location", absl::StrCat(path, "?hash=", hash));
  http::ResponsePtr redirect = http::Shared(std::move(moved));
  return http::HandlerFunc([json, hash, redirect](http::RequestPtr request, http::ResponseWriter writer) {
    const std::optional<std::string> asked = request->Query("hash");
    if (asked.has_value() && *asked != hash) {
      writer.Send(redirect).IgnoreError();
      return;
    }
    if (asked.has_value()) {
      writer.AddResponseHeader("Cache-Control", "public, immutable");
      writer.AddResponseHeader("Expires", HttpDate(absl::Now() + absl::Hours(24 * 365)));
    }
    json->Serve(std::move(request), std::move(writer));
  });
}

}  // namespace

absl::Status InstallOpenApi(http::Router* mux, const OpenApiDocuments& documents) {
  if (absl::Status s = mux->Handle("/openapi/v2", OpenApiV2Handler(documents.v2, absl::Now())); !s.ok()) return s;
  if (absl::Status s = mux->Handle("/openapi/v3", StaticJsonWithETag(documents.v3_discovery)); !s.ok()) return s;
  for (const auto& [group, document] : documents.v3_groups) {
    const std::string path = absl::StrCat("/openapi/v3/", group);
    if (absl::Status s = mux->UnlistedHandle(path, OpenApiV3GroupHandler(path, document)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace apiserve::chain
