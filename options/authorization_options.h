#ifndef APISERVE_OPTIONS_AUTHORIZATION_OPTIONS_H_
#define APISERVE_OPTIONS_AUTHORIZATION_OPTIONS_H_

// AuthorizationOptions: `--authorization-mode`, the modes apiserve implements (AlwaysAllow, AlwaysDeny, Bootstrap),
// validated with kube's BuiltInAuthorizationOptions messages.

#include <string>
#include <vector>

#include "auth/build.h"
#include "flags/flag_set.h"

namespace apiserve::options {

struct AuthorizationOptions {
  std::vector<std::string> modes = {"AlwaysAllow"};

  void AddFlags(flags::FlagSet* fs);
  void Validate(std::vector<std::string>* problems) const;
  void ApplyTo(auth::AuthOptions* auth) const { auth->authorization_mode = modes; }
};

}  // namespace apiserve::options

#endif  // APISERVE_OPTIONS_AUTHORIZATION_OPTIONS_H_
