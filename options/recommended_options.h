#ifndef APISERVE_OPTIONS_RECOMMENDED_OPTIONS_H_
#define APISERVE_OPTIONS_RECOMMENDED_OPTIONS_H_

// RecommendedOptions bundles every option group a server built on apiserve takes, as kube's
// k8s.io/apiserver/pkg/server/options.RecommendedOptions does:
//
//   options::RecommendedOptions options;             // kube-apiserver's defaults (or NewDelegating... for an
//   flags::FlagSet fs("my-apiserver");               // extension server)
//   options.AddFlags(&fs);
//   RETURN_IF_ERROR(fs.Parse(argc, argv));
//   RETURN_IF_ERROR(options.Validate());              // every problem at once, kube's aggregate text
//   server::Config config;
//   RETURN_IF_ERROR(options.ApplyTo(&config));        // each setting lands in one place
//   ASSIGN_OR_RETURN(auto completed, server::CompletedConfig::Complete(std::move(config)));
//
// Validate's InvalidArgument message is kube's utilerrors.NewAggregate text: a single problem alone, several as
// "[first, second, ...]" (duplicates dropped), in the order secure serving, server run, authentication,
// authorization, feature gates, then apiserve's own serving limits.

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "flags/flag_set.h"
#include "options/authentication_options.h"
#include "options/authorization_options.h"
#include "options/client_factory.h"
#include "options/feature_gates.h"
#include "options/secure_serving_options.h"
#include "options/server_run_options.h"
#include "options/serving_limits_options.h"
#include "server/config.h"

namespace apiserve::options {

struct RecommendedOptions {
  SecureServingOptions secure_serving;
  ServerRunOptions server_run;
  AuthenticationOptions authentication = NewAuthenticationOptions();
  AuthorizationOptions authorization;
  FeatureGates features;
  ServingLimitsOptions limits;
  int verbosity = 0;  // -v / --v
  // client_factory makes the cluster clients of the delegating options (--authentication-kubeconfig,
  // --authorization-kubeconfig, or in-cluster). Null: no cluster client; a named kubeconfig is then an ApplyTo
  // error. Not a flag: a program sets it (see ClientFactory).
  ClientFactory client_factory;

  // AddFlags registers every group's flags on `fs` (borrowed, as `this`), their current values as defaults, so an
  // embedder may change defaults first. Registering twice on one FlagSet aborts (a flag would be redefined).
  void AddFlags(flags::FlagSet* fs);
  // Validate returns OK or one InvalidArgument listing every problem (see above).
  absl::Status Validate() const;
  // ApplyTo fills `config`: listening, TLS, codecs, the chain's settings, and the authenticator and authorizer
  // (built now: a token file that cannot be read is NotFound/PermissionDenied naming it, a malformed one
  // InvalidArgument naming file and line; a delegating kubeconfig that gives no client: `failed to get delegated
  // authentication kubeconfig: ...`).
  absl::Status ApplyTo(server::Config* config) const;

  // AuthExtension runs inside ApplyTo once the flags have filled `auth` and before the authenticator is built: it may
  // add run-time authentication sources (auth::AuthOptions::Dynamic) so they land at kube's place in the union, and
  // reuse the cluster client the options made (auth->token_review_client, from auth->token_review_kubeconfig).
  // authconfig::ApplyTo uses it for the extension-apiserver-authentication ConfigMap. An error fails ApplyTo.
  using AuthExtension = std::function<absl::Status(server::Config* config, auth::AuthOptions* auth)>;
  // ApplyTo with `extend` (may be null: plain ApplyTo).
  absl::Status ApplyTo(server::Config* config, const AuthExtension& extend) const;
};

// NewDelegatingRecommendedOptions is RecommendedOptions with the delegating defaults extension API servers use:
// request-header X-Remote-User / X-Remote-Group / X-Remote-Extra-, and kube's delegated authentication (TokenReview)
// and authorization (SubjectAccessReview, always-allow paths and groups) flags. The webhooks are built when
// `client_factory` (KubeconfigClientFactory: apiserve's client) gives a client for --authentication-kubeconfig /
// --authorization-kubeconfig, or for the in-cluster service account when they are empty.
RecommendedOptions NewDelegatingRecommendedOptions();

}  // namespace apiserve::options

#endif  // APISERVE_OPTIONS_RECOMMENDED_OPTIONS_H_
