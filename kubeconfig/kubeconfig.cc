#include "kubeconfig/kubeconfig.h"

#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "kubeconfig/yaml_tree.h"
#include "tls/file_util.h"

namespace apiserve::kubeconfig {
namespace {

// Reader turns the YAML tree into the fields we use, each error naming the file and the field's path.
class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path) {
    const size_t slash = path.rfind('/');
    dir_ = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  }

  absl::Status Error(absl::string_view field, absl::string_view problem) const {
    return absl::InvalidArgumentError(absl::StrCat(path_, ": ", field, ": ", problem));
  }

  // String returns the scalar at `key` of `node` ("" when absent or null); InvalidArgument when it is not a scalar.
  absl::StatusOr<std::string> String(const YamlNode& node, absl::string_view key, absl::string_view field) const {
    const YamlNode* value = node.Find(key);
    if (value == nullptr || value->kind == YamlNode::Kind::kNull) return std::string();
    if (value->kind != YamlNode::Kind::kScalar) {
      return Error(field, absl::StrCat("want a string (line ", value->line, ")"));
    }
    return value->scalar;
  }

  absl::StatusOr<bool> Bool(const YamlNode& node, absl::string_view key, absl::string_view field) const {
    ASSIGN_OR_RETURN(std::string value, String(node, key, field));
    if (value.empty() || value == "false" || value == "False" || value == "FALSE") return false;
    if (value == "true" || value == "True" || value == "TRUE") return true;
    return Error(field, absl::StrCat("want true or false, got \"", value, "\""));
  }

  absl::StatusOr<std::string> Base64(const YamlNode& node, absl::string_view key, absl::string_view field) const {
    ASSIGN_OR_RETURN(std::string encoded, String(node, key, field));
    if (encoded.empty()) return std::string();
    std::string decoded;
    std::string compact;
    for (const char c : encoded) {
      if (!absl::ascii_isspace(static_cast<unsigned char>(c))) compact.push_back(c);
    }
    if (!absl::Base64Unescape(compact, &decoded)) return Error(field, "illegal base64 data");
    return decoded;
  }

  // Path resolves a file reference against the kubeconfig's directory.
  std::string Resolve(const std::string& file) const {
    if (file.empty() || file[0] == '/') return file;
    return absl::StrCat(dir_, "/", file);
  }

  // Named finds the entry `name` in the list at `key` ("clusters", "contexts", "users") and returns its `inner`
  // mapping ("cluster", "context", "user").
  absl::StatusOr<const YamlNode*> Named(const YamlNode& root, absl::string_view key, absl::string_view inner,
                                        const std::string& name, absl::string_view referrer) const {
    const YamlNode* list = root.Find(key);
    if (list != nullptr && list->kind != YamlNode::Kind::kNull && list->kind != YamlNode::Kind::kSequence) {
      return Error(key, absl::StrCat("want a list (line ", list->line, ")"));
    }
    if (list != nullptr && list->kind == YamlNode::Kind::kSequence) {
      for (size_t i = 0; i < list->items.size(); ++i) {
        const YamlNode& item = list->items[i];
        const std::string field = absl::StrCat(key, "[", i, "]");
        if (item.kind != YamlNode::Kind::kMapping) {
          return Error(field, absl::StrCat("want a mapping (line ", item.line, ")"));
        }
        ASSIGN_OR_RETURN(std::string item_name, String(item, "name", absl::StrCat(field, ".name")));
        if (item_name != name) continue;
        const YamlNode* body = item.Find(inner);
        if (body == nullptr || body->kind == YamlNode::Kind::kNull) {
          static const YamlNode* const kEmpty = [] {
            auto* empty = new YamlNode;
            empty->kind = YamlNode::Kind::kMapping;
            return empty;
          }();
          return kEmpty;  // `user: {}` and `user:` alike
        }
        if (body->kind != YamlNode::Kind::kMapping) {
          return Error(absl::StrCat(field, ".", inner), absl::StrCat("want a mapping (line ", body->line, ")"));
        }
        return body;
      }
    }
    return Error(referrer, absl::StrCat("no ", inner, " named \"", name, "\" in ", key));
  }

 private:
  std::string path_;
  std::string dir_;
};

}  // namespace

