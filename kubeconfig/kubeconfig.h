#ifndef APISERVE_KUBECONFIG_KUBECONFIG_H_
#define APISERVE_KUBECONFIG_KUBECONFIG_H_

// Where a client::ClientConfig comes from: a kubeconfig file (--authentication-kubeconfig,
// --authorization-kubeconfig) or the pod's service account, as client-go's clientcmd and rest.InClusterConfig.
//
//   ASSIGN_OR_RETURN(client::ClientConfig config, kubeconfig::LoadKubeconfig("/etc/kube/auth.kubeconfig"));
//   ASSIGN_OR_RETURN(auto client, client::NewHttpClient(config));
//
// Supported in the current context's cluster: server, certificate-authority-data, certificate-authority,
// tls-server-name; in its user: client-certificate-data, client-certificate, client-key-data, client-key, token,
// tokenFile. Relative file paths are resolved against the kubeconfig's directory (clientcmd's rule).
// Rejected with InvalidArgument naming the field: insecure-skip-tls-verify: true (a delegating server must verify the
// cluster it trusts with its authentication decisions), proxy-url, and the exec / auth-provider / username-password
// credentials (no plugin runner here). Stateless; thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/config.h"

namespace apiserve::kubeconfig {

inline constexpr absl::string_view kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

// LoadKubeconfig reads the kubeconfig at `path` and returns the client configuration of its current-context.
// Errors: NotFound / PermissionDenied naming an unreadable file (the kubeconfig or one it references);
// InvalidArgument naming the file and the field for bad YAML, a missing or unknown current-context, cluster or user,
// a missing server, bad base64, or an unsupported setting (above).
absl::StatusOr<client::ClientConfig> LoadKubeconfig(const std::string& path);

// ParseKubeconfig is LoadKubeconfig on `content` already read; `path` names it in messages and its directory
// resolves relative paths.
absl::StatusOr<client::ClientConfig> ParseKubeconfig(absl::string_view content, const std::string& path);

// InClusterConfig is rest.InClusterConfig: host https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, the
// token file <dir>/token (re-read as it rotates, see client::ClientConfig) and the CA <dir>/ca.crt.
// Errors: NotFound "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT
// must be defined" (client-go's ErrNotInCluster); NotFound / PermissionDenied naming an unreadable token or CA file.
absl::StatusOr<client::ClientConfig> InClusterConfig(absl::string_view dir = kServiceAccountDir);

// DelegatingClientConfig is kube's rule for --authentication-kubeconfig / --authorization-kubeconfig: a non-empty
// `kubeconfig_path` is loaded; an empty one means the in-cluster configuration from `dir`, and NotFound when the
// process is not in a cluster (the environment variables or the token file are missing), which the caller reports
// as kube does ("no kubeconfig and not in a cluster").
absl::StatusOr<client::ClientConfig> DelegatingClientConfig(const std::string& kubeconfig_path,
                                                            absl::string_view dir = kServiceAccountDir);

}  // namespace apiserve::kubeconfig

#endif  // APISERVE_KUBECONFIG_KUBECONFIG_H_
