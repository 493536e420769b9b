#include "tls/sni_cert_key.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace apiserve::tls {

absl::StatusOr<SniCertKey> ParseSniCertKey(absl::string_view value) {
  SniCertKey result;
  absl::string_view paths = value;
  if (const size_t colon = value.find(':'); colon != absl::string_view::npos) {
    paths = absl::StripAsciiWhitespace(value.substr(0, colon));
    const absl::string_view names = absl::StripAsciiWhitespace(value.substr(colon + 1));
    if (names.empty()) return absl::InvalidArgumentError("empty names list is not allowed");
    for (absl::string_view name : absl::StrSplit(names, ',')) {
      result.names.emplace_back(absl::StripAsciiWhitespace(name));
    }
  } else {
    paths = absl::StripAsciiWhitespace(paths);
  }
  std::vector<absl::string_view> files = absl::StrSplit(paths, ',');
  if (files.size() != 2) return absl::InvalidArgumentError("expected comma separated certificate and key file paths");
  result.cert_file = std::string(absl::StripAsciiWhitespace(files[0]));
  result.key_file = std::string(absl::StripAsciiWhitespace(files[1]));
  return result;
}

std::string FormatSniCertKey(const SniCertKey& sni) {
  std::string out = absl::StrCat(sni.cert_file, ",", sni.key_file);
  if (!sni.names.empty()) absl::StrAppend(&out, ":", absl::StrJoin(sni.names, ","));
  return out;
}

}  // namespace apiserve::tls
