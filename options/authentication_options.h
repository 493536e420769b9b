#ifndef APISERVE_OPTIONS_AUTHENTICATION_OPTIONS_H_
#define APISERVE_OPTIONS_AUTHENTICATION_OPTIONS_H_

// AuthenticationOptions: kube's built-in authentication flags that apiserve implements — `--client-ca-file` (x509),
// `--token-auth-file`, `--anonymous-auth` and the `--requestheader-*` (front-proxy) set. Two sets of defaults, as
// kube: NewAuthenticationOptions() is kube-apiserver's (request-header off until configured);
// NewDelegatingAuthenticationOptions() is what extension servers start from (X-Remote-User, X-Remote-Group,
// X-Remote-Extra-), plus kube's delegated-authentication flags (DelegatingAuthenticationOptions): bearer tokens
// reviewed by the cluster through TokenReview.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "auth/build.h"
#include "auth/request_header.h"
#include "flags/flag_set.h"
#include "options/client_factory.h"
#include "server/config.h"

namespace apiserve::options {

// DelegatingAuthenticationOptions are kube's flags of the same name that apiserve implements.
struct DelegatingAuthenticationOptions {
  // --authentication-kubeconfig: the cluster that reviews tokens. Empty: the in-cluster configuration if the
  // process runs in a cluster (see ClientFactory), else no token review.
  std::string remote_kubeconfig_file;
  // --authentication-token-webhook-cache-ttl: how long review answers are cached (kube uses it for both the
  // authenticated and the not-authenticated answer).
  absl::Duration cache_ttl = absl::Seconds(10);
  // kube's TokenRequestTimeout (no flag): the bound on one review.
  absl::Duration token_request_timeout = absl::Seconds(10);
  // --authentication-skip-lookup and --authentication-tolerate-lookup-failure: whether the
  // extension-apiserver-authentication ConfigMap is read to fill in missing client-CA and request-header settings,
  // and whether failing to read it is fatal. Parsed and exposed here; the ConfigMap reader acts on them.
  bool skip_in_cluster_lookup = false;
  bool tolerate_in_cluster_lookup_failure = false;
};

struct AuthenticationOptions {
  std::string client_ca_file;
  std::string token_auth_file;
  bool anonymous_auth = true;
  auth::RequestHeaderConfig request_header = auth::RequestHeaderConfig::KubeApiserverDefaults();
  // Set by NewDelegatingAuthenticationOptions (extension servers); its flags are registered only then.
  std::optional<DelegatingAuthenticationOptions> delegating;

  void AddFlags(flags::FlagSet* fs);
  void Validate(std::vector<std::string>* problems) const;
  // ApplyTo sets the client CAs on config->tls and fills `auth` (built together with the authorization modes by
  // RecommendedOptions). Logs kube's request-header warnings. With `delegating`, asks `factory` for the TokenReview
  // client (see ClientFactory): `failed to get delegated authentication kubeconfig: <reason>` when it fails, or
  // when a kubeconfig is named but no factory is given; no factory, or NotFound for an empty path, means no
  // token review.
  absl::Status ApplyTo(server::Config* config, auth::AuthOptions* auth, const ClientFactory& factory = nullptr) const;
};

AuthenticationOptions NewAuthenticationOptions();
AuthenticationOptions NewDelegatingAuthenticationOptions();

}  // namespace apiserve::options

#endif  // APISERVE_OPTIONS_AUTHENTICATION_OPTIONS_H_
