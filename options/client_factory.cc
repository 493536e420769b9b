#include "options/client_factory.h"

#include "absl/strings/str_cat.h"
#include "options/secure_serving_options.h"

namespace apiserve::options {

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
