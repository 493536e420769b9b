#include "authconfig/install.h"

#include <utility>

#include "options/client_factory.h"
#include "options/secure_serving_options.h"

namespace apiserve::authconfig {

absl::StatusOr<std::unique_ptr<ConfigMapAuthentication>> ApplyTo(const options::RecommendedOptions& options,
                                                                 base::Executor* executor, server::Config* config) {
  const options::AuthenticationOptions& authn = options.authentication;
  std::unique_ptr<ConfigMapAuthentication> configmap;
  absl::Status applied = options.ApplyTo(config, [&](server::Config* c, auth::AuthOptions* auth) -> absl::Status {
    ConfigMapAuthenticationOptions cm;
    cm.client_ca_file_set = !authn.client_ca_file.empty();
    cm.requestheader_client_ca_file_set = !authn.request_header.client_ca_file.empty();
    std::shared_ptr<client::HttpClient> client;
    if (!authn.delegating.has_value()) {
      cm.skip_lookup = true;
    } else {
      cm.skip_lookup = authn.delegating->skip_in_cluster_lookup;
      cm.tolerate_lookup_failure = authn.delegating->tolerate_in_cluster_lookup_failure;
      const std::string kubeconfig = options::ResolvePath(authn.delegating->remote_kubeconfig_file);
      if (cm.skip_lookup) {
        // Nothing to read.
      } else if (auth->token_review_client != nullptr && auth->token_review_kubeconfig == kubeconfig) {
        client = auth->token_review_client;  // the TokenReview client: one client for the cluster
      } else {
        absl::StatusOr<std::shared_ptr<client::HttpClient>> made =
            options::DelegatedClient(options.client_factory, kubeconfig, "authentication");
        if (!made.ok()) return made.status();
        client = *std::move(made);
      }
    }
    configmap = ConfigMapAuthentication::New(cm, std::move(client), executor);
    configmap->ApplyTo(&c->tls);
    if (configmap->reads_request_header()) {
      auth->dynamic.request_header = configmap->dynamic_request_header();
      auth->dynamic.request_header_config = configmap->dynamic_request_header();
    }
    auth->dynamic.client_ca = configmap->reads_client_ca();
    return absl::OkStatus();
  });
  if (!applied.ok()) return applied;
  return configmap;
}

}  // namespace apiserve::authconfig
