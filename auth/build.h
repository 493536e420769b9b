#ifndef APISERVE_AUTH_BUILD_H_
#define APISERVE_AUTH_BUILD_H_

// BuildFromFlags: the authenticator and authorizer kube-apiserver assembles from its flags.
//
// Authentication, in kube's order: union(request-header if --requestheader-client-ca-file is set, x509 if a client
// CA is configured, bearer token file if given), then system:authenticated added to every user found, then the
// anonymous fallback if --anonymous-auth (only when no credentials were presented; a bad credential stays 401).
// With a TokenReview client (delegated authentication), bearer tokens are reviewed by the cluster, after every other
// authenticator (kube's order: the webhook is last). Run-time sources (AuthOptions::Dynamic: the cluster's
// extension-apiserver-authentication ConfigMap, which authconfig reads) take the request-header and x509 places.
//
// Authorization: the --authorization-mode union; or, for delegated authorization (kube's
// DelegatingAuthorizationOptions), union(--authorization-always-allow-groups, --authorization-always-allow-paths,
// SubjectAccessReview if a client is given). Without a client the delegated authorizer allows only the always-allow
// groups and paths (kube: "all requests not skipped by authorization are forbidden").

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "auth/request_header.h"
#include "auth/subject_access_review.h"
#include "auth/token_review.h"
#include "client/http_client.h"

namespace apiserve::auth {

struct AuthOptions {
  bool client_ca_configured = false;  // --client-ca-file set: certificates verified by tls/ are users
  std::string token_auth_file;        // --token-auth-file; empty: no token authentication
  absl::Duration token_file_poll_interval = absl::Minutes(1);     // fallback poll besides inotify
  bool anonymous_auth = true;                                     // --anonymous-auth
  std::vector<std::string> authorization_mode = {"AlwaysAllow"};  // --authorization-mode
  // --requestheader-*: kube-apiserver's defaults (off); extension servers start from
  // RequestHeaderConfig::DelegatingDefaults(). tls::TlsOptions::requestheader_client_ca_file must name the same CA.
  RequestHeaderConfig request_header = RequestHeaderConfig::KubeApiserverDefaults();

  // Delegated authentication: when not null, bearer tokens are reviewed through this client (TokenReview).
  std::shared_ptr<client::HttpClient> token_review_client = nullptr;
  std::string token_review_kubeconfig = {};  // where token_review_client came from ("": in-cluster)
  TokenReviewOptions token_review = {};

  // Delegated authorization replaces authorization_mode when set.
  struct Delegated {
    std::vector<std::string> always_allow_groups = {kMastersGroup};
    std::vector<std::string> always_allow_paths = {"/healthz", "/readyz", "/livez"};
    std::shared_ptr<client::HttpClient> subject_access_review_client;  // null: no webhook
    SubjectAccessReviewOptions subject_access_review;
  };
  std::optional<Delegated> delegated_authorization = std::nullopt;

  // Run-time sources (authconfig::ApplyTo: the cluster's extension-apiserver-authentication ConfigMap, as kube's
  // DelegatingAuthenticationOptions), each at the place in the union of its flag-built counterpart.
  struct Dynamic {
    // Request-header authentication whose settings change at run time: first in the union, instead of the one
    // `request_header` would build (which must be off: BuildFromFlags returns FailedPrecondition otherwise).
    // `request_header_config` gives its settings in force, whose identity headers chain::WithAuthentication strips.
    // Both or neither.
    std::shared_ptr<const Authenticator> request_header = nullptr;
    std::shared_ptr<const RequestHeaderConfigProvider> request_header_config = nullptr;
    // A client CA the TLS layer gets at run time (tls::TlsOptions::dynamic_client_cas): verified client
    // certificates are users, x509 second in the union, as with client_ca_configured.
    bool client_ca = false;
  };
  Dynamic dynamic = {};
};

struct AuthConfig {
  std::shared_ptr<const Authenticator> authenticator;
  std::shared_ptr<const Authorizer> authorizer;
  // The request-header settings when enabled, else null: for chain::WithAuthentication, which removes the
  // identity headers of the settings in force from authenticated requests.
  std::shared_ptr<const RequestHeaderConfigProvider> request_header_config;
};

// NewDelegatingAuthorizer is kube's DelegatingAuthorizationOptions.toAuthorizer: privileged groups, always-allow
// paths, then the SubjectAccessReview webhook (each only if configured). InvalidArgument for an always-allow path
// with a '*' other than at its end.
absl::StatusOr<std::shared_ptr<const Authorizer>> NewDelegatingAuthorizer(const AuthOptions::Delegated& options);

// BuildFromFlags returns what chain::ServerConfig needs. Errors: the token file cannot be read (NotFound /
// PermissionDenied) or is malformed (InvalidArgument naming the file and line); an unknown authorization mode; an
// invalid request-header setting (RequestHeaderConfig::Validate's message); FailedPrecondition for a dynamic
// request-header authenticator beside --requestheader-client-ca-file, or without its settings provider. The
// token file authenticator owns a watcher thread that lives as long as the returned authenticator.
absl::StatusOr<AuthConfig> BuildFromFlags(const AuthOptions& options);

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_BUILD_H_
