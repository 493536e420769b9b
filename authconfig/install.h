#ifndef APISERVE_AUTHCONFIG_INSTALL_H_
#define APISERVE_AUTHCONFIG_INSTALL_H_

// InstallConfigMapAuthentication: the ConfigMap half of kube's DelegatingAuthenticationOptions.ApplyTo, for a
// program built on options::RecommendedOptions (NewDelegatingRecommendedOptions). Three lines in an extension
// server's main:
//
//   RETURN_IF_ERROR(options.ApplyTo(&config));
//   server::EventLoop authn_loop("authn-configmap");  RETURN_IF_ERROR(authn_loop.Start());
//   ASSIGN_OR_RETURN(auto configmap, authconfig::InstallConfigMapAuthentication(options, &authn_loop, &config));
//   ASSIGN_OR_RETURN(auto completed, server::CompletedConfig::Complete(std::move(config)));
//   RETURN_IF_ERROR(configmap->Start(&completed->tls().certificates()));   // kube's start-up lookup
//
// It reads --authentication-kubeconfig (or the in-cluster configuration), --authentication-skip-lookup,
// --authentication-tolerate-lookup-failure, --client-ca-file and --requestheader-client-ca-file from `options`,
// asks options.client_factory for the cluster client, sets config->tls.dynamic_client_cas, and puts the ConfigMap's
// authenticators (request-header, then x509 on the ConfigMap's client CA) in front of config->chain.authenticator
// with kube's union semantics (WithConfigMapAuthenticators). Without delegating options it returns an inactive
// object (Start is OK at once).

#include <memory>

#include "absl/status/statusor.h"
#include "auth/authenticator.h"
#include "authconfig/configmap_authentication.h"
#include "base/executor.h"
#include "options/recommended_options.h"
#include "server/config.h"

namespace apiserve::authconfig {

absl::StatusOr<std::unique_ptr<ConfigMapAuthentication>> InstallConfigMapAuthentication(
    const options::RecommendedOptions& options, base::Executor* executor, server::Config* config);

// WithConfigMapAuthenticators returns `first` (the ConfigMap's authenticators; their users get system:authenticated)
// tried before `configured` (the options' authenticator, which may end with the anonymous fallback and may be
// asynchronous), as if `first` were at the front of kube's union: a user from `first` wins; else `configured`
// decides, except that its anonymous user does not override an error of `first` (a certificate that failed
// verification stays 401, as kube's FailOnError anonymous wrapper does); errors of both are joined with ", ".
std::shared_ptr<const auth::Authenticator> WithConfigMapAuthenticators(
    std::shared_ptr<const auth::Authenticator> first, std::shared_ptr<const auth::Authenticator> configured);

}  // namespace apiserve::authconfig

#endif  // APISERVE_AUTHCONFIG_INSTALL_H_
