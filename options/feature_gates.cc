#include "options/feature_gates.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "flags/go_strconv.h"

namespace apiserve::options {
namespace {

constexpr absl::string_view kKnownGates[] = {"UnauthenticatedHTTP2DOSMitigation"};

}  // namespace

void FeatureGates::AddFlags(flags::FlagSet* fs) {
  fs->StringSliceVar(&gates, "feature-gates", gates,
                     "A set of key=value pairs that describe feature gates for alpha/experimental features. Options "
                     "are: UnauthenticatedHTTP2DOSMitigation=true|false (BETA - default=true)");
}

void FeatureGates::Validate(std::vector<std::string>* problems) const {
  for (const std::string& gate : gates) {
    const size_t eq = gate.find('=');
    if (eq == std::string::npos) {
      problems->push_back(absl::StrCat("missing bool value for ", gate));
      continue;
    }
    const std::string name(absl::StripAsciiWhitespace(gate.substr(0, eq)));
    const std::string value(absl::StripAsciiWhitespace(gate.substr(eq + 1)));
    if (std::find(std::begin(kKnownGates), std::end(kKnownGates), name) == std::end(kKnownGates)) {
      problems->push_back(absl::StrCat("unrecognized feature gate: ", name));
      continue;
    }
    if (absl::StatusOr<bool> parsed = flags::ParseGoBool(value); !parsed.ok()) {
      problems->push_back(absl::StrCat("invalid value of ", name, "=", value, ", err: ", parsed.status().message()));
    }
  }
}

bool FeatureGates::Enabled(absl::string_view gate, bool default_value) const {
  bool value = default_value;
  for (const std::string& entry : gates) {
    const size_t eq = entry.find('=');
    if (eq == std::string::npos || absl::StripAsciiWhitespace(entry.substr(0, eq)) != gate) continue;
    if (absl::StatusOr<bool> parsed = flags::ParseGoBool(absl::StripAsciiWhitespace(entry.substr(eq + 1)));
        parsed.ok()) {
      value = *parsed;  // the last mention wins, as in kube's map flag
    }
  }
  return value;
}

void FeatureGates::ApplyTo(server::Config* config) const {
  config->chain.unauthenticated_http2_dos_mitigation = Enabled("UnauthenticatedHTTP2DOSMitigation", true);
}

}  // namespace apiserve::options
