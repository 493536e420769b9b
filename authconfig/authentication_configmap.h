#ifndef APISERVE_AUTHCONFIG_AUTHENTICATION_CONFIGMAP_H_
#define APISERVE_AUTHCONFIG_AUTHENTICATION_CONFIGMAP_H_

// The kube-system/extension-apiserver-authentication ConfigMap: what kube-apiserver publishes for extension API
// servers (its --client-ca-file and --requestheader-* settings), and its parsing as kube's
// dynamiccertificates.ConfigMapCAController and headerrequest.RequestHeaderAuthRequestController read it.
//
//   data:
//     client-ca-file: "-----BEGIN CERTIFICATE-----..."
//     requestheader-client-ca-file: "-----BEGIN CERTIFICATE-----..."
//     requestheader-allowed-names: '["front-proxy-client"]'       ← lists are JSON arrays inside strings
//     requestheader-username-headers: '["X-Remote-User"]'
//     requestheader-uid-headers: '["X-Remote-Uid"]'
//     requestheader-group-headers: '["X-Remote-Group"]'
//     requestheader-extra-headers-prefix: '["X-Remote-Extra-"]'

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace apiserve::authconfig {

inline constexpr char kAuthenticationConfigMapNamespace[] = "kube-system";
inline constexpr char kAuthenticationConfigMapName[] = "extension-apiserver-authentication";
// kube's authenticationRoleName: the Role that lets an extension server read the ConfigMap.
inline constexpr char kAuthenticationRoleName[] = "extension-apiserver-authentication-reader";

// Data keys.
inline constexpr char kClientCaKey[] = "client-ca-file";
inline constexpr char kRequestHeaderCaKey[] = "requestheader-client-ca-file";
inline constexpr char kRequestHeaderAllowedNamesKey[] = "requestheader-allowed-names";
inline constexpr char kRequestHeaderUsernameHeadersKey[] = "requestheader-username-headers";
inline constexpr char kRequestHeaderUidHeadersKey[] = "requestheader-uid-headers";
inline constexpr char kRequestHeaderGroupHeadersKey[] = "requestheader-group-headers";
inline constexpr char kRequestHeaderExtraPrefixesKey[] = "requestheader-extra-headers-prefix";

// The names kube gives the two dynamic CA sources (they appear in errors and logs).
inline constexpr char kClientCaSourceName[] =
    "client-ca::kube-system::extension-apiserver-authentication::client-ca-file";
inline constexpr char kRequestHeaderCaSourceName[] =
    "request-header::kube-system::extension-apiserver-authentication::requestheader-client-ca-file";

// RequestHeaderBundle is kube's requestHeaderBundle: the request-header settings of one version of the ConfigMap.
struct RequestHeaderBundle {
  std::string ca_pem;  // empty: the ConfigMap has no request-header CA
  std::vector<std::string> allowed_names;
  std::vector<std::string> username_headers;
  std::vector<std::string> uid_headers;
  std::vector<std::string> group_headers;
  std::vector<std::string> extra_headers_prefix;

  friend bool operator==(const RequestHeaderBundle& a, const RequestHeaderBundle& b);
  friend bool operator!=(const RequestHeaderBundle& a, const RequestHeaderBundle& b) { return !(a == b); }
};

// ConfigMapObject is what the watcher reads of the ConfigMap object.
struct ConfigMapObject {
  std::string resource_version;
  std::map<std::string, std::string> data;
};

// ParseConfigMapObject reads a ConfigMap's JSON (kind ConfigMap). InvalidArgument (Go's JSON message, or
// "not a ConfigMap") otherwise.
absl::StatusOr<ConfigMapObject> ParseConfigMapObject(absl::string_view json);

// DeserializeStrings is kube's deserializeStrings: "" → empty, else a JSON array of strings; InvalidArgument with
// Go's json.Unmarshal message otherwise ("invalid character 'X' looking for beginning of value", "json: cannot
// unmarshal string into Go value of type []string").
absl::StatusOr<std::vector<std::string>> DeserializeStrings(absl::string_view value);

// RequestHeaderBundleFromData reads the request-header keys of `data`; the first list that does not deserialize is
// the error.
absl::StatusOr<RequestHeaderBundle> RequestHeaderBundleFromData(const std::map<std::string, std::string>& data);

}  // namespace apiserve::authconfig

#endif  // APISERVE_AUTHCONFIG_AUTHENTICATION_CONFIGMAP_H_
