#ifndef APISERVE_OPTIONS_AUTHENTICATION_OPTIONS_H_
#define APISERVE_OPTIONS_AUTHENTICATION_OPTIONS_H_

// AuthenticationOptions: kube's built-in authentication flags that apiserve implements — `--client-ca-file` (x509),
// `--token-auth-file`, `--anonymous-auth` and the `--requestheader-*` (front-proxy) set. Two sets of defaults, as
// kube: NewAuthenticationOptions() is kube-apiserver's (request-header off until configured);
// NewDelegatingAuthenticationOptions() is what extension servers start from (X-Remote-User, X-Remote-Group,
// X-Remote-Extra-).

#include <string>
#include <vector>

#include "auth/build.h"
#include "auth/request_header.h"
#include "flags/flag_set.h"
#include "server/config.h"

namespace apiserve::options {

struct AuthenticationOptions {
  std::string client_ca_file;
  std::string token_auth_file;
  bool anonymous_auth = true;
  auth::RequestHeaderConfig request_header = auth::RequestHeaderConfig::KubeApiserverDefaults();

  void AddFlags(flags::FlagSet* fs);
  void Validate(std::vector<std::string>* problems) const;
  // ApplyTo sets the client CAs on config->tls and fills `auth` (built together with the authorization modes by
  // RecommendedOptions). Logs kube's request-header warnings.
  void ApplyTo(server::Config* config, auth::AuthOptions* auth) const;
};

AuthenticationOptions NewAuthenticationOptions();
AuthenticationOptions NewDelegatingAuthenticationOptions();

}  // namespace apiserve::options

#endif  // APISERVE_OPTIONS_AUTHENTICATION_OPTIONS_H_
