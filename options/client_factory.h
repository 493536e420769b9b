#ifndef APISERVE_OPTIONS_CLIENT_FACTORY_H_
#define APISERVE_OPTIONS_CLIENT_FACTORY_H_

// options::ClientFactory: how the delegating options get a client for the cluster from a kubeconfig path
// (--authentication-kubeconfig, --authorization-kubeconfig). Injected so options/ does not depend on a particular
// client; a program built on the apiserve client sets it to kubeconfig loading + client::NewHttpClient.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/http_client.h"

namespace apiserve::options {

// ClientFactory returns a client for the cluster `kubeconfig_path` names. An empty path asks for the in-cluster
// configuration (the service account's token and CA, KUBERNETES_SERVICE_HOST/PORT); the factory returns NotFound
// when the process does not run in a cluster, and any other error for a kubeconfig or in-cluster configuration that
// cannot be used (the options then fail, naming it, as kube: "failed to get delegated authentication kubeconfig:
// ..."). Called from ApplyTo, on the thread that builds the configuration.
using ClientFactory =
    std::function<absl::StatusOr<std::shared_ptr<client::HttpClient>>(const std::string& kubeconfig_path)>;

// KubeconfigClientFactory is the factory of apiserve's own client: kubeconfig::DelegatingClientConfig (the file, or
// the in-cluster service account for "") then client::NewHttpClient. NewDelegatingRecommendedOptions sets it.
ClientFactory KubeconfigClientFactory();

// DelegatedClient asks `factory` (may be null) for the client of `kubeconfig` (a relative path resolved as other
// files are, by ResolvePath). Null with OK when there is none to be had: no factory and no kubeconfig, or NotFound
// (not in a cluster) for an empty path. Otherwise an error `failed to get delegated <what> kubeconfig: <reason>`
// (`what`: "authentication" or "authorization", kube's words), FailedPrecondition when a kubeconfig is named but
// there is no factory.
absl::StatusOr<std::shared_ptr<client::HttpClient>> DelegatedClient(const ClientFactory& factory,
                                                                    const std::string& kubeconfig,
                                                                    absl::string_view what);

}  // namespace apiserve::options

#endif  // APISERVE_OPTIONS_CLIENT_FACTORY_H_
