#include "options/client_factory.h"

#include "absl/strings/str_cat.h"
#include "client/https_client.h"
#include "kubeconfig/kubeconfig.h"
#include "options/secure_serving_options.h"

namespace apiserve::options {

ClientFactory KubeconfigClientFactory() {
  return [](const std::string& path) -> absl::StatusOr<std::shared_ptr<client::HttpClient>> {
    absl::StatusOr<client::ClientConfig> config = kubeconfig::DelegatingClientConfig(path);
    if (!config.ok()) return config.status();  // NotFound for "" outside a cluster: no webhook
    absl::StatusOr<std::unique_ptr<client::HttpClient>> made = client::NewHttpClient(*config);
    if (!made.ok()) {
      // A configuration was found but cannot be used: never "not in a cluster", whatever the code.
      if (absl::IsNotFound(made.status())) return absl::FailedPreconditionError(made.status().message());
      return made.status();
    }
    return std::shared_ptr<client::HttpClient>(*std::move(made));
  };
}

absl::StatusOr<std::shared_ptr<client::HttpClient>> DelegatedClient(const ClientFactory& factory,
                                                                    const std::string& kubeconfig,
                                                                    absl::string_view what) {
  const std::string path = ResolvePath(kubeconfig);
  if (factory == nullptr) {
    if (path.empty()) return std::shared_ptr<client::HttpClient>();
    return absl::FailedPreconditionError(absl::StrCat("failed to get delegated ", what, " kubeconfig: ", path,
                                                      ": this program has no cluster client (ClientFactory)"));
  }
  absl::StatusOr<std::shared_ptr<client::HttpClient>> client = factory(path);
  if (client.ok()) return client;
  if (path.empty() && absl::IsNotFound(client.status())) return std::shared_ptr<client::HttpClient>();
  return absl::Status(client.status().code(),
                      absl::StrCat("failed to get delegated ", what, " kubeconfig: ", client.status().message()));
}

}  // namespace apiserve::options
