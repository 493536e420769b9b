#ifndef APISERVE_AUTHCONFIG_INSTALL_H_
#define APISERVE_AUTHCONFIG_INSTALL_H_

// authconfig::ApplyTo: options::RecommendedOptions::ApplyTo with the cluster's extension-apiserver-authentication
// ConfigMap as an authentication source — kube's DelegatingAuthenticationOptions.ApplyTo in full, for a program built
// on NewDelegatingRecommendedOptions. In an extension server's main, in place of options.ApplyTo:
//
//   server::EventLoop authn_loop("authn-configmap");  RETURN_IF_ERROR(authn_loop.Start());
//   ASSIGN_OR_RETURN(auto configmap, authconfig::ApplyTo(options, &authn_loop, &config));
//   ASSIGN_OR_RETURN(auto completed, server::CompletedConfig::Complete(std::move(config)));
//   RETURN_IF_ERROR(configmap->Start(&completed->tls().certificates()));   // kube's start-up lookup
//
// It reads --authentication-kubeconfig (or the in-cluster configuration), --authentication-skip-lookup,
// --authentication-tolerate-lookup-failure, --client-ca-file and --requestheader-client-ca-file from `options`, and
// through RecommendedOptions::AuthExtension, before the authenticator is built:
//   - reads the ConfigMap with the client the options made for TokenReview (one client per cluster: a second is
//     made only if that one came from another kubeconfig);
//   - sets config->tls.dynamic_client_cas;
//   - gives auth::BuildFromFlags the ConfigMap's request-header authenticator and its settings (first in the union;
//     chain::WithAuthentication strips the identity headers they name now) and x509 on the ConfigMap's client CA
//     (second), at kube's places: request-header, x509, token file, TokenReview, then anonymous.
// Without delegating options it is options.ApplyTo and returns an inactive object (Start is OK at once).
// `executor` is borrowed and must outlive the returned object; the ConfigMap's updates run on it.

#include <memory>

#include "absl/status/statusor.h"
#include "authconfig/configmap_authentication.h"
#include "base/executor.h"
#include "options/recommended_options.h"
#include "server/config.h"

namespace apiserve::authconfig {

// ApplyTo fills `config` as options.ApplyTo does (its errors), with the ConfigMap source wired in (see above).
absl::StatusOr<std::unique_ptr<ConfigMapAuthentication>> ApplyTo(const options::RecommendedOptions& options,
                                                                 base::Executor* executor, server::Config* config);

}  // namespace apiserve::authconfig

#endif  // APISERVE_AUTHCONFIG_INSTALL_H_
