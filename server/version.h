#ifndef APISERVE_SERVER_VERSION_H_
#define APISERVE_SERVER_VERSION_H_

// Build information served at /version in the shape of kube's version.Info.

#include <string>

namespace apiserve::server {

inline constexpr char kVersion[] = "v0.1.0";

// VersionJson returns kube's version.Info JSON: major, minor, gitVersion, gitCommit, gitTreeState, buildDate,
// goVersion (the C++ compiler here), compiler, platform.
std::string VersionJson();

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_VERSION_H_
