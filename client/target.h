#ifndef APISERVE_CLIENT_TARGET_H_
#define APISERVE_CLIENT_TARGET_H_

// client::internal::Target: the server an HTTPS client dials, parsed from ClientConfig::host
// ("https://host[:port]"), with the spellings the client needs for Host / :authority and for messages.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace apiserve::client::internal {

struct Target {
  std::string host;  // without brackets
  int port = 443;
  std::string authority;  // host[:port] as sent in Host / :authority
  std::string address;    // "host:port" for messages ("[::1]:port" for IPv6)
};

// ParseHost parses "https://host[:port]" (IPv6 in brackets; the default port 443; a trailing "/" allowed).
// Errors: InvalidArgument `host "<url>": <why>` for anything else (another scheme, a path, a bad port).
absl::StatusOr<Target> ParseHost(absl::string_view url);

}  // namespace apiserve::client::internal

#endif  // APISERVE_CLIENT_TARGET_H_
