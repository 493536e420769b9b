#ifndef APISERVE_OPTIONS_AUTHORIZATION_OPTIONS_H_
#define APISERVE_OPTIONS_AUTHORIZATION_OPTIONS_H_

// AuthorizationOptions: `--authorization-mode`, the modes apiserve implements (AlwaysAllow, AlwaysDeny, Bootstrap),
// validated with kube's BuiltInAuthorizationOptions messages; and, for extension servers, kube's delegated
// authorization flags (DelegatingAuthorizationOptions): decisions asked of the cluster through SubjectAccessReview.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "auth/build.h"
#include "auth/user_info.h"
#include "flags/flag_set.h"
#include "options/client_factory.h"

namespace apiserve::options {

// DelegatingAuthorizationOptions are kube's flags of the same name that apiserve implements.
struct DelegatingAuthorizationOptions {
  // --authorization-kubeconfig: the cluster that reviews access. Empty: the in-cluster configuration if the
  // process runs in a cluster (see ClientFactory).
  std::string remote_kubeconfig_file;
  absl::Duration allow_cache_ttl = absl::Seconds(10);  // --authorization-webhook-cache-authorized-ttl
  absl::Duration deny_cache_ttl = absl::Seconds(10);   // --authorization-webhook-cache-unauthorized-ttl
  absl::Duration client_timeout = absl::Seconds(10);   // kube's ClientTimeout (no flag)
  // --authorization-always-allow-paths: authorized without asking the cluster (kube's default keeps the kubelet's
  // probes working). A trailing '*' matches a prefix.
  std::vector<std::string> always_allow_paths = {"/healthz", "/readyz", "/livez"};
  // --authorization-always-allow-groups (apiserve's flag over kube's AlwaysAllowGroups field, which kube sets but
  // does not expose): members are authorized without asking the cluster.
  std::vector<std::string> always_allow_groups = {auth::kMastersGroup};
};

struct AuthorizationOptions {
  // --authorization-mode. Empty in the delegating options until the flag is given (see ApplyTo).
  std::vector<std::string> modes = {"AlwaysAllow"};
  // Set by NewDelegatingAuthorizationOptions (extension servers); its flags are registered only then.
  std::optional<DelegatingAuthorizationOptions> delegating;

  void AddFlags(flags::FlagSet* fs);
  void Validate(std::vector<std::string>* problems) const;
  // ApplyTo sets the authorization of `auth`. With `delegating` and a SubjectAccessReview client from `factory` (see
  // ClientFactory and DelegatedClient; `failed to get delegated authorization kubeconfig: <reason>` on failure):
  // kube's delegating authorizer, union(always-allow groups, always-allow paths, SubjectAccessReview), replacing
  // --authorization-mode. Without a client (no kubeconfig, not in a cluster) it fails closed as kube's delegating
  // authorizer without a kubeconfig: only the always-allow groups and paths are authorized, everything else is
  // forbidden, with kube's warning — unless --authorization-mode was given, which then applies (a standalone
  // extension server, e.g. the sample run by itself with --authorization-mode=AlwaysAllow).
  absl::Status ApplyTo(auth::AuthOptions* auth, const ClientFactory& factory = nullptr) const;
};

AuthorizationOptions NewDelegatingAuthorizationOptions();

}  // namespace apiserve::options

#endif  // APISERVE_OPTIONS_AUTHORIZATION_OPTIONS_H_
