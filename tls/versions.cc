#include "tls/versions.h"

#include "absl/strings/str_cat.h"

namespace apiserve::tls {
namespace {

struct Version {
  uint16_t number;
  absl::string_view flag_name;
  absl::string_view protocol_name;
};

constexpr Version kVersions[] = {
    {kTls10, "VersionTLS10", "TLSv1"},
    {kTls11, "VersionTLS11", "TLSv1.1"},
    {kTls12, "VersionTLS12", "TLSv1.2"},
    {kTls13, "VersionTLS13", "TLSv1.3"},
};

}  // namespace

absl::StatusOr<uint16_t> ParseTlsVersion(absl::string_view name) {
  if (name.empty()) return 0;
  for (const Version& version : kVersions) {
    if (version.flag_name == name) return version.number;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown tls version \"", name, "\""));
}

absl::string_view TlsVersionFlagName(uint16_t number) {
  for (const Version& version : kVersions) {
    if (version.number == number) return version.flag_name;
  }
  return "";
}

absl::string_view TlsProtocolName(uint16_t number) {
  for (const Version& version : kVersions) {
    if (version.number == number) return version.protocol_name;
  }
  return "unknown";
}

}  // namespace apiserve::tls
