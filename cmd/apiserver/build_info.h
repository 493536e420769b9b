#ifndef APISERVE_CMD_APISERVER_BUILD_INFO_H_
#define APISERVE_CMD_APISERVER_BUILD_INFO_H_

// demo::BuildInfo: the build's identity from Bazel's workspace status (tools/workspace_status.sh).
//
// StampedBuildInfo() is defined by the generated target //cmd/apiserver:build_info_stamped, which only the apiserver
// binary links: a new commit then re-runs one genrule and relinks the binary, and no library or unit test rebuilds.

#include <string>

namespace apiserve::demo {

struct BuildInfo {
  std::string git_commit = "unknown";      // full SHA-1 of HEAD
  std::string git_tree_state = "unknown";  // "clean" or "dirty" (tracked files modified)
  std::string build_date = "unknown";      // RFC 3339 UTC, from Bazel's BUILD_TIMESTAMP
};

// StampedBuildInfo returns the values stamped at build time (each "unknown" if the status lacked it).
BuildInfo StampedBuildInfo();

}  // namespace apiserve::demo

#endif  // APISERVE_CMD_APISERVER_BUILD_INFO_H_
