#include "client/target.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace apiserve::client::internal {

absl::StatusOr<Target> ParseHost(absl::string_view url) {
  const auto bad = [url](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("host \"", url, "\": ", why));
  };
  if (url.empty()) return bad("empty; want https://host[:port]");
  if (!absl::ConsumePrefix(&url, "https://")) return bad("only https:// URLs are supported");
  absl::ConsumeSuffix(&url, "/");
  if (url.find_first_of("/?#@") != absl::string_view::npos) return bad("want https://host[:port] without a path");
  Target target;
  absl::string_view port;
  if (absl::ConsumePrefix(&url, "[")) {
    const size_t close = url.find(']');
    if (close == absl::string_view::npos) return bad("unterminated IPv6 literal");
    target.host = std::string(url.substr(0, close));
    url.remove_prefix(close + 1);
    if (!url.empty() && !absl::ConsumePrefix(&url, ":")) return bad("junk after the IPv6 literal");
    port = url;
  } else {
    const size_t colon = url.rfind(':');
    target.host = std::string(url.substr(0, colon));
    if (colon != absl::string_view::npos) port = url.substr(colon + 1);
  }
  if (target.host.empty()) return bad("no host");
  if (!port.empty() && (!absl::SimpleAtoi(port, &target.port) || target.port <= 0 || target.port > 65535)) {
    return bad("bad port");
  }
  const bool v6 = target.host.find(':') != std::string::npos;
  const std::string bracketed = v6 ? absl::StrCat("[", target.host, "]") : target.host;
  target.address = absl::StrCat(bracketed, ":", target.port);
  target.authority = target.port == 443 ? bracketed : target.address;
  return target;
}

}  // namespace apiserve::client::internal
