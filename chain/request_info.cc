#include "chain/request_info.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace apiserve::chain {
namespace {

bool IsLongRunningSubresource(absl::string_view s) {
  return s == "attach" || s == "exec" || s == "proxy" || s == "log" || s == "portforward";
}

}  // namespace

RequestInfo ParseRequestInfo(const http::Request& request) {
  RequestInfo info;
  info.path = request.path;
  info.verb = absl::AsciiStrToLower(request.method);
  absl::string_view trimmed = request.path;
  while (absl::ConsumePrefix(&trimmed, "/")) {
  }
  while (absl::ConsumeSuffix(&trimmed, "/")) {
  }
  std::vector<absl::string_view> parts = absl::StrSplit(trimmed, '/');
  const bool debug_pprof = absl::StartsWith(request.path, "/debug/pprof/");
  if (parts.size() < 3 || (parts[0] != "api" && parts[0] != "apis")) {
    info.long_running = debug_pprof;
    return info;
  }
  info.is_resource_request = true;
  info.api_prefix = std::string(parts[0]);
  size_t i = 1;
  if (info.api_prefix == "apis") info.api_group = std::string(parts[i++]);
  info.api_version = std::string(parts[i++]);
  std::vector<absl::string_view> rest(parts.begin() + static_cast<std::ptrdiff_t>(i), parts.end());

  const std::string& method = request.method;
  if (method == "POST") {
    info.verb = "create";
  } else if (method == "GET" || method == "HEAD") {
    info.verb = "get";
  } else if (method == "PUT") {
    info.verb = "update";
  } else if (method == "PATCH") {
    info.verb = "patch";
  } else if (method == "DELETE") {
    info.verb = "delete";
  } else {
    info.verb = "";
  }
  if (!rest.empty() && rest[0] == "watch") {  // deprecated /watch/ paths
    info.verb = "watch";
    rest.erase(rest.begin());
  }
  if (rest.size() >= 2 && rest[0] == "namespaces") {
    info.namespace_name = std::string(rest[1]);
    if (rest.size() > 2 && rest[2] != "status" && rest[2] != "finalize") rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (!rest.empty()) info.resource = std::string(rest[0]);
  if (rest.size() >= 2) info.name = std::string(rest[1]);
  if (rest.size() >= 3) info.subresource = std::string(rest[2]);

  if (info.verb == "get" && info.name.empty()) {
    const std::optional<std::string> watch = request.Query("watch");
    info.verb = watch.has_value() && (*watch == "true" || *watch == "1") ? "watch" : "list";
  }
  if (info.verb == "delete" && info.name.empty()) info.verb = "deletecollection";
  info.long_running =
      info.verb == "watch" || info.verb == "proxy" || IsLongRunningSubresource(info.subresource) || debug_pprof;
  return info;
}

bool IsMutating(const RequestInfo& info) {
  if (info.is_resource_request) {
    return info.verb == "create" || info.verb == "update" || info.verb == "patch" || info.verb == "delete" ||
           info.verb == "deletecollection";
  }
  return info.verb != "get" && info.verb != "head" && info.verb != "options";
}

}  // namespace apiserve::chain
