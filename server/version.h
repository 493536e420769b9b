#ifndef APISERVE_SERVER_VERSION_H_
#define APISERVE_SERVER_VERSION_H_

// Build information served at /version in the shape of kube's version.Info.
//
//   server::SetBuildInfo(server::StampedBuildInfo());   // once, in main, before serving
//   writer.Send(http::JsonResponse(200, server::VersionJson()));
//
// gitVersion is kVersion, plus "+<12 hex digits of the commit>" when the commit is known and "-dirty" when the tree
// was. goVersion names the C++ compiler that built us (there is no Go), compiler is "gcc" or "clang", platform is
// "<os>/<arch>" in Go's spelling. Thread-safe once set: SetBuildInfo must happen before any reader runs.

#include <string>

#include "server/build_info.h"

namespace apiserve::server {

inline constexpr char kVersion[] = "v0.1.0";
inline constexpr char kMajor[] = "0";
inline constexpr char kMinor[] = "1";

// SetBuildInfo replaces the build information VersionJson() reports (default: all "unknown").
void SetBuildInfo(const BuildInfo& info);

// VersionJson returns kube's version.Info JSON for the information set by SetBuildInfo: major, minor, gitVersion,
// gitCommit, gitTreeState, buildDate, goVersion, compiler, platform.
std::string VersionJson();
// VersionJson(info) is the same for explicit information.
std::string VersionJson(const BuildInfo& info);

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_VERSION_H_