absl::StatusOr<client::ClientConfig> ParseKubeconfig(absl::string_view content, const std::string& path) {
  ASSIGN_OR_RETURN(YamlNode root, ParseYaml(content, path));
  Reader reader(path);
  if (root.kind != YamlNode::Kind::kMapping) {
    return reader.Error("(root)", "want a mapping (a kubeconfig with apiVersion, clusters, contexts, users)");
  }
  ASSIGN_OR_RETURN(std::string current, reader.String(root, "current-context", "current-context"));
  if (current.empty()) return reader.Error("current-context", "not set");
  ASSIGN_OR_RETURN(const YamlNode* context, reader.Named(root, "contexts", "context", current, "current-context"));
  ASSIGN_OR_RETURN(std::string cluster_name, reader.String(*context, "cluster", "context.cluster"));
  ASSIGN_OR_RETURN(std::string user_name, reader.String(*context, "user", "context.user"));
  if (cluster_name.empty()) {
    return reader.Error(absl::StrCat("contexts[\"", current, "\"].cluster"), "not set");
  }
  ASSIGN_OR_RETURN(const YamlNode* cluster, reader.Named(root, "clusters", "cluster", cluster_name,
                                                         absl::StrCat("contexts[\"", current, "\"].cluster")));

  client::ClientConfig config;
  const std::string cp = absl::StrCat("clusters[\"", cluster_name, "\"].cluster.");
  ASSIGN_OR_RETURN(config.host, reader.String(*cluster, "server", cp + "server"));
  if (config.host.empty()) return reader.Error(cp + "server", "not set");
  if (!absl::StartsWith(config.host, "https://")) {
    return reader.Error(cp + "server", absl::StrCat("\"", config.host, "\": only https:// servers are supported"));
  }
  ASSIGN_OR_RETURN(config.ca_pem,
                   reader.Base64(*cluster, "certificate-authority-data", cp + "certificate-authority-data"));
  ASSIGN_OR_RETURN(std::string ca_file, reader.String(*cluster, "certificate-authority", cp + "certificate-authority"));
  // clientcmd: the data wins over the file when both are set.
  if (config.ca_pem.empty()) config.ca_file = reader.Resolve(ca_file);
  ASSIGN_OR_RETURN(config.tls_server_name, reader.String(*cluster, "tls-server-name", cp + "tls-server-name"));
  ASSIGN_OR_RETURN(bool insecure, reader.Bool(*cluster, "insecure-skip-tls-verify", cp + "insecure-skip-tls-verify"));
  if (insecure) {
    return reader.Error(cp + "insecure-skip-tls-verify",
                        "not supported: the cluster's certificate must be verified (set certificate-authority or "
                        "certificate-authority-data)");
  }
  ASSIGN_OR_RETURN(std::string proxy, reader.String(*cluster, "proxy-url", cp + "proxy-url"));
  if (!proxy.empty()) return reader.Error(cp + "proxy-url", "not supported");

  if (!user_name.empty()) {
    const std::string up = absl::StrCat("users[\"", user_name, "\"].user.");
    ASSIGN_OR_RETURN(const YamlNode* user,
                     reader.Named(root, "users", "user", user_name, absl::StrCat("contexts[\"", current, "\"].user")));
    for (absl::string_view unsupported : {"exec", "auth-provider", "username", "password", "as", "impersonate"}) {
      const YamlNode* value = user->Find(unsupported);
      if (value != nullptr && value->kind != YamlNode::Kind::kNull) {
        return reader.Error(absl::StrCat(up, unsupported),
                            "not supported (use client certificates, token or tokenFile)");
      }
    }
    ASSIGN_OR_RETURN(config.cert_pem, reader.Base64(*user, "client-certificate-data", up + "client-certificate-data"));
    ASSIGN_OR_RETURN(config.key_pem, reader.Base64(*user, "client-key-data", up + "client-key-data"));
    ASSIGN_OR_RETURN(std::string cert_file, reader.String(*user, "client-certificate", up + "client-certificate"));
    ASSIGN_OR_RETURN(std::string key_file, reader.String(*user, "client-key", up + "client-key"));
    if (config.cert_pem.empty()) config.cert_file = reader.Resolve(cert_file);
    if (config.key_pem.empty()) config.key_file = reader.Resolve(key_file);
    const bool has_cert = !config.cert_pem.empty() || !config.cert_file.empty();
    const bool has_key = !config.key_pem.empty() || !config.key_file.empty();
    if (has_cert != has_key) {
      return reader.Error(has_cert ? up + "client-key" : up + "client-certificate",
                          "missing: a client certificate and its key go together");
    }
    ASSIGN_OR_RETURN(config.bearer_token, reader.String(*user, "token", up + "token"));
    ASSIGN_OR_RETURN(std::string token_file, reader.String(*user, "tokenFile", up + "tokenFile"));
    config.bearer_token_file = reader.Resolve(token_file);
  }

  // Referenced files must be readable now (clientcmd fails the same way), so a typo is reported with the kubeconfig.
  for (const std::string* file : {&config.ca_file, &config.cert_file, &config.key_file, &config.bearer_token_file}) {
    if (file->empty()) continue;
    absl::StatusOr<std::string> content_or = tls::ReadFileToString(*file);
    if (!content_or.ok()) {
      return absl::Status(content_or.status().code(), absl::StrCat(path, ": ", content_or.status().message()));
    }
  }
  return config;
}

absl::StatusOr<client::ClientConfig> LoadKubeconfig(const std::string& path) {
  ASSIGN_OR_RETURN(std::string content, tls::ReadFileToString(path));
  return ParseKubeconfig(content, path);
}

absl::StatusOr<client::ClientConfig> InClusterConfig(absl::string_view dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || port == nullptr || *host == '\0' || *port == '\0') {
    return absl::NotFoundError(
        "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be "
        "defined");
  }
  client::ClientConfig config;
  const absl::string_view h(host);
  config.host = h.find(':') != absl::string_view::npos ? absl::StrCat("https://[", h, "]:", port)
                                                       : absl::StrCat("https://", h, ":", port);
  config.bearer_token_file = absl::StrCat(dir, "/token");
  config.ca_file = absl::StrCat(dir, "/ca.crt");
  RETURN_IF_ERROR(tls::ReadFileToString(config.bearer_token_file).status());
  RETURN_IF_ERROR(tls::ReadFileToString(config.ca_file).status());
  return config;
}

absl::StatusOr<client::ClientConfig> DelegatingClientConfig(const std::string& kubeconfig_path, absl::string_view dir) {
  if (!kubeconfig_path.empty()) return LoadKubeconfig(kubeconfig_path);
  return InClusterConfig(dir);
}

}  // namespace apiserve::kubeconfig
