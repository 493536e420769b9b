#include "chain/openapi.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "chain/openapi_kinds.h"
#include "chain/openapi_proto.h"
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

// MatchesETag reports whether the request's If-None-Match lists `etag` (strong or weak) or "*".
bool MatchesETag(const http::Request& request, absl::string_view etag) {
  for (absl::string_view value : request.headers.GetAll("If-None-Match")) {
    for (absl::string_view tag : absl::StrSplit(value, ',')) {
      tag = absl::StripAsciiWhitespace(tag);
      if (tag == etag || tag == "*" || (absl::StartsWith(tag, "W/") && tag.substr(2) == etag)) return true;
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
  documents.v2_protobuf = OpenApiV2ToProtobuf(documents.v2);
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
  std::string etag = ETagOf(body);
  return StaticWithETag(std::move(body), "application/json", std::move(etag), {});
}

http::HandlerPtr StaticWithETag(std::string body, absl::string_view content_type, std::string etag,
                                const std::vector<std::string>& vary) {
  // The gzip variant is compressed once, here; it shares the entity tag (same representation, other coding).
  absl::StatusOr<std::string> compressed = Gzip(body);
  http::ResponsePtr gzipped;
  if (compressed.ok()) {
    http::Response gz;
    gz.headers.Add("Content-Type", content_type);
    gz.body = *std::move(compressed);
    gz.headers.Add("Content-Encoding", "gzip");
    gz.headers.Add("Vary", "Accept-Encoding");
    for (const std::string& v : vary) gz.headers.Add("Vary", v);
    gz.headers.Add("ETag", etag);
    gzipped = http::Shared(std::move(gz));
  }
  http::Response ok;
  ok.headers.Add("Content-Type", content_type);
  ok.body = std::move(body);
  ok.headers.Add("Vary", "Accept-Encoding");
  for (const std::string& v : vary) ok.headers.Add("Vary", v);
  ok.headers.Add("ETag", etag);
  http::Response not_modified;
  not_modified.status = 304;
  for (const std::string& v : vary) not_modified.headers.Add("Vary", v);
  not_modified.headers.Add("ETag", etag);
  return http::HandlerFunc(
      [etag, gzipped, ok = http::Shared(std::move(ok)), not_modified = http::Shared(std::move(not_modified))](
          http::RequestPtr request, http::ResponseWriter writer) {
        if (MatchesETag(*request, etag)) {
          writer.Send(not_modified).IgnoreError();
          return;
        }
        writer.Send(gzipped && AcceptsGzip(*request) ? gzipped : ok).IgnoreError();
      });
}

namespace {

// HttpDate formats `t` as an HTTP date (RFC 9110 IMF-fixdate, Go's http.TimeFormat).
std::string HttpDate(absl::Time t) { return absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", t, absl::UTCTimeZone()); }

// AcceptClause is one media range of an Accept header (goautoneg's parse: "type/subtype" or "*", q defaults to 1;
// other parameters ignored).
struct AcceptClause {
  std::string type;
  std::string subtype;
  double q = 1;
};

std::vector<AcceptClause> ParseAccept(absl::string_view header) {
  std::vector<AcceptClause> clauses;
  for (absl::string_view part : absl::StrSplit(header, ',')) {
    std::vector<absl::string_view> params = absl::StrSplit(part, ';');
    const absl::string_view range = absl::StripAsciiWhitespace(params[0]);
    AcceptClause clause;
    if (range == "*") {
      clause.type = clause.subtype = "*";
    } else {
      std::vector<absl::string_view> type = absl::StrSplit(range, '/');
      if (type.size() != 2) continue;
      clause.type = absl::AsciiStrToLower(absl::StripAsciiWhitespace(type[0]));
      clause.subtype = absl::AsciiStrToLower(absl::StripAsciiWhitespace(type[1]));
    }
    for (size_t i = 1; i < params.size(); ++i) {
      std::vector<absl::string_view> kv = absl::StrSplit(params[i], absl::MaxSplits('=', 1));
      if (kv.size() == 2 && absl::StripAsciiWhitespace(kv[0]) == "q") {
        double q;
        if (absl::SimpleAtod(absl::StripAsciiWhitespace(kv[1]), &q)) clause.q = q;
      }
    }
    clauses.push_back(std::move(clause));
  }
  // goautoneg's order: higher q first; at equal q a concrete type before "*", a concrete subtype before "*".
  std::stable_sort(clauses.begin(), clauses.end(), [](const AcceptClause& a, const AcceptClause& b) {
    if (a.q != b.q) return a.q > b.q;
    if ((a.type == "*") != (b.type == "*")) return b.type == "*";
    return a.subtype != "*" && b.subtype == "*";
  });
  return clauses;
}

}  // namespace

OpenApiV2Format NegotiateOpenApiV2(absl::string_view accept) {
  if (absl::StripAsciiWhitespace(accept).empty()) accept = "*/*";
  constexpr std::pair<absl::string_view, OpenApiV2Format> kServed[] = {
      {"json", OpenApiV2Format::kJson},
      {kOpenApiV2ProtobufSubtypeDeprecated, OpenApiV2Format::kProtobuf},
      {kOpenApiV2ProtobufSubtype, OpenApiV2Format::kProtobuf},
  };
  for (const AcceptClause& clause : ParseAccept(accept)) {
    if (clause.q <= 0) continue;
    if (clause.type != "application" && clause.type != "*") continue;
    for (const auto& [subtype, format] : kServed) {
      if (clause.subtype == subtype || clause.subtype == "*") return format;
    }
  }
  return OpenApiV2Format::kNone;
}

namespace {

// OpenApiV2Handler: kube-openapi's v2 handler. The JSON document or its protobuf form by the Accept header (JSON by
// default), both with the JSON document's ETag, `Vary: Accept` and `Last-Modified`; If-None-Match (then
// If-Modified-Since, as Go's http.ServeContent) answers 304; nothing acceptable: 406 with an empty body. A protobuf
// form that could not be built answers 503 (kube-openapi's answer when it has no data to serve).
http::HandlerPtr OpenApiV2Handler(std::string body, absl::StatusOr<std::string> protobuf, absl::Time last_modified) {
  std::string etag = ETagOf(body);
  // Vary: Accept rides on each prepared response (a writer decoration would replace Vary: Accept-Encoding).
  const std::vector<std::string> vary = {"Accept"};
  http::HandlerPtr json = StaticWithETag(std::move(body), "application/json", etag, vary);
  http::HandlerPtr proto;
  if (protobuf.ok()) {
    proto = StaticWithETag(*std::move(protobuf), absl::StrCat("application/", kOpenApiV2ProtobufSubtype), etag, vary);
  }
  const absl::Time modified_at = absl::FromUnixSeconds(absl::ToUnixSeconds(last_modified));  // HTTP dates: seconds
  const std::string modified = HttpDate(modified_at);
  http::Response empty_406;
  empty_406.status = 406;
  empty_406.headers.Add("Vary", "Accept");
  http::ResponsePtr not_acceptable = http::Shared(std::move(empty_406));
  http::Response empty_503;
  empty_503.status = 503;
  empty_503.headers.Add("Vary", "Accept");
  http::ResponsePtr unavailable = http::Shared(std::move(empty_503));
  http::Response unchanged;
  unchanged.status = 304;
  unchanged.headers.Add("Vary", "Accept");
  unchanged.headers.Add("ETag", etag);
  http::ResponsePtr not_modified = http::Shared(std::move(unchanged));
  return http::HandlerFunc([json, proto, etag, modified_at, modified, not_acceptable, unavailable, not_modified](
                               http::RequestPtr request, http::ResponseWriter writer) {
    const OpenApiV2Format format = NegotiateOpenApiV2(request->headers.Get("Accept").value_or(""));
    if (format == OpenApiV2Format::kNone) {
      writer.Send(not_acceptable).IgnoreError();
      return;
    }
    if (format == OpenApiV2Format::kProtobuf && proto == nullptr) {
      writer.Send(unavailable).IgnoreError();
      return;
    }
    writer.AddResponseHeader("Last-Modified", modified);
    if (!request->headers.Has("If-None-Match") && (request->method == "GET" || request->method == "HEAD")) {
      absl::Time since;
      std::string error;
      const std::optional<absl::string_view> header = request->headers.Get("If-Modified-Since");
      if (header.has_value() &&
          absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", std::string(*header), absl::UTCTimeZone(), &since, &error) &&
          modified_at <= since) {
        writer.Send(not_modified).IgnoreError();
        return;
      }
    }
    (format == OpenApiV2Format::kJson ? json : proto)->Serve(std::move(request), std::move(writer));
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
  if (absl::Status s = mux->Handle("/openapi/v2", OpenApiV2Handler(documents.v2, documents.v2_protobuf, absl::Now()));
      !s.ok()) {
    return s;
  }
  if (absl::Status s = mux->Handle("/openapi/v3", StaticJsonWithETag(documents.v3_discovery)); !s.ok()) return s;
  for (const auto& [group, document] : documents.v3_groups) {
    const std::string path = absl::StrCat("/openapi/v3/", group);
    if (absl::Status s = mux->UnlistedHandle(path, OpenApiV3GroupHandler(path, document)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace apiserve::chain
