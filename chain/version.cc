#include "chain/version.h"

#include "absl/strings/str_cat.h"
#include "http/json_writer.h"
#include "http/response.h"

namespace apiserve::chain {

std::string VersionInfo::DefaultCompiler() {
#if defined(__clang__)
  return "clang";
#else
  return "gcc";
#endif
}

std::string VersionInfo::DefaultGoVersion() {
#if defined(__clang__)
  return absl::StrCat("clang++ ", __VERSION__);
#else
  return absl::StrCat("g++ ", __VERSION__);
#endif
}

std::string VersionInfo::DefaultPlatform() {
#if defined(__x86_64__)
  return "linux/amd64";
#elif defined(__aarch64__)
  return "linux/arm64";
#elif defined(__i386__)
  return "linux/386";
#else
  return "linux/unknown";
#endif
}

std::string VersionJson(const VersionInfo& info) {
  http::JsonWriter json("  ");
  json.BeginObject();
  for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"major", &info.major},
                                   {"minor", &info.minor},
                                   {"gitVersion", &info.git_version},
                                   {"gitCommit", &info.git_commit},
                                   {"gitTreeState", &info.git_tree_state},
                                   {"buildDate", &info.build_date},
                                   {"goVersion", &info.go_version},
                                   {"compiler", &info.compiler},
                                   {"platform", &info.platform}}) {
    json.Key(key);
    json.String(*value);
  }
  json.EndObject();
  return json.Take();
}

http::HandlerPtr VersionHandler(const VersionInfo& info) {
  http::ResponsePtr version = http::Shared(http::JsonResponse(200, VersionJson(info)));
  http::ResponsePtr not_allowed = http::Shared(http::TextResponse(405, "405: Method Not Allowed"));
  return http::HandlerFunc([version, not_allowed](http::RequestPtr request, http::ResponseWriter writer) {
    const bool read = request->method == "GET" || request->method == "HEAD";
    writer.Send(read ? version : not_allowed).IgnoreError();
  });
}

}  // namespace apiserve::chain
