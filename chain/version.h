#ifndef APISERVE_CHAIN_VERSION_H_
#define APISERVE_CHAIN_VERSION_H_

// chain::VersionInfo: what /version reports, in the shape of kube's version.Info. The embedding program sets it in
// chain::ServerConfig::version (stamped at build time: see cmd/apiserver); PrepareRun installs /version on the
// outermost server. GET and HEAD are answered with the JSON (a prebuilt response: nothing allocated per request);
// any other method gets 405 `405: Method Not Allowed`, as kube's go-restful router answers.

#include <string>

#include "http/handler.h"

namespace apiserve::chain {

struct VersionInfo {
  std::string major = "0";
  std::string minor = "1";
  std::string git_version = "v0.1.0";
  std::string git_commit = "unknown";
  std::string git_tree_state = "unknown";
  std::string build_date = "unknown";
  // goVersion names the C++ compiler that built the server (there is no Go); compiler is "gcc" or "clang"; platform
  // is "<os>/<arch>" in Go's spelling. Filled by default.
  std::string go_version = DefaultGoVersion();
  std::string compiler = DefaultCompiler();
  std::string platform = DefaultPlatform();

  static std::string DefaultGoVersion();
  static std::string DefaultCompiler();
  static std::string DefaultPlatform();
};

// VersionJson returns kube's version.Info JSON (indented, as kube's /version).
std::string VersionJson(const VersionInfo& info);

// VersionHandler answers /version for `info` (copied).
http::HandlerPtr VersionHandler(const VersionInfo& info);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_VERSION_H_
