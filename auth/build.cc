#include "auth/build.h"

#include <utility>

#include "auth/anonymous.h"
#include "auth/authorizers.h"
#include "auth/request_header.h"
#include "auth/subject_access_review.h"
#include "auth/token_file.h"
#include "auth/token_review.h"
#include "auth/union.h"
#include "auth/x509.h"

namespace apiserve::auth {

absl::StatusOr<std::shared_ptr<const Authorizer>> NewDelegatingAuthorizer(const AuthOptions::Delegated& options) {
  std::vector<std::shared_ptr<const Authorizer>> authorizers;
  if (!options.always_allow_groups.empty()) {
    authorizers.push_back(PrivilegedGroupsAuthorizer(options.always_allow_groups));
  }
  if (!options.always_allow_paths.empty()) {
    absl::StatusOr<std::shared_ptr<const Authorizer>> paths = AlwaysAllowPathsAuthorizer(options.always_allow_paths);
    if (!paths.ok()) return paths.status();
    authorizers.push_back(*std::move(paths));
  }
  if (options.subject_access_review_client != nullptr) {
    authorizers.push_back(
        NewSubjectAccessReviewAuthorizer(options.subject_access_review_client, options.subject_access_review));
  }
  return UnionAuthorizer(std::move(authorizers));
}

absl::StatusOr<AuthConfig> BuildFromFlags(const AuthOptions& options) {
  std::vector<std::shared_ptr<const Authenticator>> authenticators;
  AuthConfig config;
  const AuthOptions::Dynamic& dynamic = options.dynamic;
  if ((dynamic.request_header == nullptr) != (dynamic.request_header_config == nullptr)) {
    return absl::FailedPreconditionError(
        "BuildFromFlags: a dynamic request-header authenticator needs its settings provider, and only it");
  }
  if (dynamic.request_header != nullptr) {
    if (options.request_header.Enabled()) {
      return absl::FailedPreconditionError(
          "BuildFromFlags: a dynamic request-header authenticator beside --requestheader-client-ca-file");
    }
    authenticators.push_back(dynamic.request_header);
    config.request_header_config = dynamic.request_header_config;
  } else if (options.request_header.Enabled()) {
    if (absl::Status valid = options.request_header.Validate(); !valid.ok()) return valid;
    authenticators.push_back(NewRequestHeaderAuthenticator(options.request_header));
    config.request_header_config =
        StaticRequestHeaderConfig(std::make_shared<const RequestHeaderConfig>(options.request_header));
  }
  if (options.client_ca_configured || dynamic.client_ca) authenticators.push_back(NewX509Authenticator());
  if (!options.token_auth_file.empty()) {
    TokenFileAuthenticator::Options token_options;
    token_options.path = options.token_auth_file;
    token_options.poll_interval = options.token_file_poll_interval;
    absl::StatusOr<std::shared_ptr<TokenFileAuthenticator>> tokens = TokenFileAuthenticator::New(token_options);
    if (!tokens.ok()) return tokens.status();
    authenticators.push_back(*std::move(tokens));
  }
  if (options.token_review_client != nullptr) {
    authenticators.push_back(NewTokenReviewAuthenticator(options.token_review_client, options.token_review));
  }
  if (!authenticators.empty()) config.authenticator = WithAuthenticatedGroup(Union(std::move(authenticators)));
  if (options.anonymous_auth) {
    config.authenticator = WithAnonymous(std::move(config.authenticator));
  } else if (config.authenticator == nullptr) {
    // Nothing can authenticate anyone: every request is 401, as kube with no authenticators and anonymous off.
    config.authenticator = Union({});
  }
  absl::StatusOr<std::shared_ptr<const Authorizer>> authorizer =
      options.delegated_authorization.has_value() ? NewDelegatingAuthorizer(*options.delegated_authorization)
                                                  : NewAuthorizer(options.authorization_mode);
  if (!authorizer.ok()) return authorizer.status();
  config.authorizer = *std::move(authorizer);
  return config;
}

}  // namespace apiserve::auth
