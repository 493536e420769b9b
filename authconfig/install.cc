#include "authconfig/install.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "auth/union.h"
#include "auth/x509.h"
#include "options/client_factory.h"

namespace apiserve::authconfig {
namespace {

class FrontAuthenticator : public auth::Authenticator {
 public:
  FrontAuthenticator(std::shared_ptr<const auth::Authenticator> first,
                     std::shared_ptr<const auth::Authenticator> configured)
      : first_(std::move(first)), configured_(std::move(configured)) {}

  absl::StatusOr<auth::UserPtr> Authenticate(const http::Request& request) const override {
    absl::StatusOr<auth::UserPtr> user = first_->Authenticate(request);
    if (user.ok()) return user;
    return Combine(user.status(), configured_->Authenticate(request));
  }
  bool IsAsync() const override { return configured_->IsAsync(); }
  void AuthenticateAsync(const http::Request& request, auth::AuthenticateCallback done) const override {
    absl::StatusOr<auth::UserPtr> user = first_->Authenticate(request);
    if (user.ok()) {
      done(std::move(user));
      return;
    }
    configured_->AuthenticateAsync(
        request, [first = user.status(), done = std::move(done)](absl::StatusOr<auth::UserPtr> second) mutable {
          done(Combine(first, std::move(second)));
        });
  }

 private:
  static absl::StatusOr<auth::UserPtr> Combine(const absl::Status& first, absl::StatusOr<auth::UserPtr> second) {
    const bool first_failed = first.code() != absl::StatusCode::kNotFound;
    if (second.ok()) {
      if (first_failed && auth::IsAnonymous(**second)) return first;  // never anonymous after a bad credential
      return second;
    }
    if (!first_failed) return second;
    if (second.status().code() == absl::StatusCode::kNotFound) return first;
    return absl::UnauthenticatedError(absl::StrCat(first.message(), ", ", second.status().message()));
  }

  std::shared_ptr<const auth::Authenticator> first_;
  std::shared_ptr<const auth::Authenticator> configured_;
};

}  // namespace

std::shared_ptr<const auth::Authenticator> WithConfigMapAuthenticators(
    std::shared_ptr<const auth::Authenticator> first, std::shared_ptr<const auth::Authenticator> configured) {
  if (first == nullptr) return configured;
  if (configured == nullptr) return first;
  return std::make_shared<FrontAuthenticator>(std::move(first), std::move(configured));
}

absl::StatusOr<std::unique_ptr<ConfigMapAuthentication>> InstallConfigMapAuthentication(
    const options::RecommendedOptions& options, base::Executor* executor, server::Config* config) {
  const options::AuthenticationOptions& authn = options.authentication;
  ConfigMapAuthenticationOptions cm;
  cm.client_ca_file_set = !authn.client_ca_file.empty();
  cm.requestheader_client_ca_file_set = !authn.request_header.client_ca_file.empty();
  std::shared_ptr<client::HttpClient> client;
  if (!authn.delegating.has_value()) {
    cm.skip_lookup = true;
  } else {
    cm.skip_lookup = authn.delegating->skip_in_cluster_lookup;
    cm.tolerate_lookup_failure = authn.delegating->tolerate_in_cluster_lookup_failure;
    if (!cm.skip_lookup) {
      absl::StatusOr<std::shared_ptr<client::HttpClient>> made =
          options::DelegatedClient(options.client_factory, authn.delegating->remote_kubeconfig_file, "authentication");
      if (!made.ok()) return made.status();
      client = *std::move(made);
    }
  }
  std::unique_ptr<ConfigMapAuthentication> configmap = ConfigMapAuthentication::New(cm, client, executor);
  configmap->ApplyTo(&config->tls);
  std::vector<std::shared_ptr<const auth::Authenticator>> front;
  if (configmap->reads_request_header()) front.push_back(configmap->request_header_authenticator());
  if (configmap->reads_client_ca()) front.push_back(auth::NewX509Authenticator());
  // The authentication filter strips the identity headers the ConfigMap names now, not those of the flags.
  if (configmap->reads_request_header()) config->chain.request_header_config = configmap->dynamic_request_header();
  if (!front.empty()) {
    config->chain.authenticator = WithConfigMapAuthenticators(auth::WithAuthenticatedGroup(auth::Union(front)),
                                                              config->chain.authenticator);
  }
  return configmap;
}

}  // namespace apiserve::authconfig
