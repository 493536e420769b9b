#include "client/request_check.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace apiserve::client::internal {

namespace {

bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || absl::StrContains("!#$%&'*+-.^_`|~", c);
}

}  // namespace

absl::Status ValidateRequest(const Request& request) {
  if (request.method.empty() || !std::all_of(request.method.begin(), request.method.end(), IsTokenChar)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid method \"", absl::CEscape(request.method), "\""));
  }
  if (request.path.empty() || request.path[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid path \"", absl::CEscape(request.path), "\": must start with '/'"));
  }
  for (const char c : request.path) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid path \"", absl::CEscape(request.path), "\": control character or space"));
    }
  }
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) {
      return absl::InvalidArgumentError(absl::StrCat("invalid header name \"", absl::CEscape(name), "\""));
    }
    for (const char c : value) {
      if (c == '\r' || c == '\n' || c == '\0') {
        return absl::InvalidArgumentError(absl::StrCat("invalid value for header ", name));
      }
    }
    for (absl::string_view reserved : {"host", "content-length", "transfer-encoding", "connection", "keep-alive",
                                       "upgrade", "te", "proxy-connection"}) {
      if (absl::EqualsIgnoreCase(name, reserved)) {
        return absl::InvalidArgumentError(absl::StrCat("header ", name, " is set by the client"));
      }
    }
  }
  return absl::OkStatus();
}

bool HasHeader(const Request& request, absl::string_view name) {
  for (const auto& header : request.headers) {
    if (absl::EqualsIgnoreCase(header.first, name)) return true;
  }
  return false;
}

bool MethodHasBody(const Request& request) {
  return !request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
}

}  // namespace apiserve::client::internal
