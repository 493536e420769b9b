#ifndef APISERVE_OPTIONS_FEATURE_GATES_H_
#define APISERVE_OPTIONS_FEATURE_GATES_H_

// FeatureGates: `--feature-gates`, kube's "Key=bool,..." syntax. Known gates: UnauthenticatedHTTP2DOSMitigation
// (BETA, default true).

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "flags/flag_set.h"
#include "server/config.h"

namespace apiserve::options {

struct FeatureGates {
  std::vector<std::string> gates;  // raw "Key=value" entries

  void AddFlags(flags::FlagSet* fs);
  void Validate(std::vector<std::string>* problems) const;
  void ApplyTo(server::Config* config) const;
  // Enabled returns the value the gates give `gate` (the last mention wins), or `default_value`. Call after
  // Validate.
  bool Enabled(absl::string_view gate, bool default_value) const;
};

}  // namespace apiserve::options

#endif  // APISERVE_OPTIONS_FEATURE_GATES_H_
