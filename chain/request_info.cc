#include "chain/request_info.h"

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/types/span.h"

namespace apiserve::chain {
namespace {

bool IsLongRunningSubresource(absl::string_view s) {
  return s == "attach" || s == "exec" || s == "proxy" || s == "log" || s == "portforward";
}

}  // namespace

RequestInfo ParseRequestInfo(const http::Request& request) {
  RequestInfo info;
  ParseRequestInfoInto(request, &info);
  return info;
}

void ParseRequestInfoInto(const http::Request& request, RequestInfo* out) {
  RequestInfo& info = *out;
  info.is_resource_request = false;
  info.path.assign(request.path);
  info.verb.assign(request.method);
  absl::AsciiStrToLower(&info.verb);
  for (std::string* field : {&info.api_prefix, &info.api_group, &info.api_version, &info.namespace_name, &info.resource,
                             &info.subresource, &info.name}) {
    field->clear();
  }
  const bool debug_pprof = absl::StartsWith(request.path, "/debug/pprof/");
  info.long_running = debug_pprof;

  absl::string_view trimmed = request.path;
  while (absl::ConsumePrefix(&trimmed, "/")) {
  }
  while (absl::ConsumeSuffix(&trimmed, "/")) {
  }
  // Kube's rules look at the first eight segments at most ({api|apis}/group/version/[watch/]namespaces/ns/
  // resource/name/subresource); the rest stays unsplit in the last one.
  constexpr size_t kMaxSegments = 9;
  absl::string_view parts[kMaxSegments];
  size_t count = 0;
  for (absl::string_view part : absl::StrSplit(trimmed, absl::MaxSplits('/', kMaxSegments - 1))) parts[count++] = part;
  if (count < 3 || (parts[0] != "api" && parts[0] != "apis")) return;

  info.is_resource_request = true;
  info.api_prefix.assign(parts[0].data(), parts[0].size());
  size_t i = 1;
  if (info.api_prefix == "apis") {
    info.api_group.assign(parts[i].data(), parts[i].size());
    ++i;
  }
  info.api_version.assign(parts[i].data(), parts[i].size());
  ++i;
  absl::Span<const absl::string_view> rest(parts + i, count - i);

  const std::string& method = request.method;
  if (method == "POST") {
    info.verb.assign("create");
  } else if (method == "GET" || method == "HEAD") {
    info.verb.assign("get");
  } else if (method == "PUT") {
    info.verb.assign("update");
  } else if (method == "PATCH") {
    info.verb.assign("patch");
  } else if (method == "DELETE") {
    info.verb.assign("delete");
  } else {
    info.verb.clear();
  }
  if (!rest.empty() && rest[0] == "watch") {  // deprecated /watch/ paths
    info.verb.assign("watch");
    rest.remove_prefix(1);
  }
  if (rest.size() >= 2 && rest[0] == "namespaces") {
    info.namespace_name.assign(rest[1].data(), rest[1].size());
    if (rest.size() > 2 && rest[2] != "status" && rest[2] != "finalize") rest.remove_prefix(2);
  }
  if (!rest.empty()) info.resource.assign(rest[0].data(), rest[0].size());
  if (rest.size() >= 2) info.name.assign(rest[1].data(), rest[1].size());
  if (rest.size() >= 3) {
    // The subresource is one segment: cut what MaxSplits left joined to it.
    const absl::string_view subresource = rest[2].substr(0, rest[2].find('/'));
    info.subresource.assign(subresource.data(), subresource.size());
  }

  if (info.verb == "get" && info.name.empty()) {
    // kube decodes ?watch= with Convert_Slice_string_To_bool: present and neither "0" nor "false" (any case) is a
    // watch ("True" from Python's kubernetes client, even an empty value).
    const std::optional<std::string> watch = request.Query("watch");
    const bool watching = watch.has_value() && *watch != "0" && !absl::EqualsIgnoreCase(*watch, "false");
    info.verb.assign(watching ? "watch" : "list");
  }
  if (info.verb == "delete" && info.name.empty()) info.verb.assign("deletecollection");
  info.long_running =
      info.verb == "watch" || info.verb == "proxy" || IsLongRunningSubresource(info.subresource) || debug_pprof;
}

bool IsMutating(const RequestInfo& info) {
  if (info.is_resource_request) {
    return info.verb == "create" || info.verb == "update" || info.verb == "patch" || info.verb == "delete" ||
           info.verb == "deletecollection";
  }
  return info.verb != "get" && info.verb != "head" && info.verb != "options";
}

}  // namespace apiserve::chain
