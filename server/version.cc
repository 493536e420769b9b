#include "server/version.h"

#include "absl/strings/str_cat.h"
#include "http/json_writer.h"

namespace apiserve::server {
namespace {

BuildInfo& Current() {
  static BuildInfo* const info = new BuildInfo();
  return *info;
}

constexpr const char* Compiler() {
#if defined(__clang__)
  return "clang";
#else
  return "gcc";
#endif
}

constexpr const char* Arch() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "386";
#else
  return "unknown";
#endif
}

}  // namespace

void SetBuildInfo(const BuildInfo& info) { Current() = info; }

std::string VersionJson() { return VersionJson(Current()); }

std::string VersionJson(const BuildInfo& info) {
  std::string git_version = kVersion;
  if (info.git_commit != "unknown") absl::StrAppend(&git_version, "+", info.git_commit.substr(0, 12));
  if (info.git_tree_state == "dirty") absl::StrAppend(&git_version, "-dirty");
  http::JsonWriter json("  ");
  json.BeginObject();
  json.Key("major");
  json.String(kMajor);
  json.Key("minor");
  json.String(kMinor);
  json.Key("gitVersion");
  json.String(git_version);
  json.Key("gitCommit");
  json.String(info.git_commit);
  json.Key("gitTreeState");
  json.String(info.git_tree_state);
  json.Key("buildDate");
  json.String(info.build_date);
  json.Key("goVersion");
  json.String(absl::StrCat(Compiler() == std::string("clang") ? "clang++ " : "g++ ", __VERSION__));
  json.Key("compiler");
  json.String(Compiler());
  json.Key("platform");
  json.String(absl::StrCat("linux/", Arch()));
  json.EndObject();
  return json.Take();
}

}  // namespace apiserve::server
