#ifndef APISERVE_TESTS_FAKECLUSTER_FAKE_CLUSTER_H_
#define APISERVE_TESTS_FAKECLUSTER_FAKE_CLUSTER_H_

// FakeCluster: the few kube-apiserver endpoints an extension API server calls, served in-process by apiserve itself
// (chain::GenericServer + server::Run, real TLS on 127.0.0.1, port 0), for tests of delegated authentication and
// authorization and of the extension-apiserver-authentication ConfigMap:
//
//   POST /apis/authentication.k8s.io/v1/tokenreviews          kube's TokenReview JSON, answered from a token table
//   POST /apis/authorization.k8s.io/v1/subjectaccessreviews   kube's SubjectAccessReview JSON, from a rule function
//   GET  /api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication
//   GET  /api/v1/namespaces/kube-system/configmaps[?fieldSelector=metadata.name%3D...][&watch=true]  list / watch
//   GET  /api/v1/watch/namespaces/kube-system/configmaps[/extension-apiserver-authentication]       watch
//
// Watches stream kube's event lines ({"type":"MODIFIED","object":{...ConfigMap...}}\n). Like a real cluster it
// requires credentials: a bearer token of `client_tokens` or a client certificate signed by its CA (ClientCertPem);
// anything else is kube's 401. Counters per endpoint; knobs to answer slowly (SetDelay) or fail (SetFailure).
//
//   ASSIGN_OR_RETURN(auto cluster, FakeCluster::Start({}));
//   cluster->SetToken("alice-token", {.name = "alice", .groups = {"dev"}});
//   cluster->SetAuthorizer([](const SarRequest& r) { return SarAnswer{r.user == "alice", "alice only"}; });
//   RETURN_IF_ERROR(cluster->WriteKubeconfig(dir + "/kubeconfig"));   // server, CA data, the client token
//   cluster->SetConfigMapData({{"client-ca-file", ca_pem}});          // watchers get a MODIFIED event
//
// Thread-safe: every method may be called from any thread while the cluster serves. Handlers run on the cluster's
// own event loop; destruction stops serving (open watches are ended) and joins it.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "auth/user_info.h"
#include "base/mutex.h"
#include "http/handler.h"
#include "lifecycle/signal.h"

namespace apiserve::fakecluster {

inline constexpr char kAuthenticationNamespace[] = "kube-system";
inline constexpr char kAuthenticationConfigMap[] = "extension-apiserver-authentication";

// SarRequest is a SubjectAccessReview's spec as the fake parsed it.
struct SarRequest {
  std::string user;
  std::string uid;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> extra;
  bool resource_request = false;  // resourceAttributes present (else nonResourceAttributes)
  std::string verb;
  std::string namespace_name;
  std::string group;
  std::string version;
  std::string resource;
  std::string subresource;
  std::string name;
  std::string path;  // nonResourceAttributes.path
};

// SarAnswer is the review's status.
struct SarAnswer {
  bool allowed = false;
  std::string reason;
  bool denied = false;           // an explicit deny (kube: no other authorizer is consulted)
  std::string evaluation_error;  // status.evaluationError
};

using SarRule = std::function<SarAnswer(const SarRequest&)>;

// TokenEntry is what a TokenReview of one token answers: a user, or (with `error` set) a failed review.
struct TokenEntry {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> extra;
  std::string error;  // status.error with authenticated=false
};

enum class Endpoint { kTokenReview, kSubjectAccessReview, kConfigMapGet, kConfigMapList, kConfigMapWatch };
inline constexpr int kEndpointCount = 5;

// Failure is how the fake answers the endpoints a failure applies to.
enum class Failure {
  kNone,
  kServerError,  // 500 with kube's InternalError Status
  kForbidden,    // 403 with kube's Forbidden Status naming the caller (e.g. the missing RoleBinding)
  kDrop,         // headers sent, then the stream is aborted (HTTP/1.1: connection closed; HTTP/2: RST_STREAM)
};

struct Options {
  // Bearer tokens the fake accepts from its clients (the extension server's kubeconfig), token → user name.
  std::map<std::string, std::string> client_tokens = {
      {"fake-cluster-client-token", "system:serviceaccount:kube-system:sample-apiserver"}};
  // Where certificates and kubeconfigs are written. Empty: a fresh directory under $TEST_TMPDIR (or /tmp).
  std::string dir;
  // Port on 127.0.0.1; 0: any free port.
  int port = 0;
  // The ConfigMap's data at start (kube's keys; list fields are JSON arrays in strings). Empty map: the ConfigMap
  // exists with no data. Use SetConfigMapAbsent() for a cluster without it.
  std::map<std::string, std::string> configmap_data;
};

class FakeCluster {
 public:
  // Start generates a CA and a serving certificate (127.0.0.1, localhost), starts serving and returns once the port
  // is bound. Errors: certificates or files (Internal / the file's error), listening (Unavailable).
  static absl::StatusOr<std::unique_ptr<FakeCluster>> Start(Options options = {});
  // Stops serving (watches are ended), joins the loop.
  ~FakeCluster();
  FakeCluster(const FakeCluster&) = delete;
  FakeCluster& operator=(const FakeCluster&) = delete;

  int port() const { return port_; }
  std::string url() const;                               // "https://127.0.0.1:<port>"
  const std::string& ca_pem() const { return ca_pem_; }  // signs the serving certificate and client certificates
  const std::string& dir() const { return dir_; }

  // WriteKubeconfig writes a kubeconfig for the cluster: its URL, its CA as certificate-authority-data and a
  // bearer token (`token`; empty: the first of Options::client_tokens). Returns the file's error.
  absl::Status WriteKubeconfig(const std::string& path, const std::string& token = "") const;
  // WriteClientCertKubeconfig writes one that authenticates with a client certificate for `user` instead.
  absl::Status WriteClientCertKubeconfig(const std::string& path, const std::string& user) const;

  // IssueClientCert makes a client certificate (CN `user`, O `groups`) signed by `ca_cert_pem`/`ca_key_pem`, or by
  // the cluster's CA when those are empty. Returns {cert PEM, key PEM}.
  absl::StatusOr<std::pair<std::string, std::string>> IssueClientCert(const std::string& user,
                                                                      const std::vector<std::string>& groups,
                                                                      const std::string& ca_cert_pem = "",
                                                                      const std::string& ca_key_pem = "") const;
  // NewCa makes a fresh CA: {cert PEM, key PEM} (for client CAs the tests put in the ConfigMap).
  static absl::StatusOr<std::pair<std::string, std::string>> NewCa(const std::string& common_name);

  // The token table of TokenReview. A token not in it is answered authenticated=false.
  void SetToken(const std::string& token, TokenEntry entry);
  void RemoveToken(const std::string& token);
  // SetAuthorizer replaces the SubjectAccessReview rule (default: allow nothing, reason "no RBAC policy matched").
  void SetAuthorizer(SarRule rule);

  // SetConfigMapData replaces the ConfigMap's data, bumps its resourceVersion and sends every watcher a MODIFIED
  // (ADDED after SetConfigMapAbsent) event.
  void SetConfigMapData(std::map<std::string, std::string> data);
  // SetConfigMapAbsent deletes the ConfigMap: GET answers kube's 404, watchers get DELETED.
  void SetConfigMapAbsent();
  // ConfigMapJson is the ConfigMap object as served (empty when absent).
  std::string ConfigMapJson() const;

  // SetDelay makes every answer of the review and ConfigMap endpoints wait `delay` first (zero: none).
  void SetDelay(absl::Duration delay);
  // SetFailure makes the review and ConfigMap endpoints fail as `failure` says (kNone: serve normally). Open
  // watches are ended at once (kDrop: aborted) unless `failure` is kNone.
  void SetFailure(Failure failure);

  // Count is how many requests reached `endpoint` (authenticated ones, failures and delays included).
  int64_t Count(Endpoint endpoint) const;
  void ResetCounts();
  // OpenWatches is the number of watches streaming now.
  int OpenWatches() const;
  // LastSar is the last SubjectAccessReview received (default-constructed before any).
  SarRequest LastSar() const;
  // LastClientUser is the user the last review or ConfigMap request authenticated as.
  std::string LastClientUser() const;

 private:
  struct Watcher;
  struct Shared;
  FakeCluster() = default;
  absl::Status Serve(Options options);

  std::shared_ptr<Shared> shared_;
  std::string dir_;
  std::string ca_pem_;
  std::string ca_key_pem_;
  int port_ = 0;
  std::map<std::string, std::string> client_tokens_;

  std::unique_ptr<lifecycle::Signal> stop_;
  std::unique_ptr<lifecycle::Signal> serving_;
  std::thread runner_;
  absl::Status run_result_;
  struct Holder;
  std::unique_ptr<Holder> holder_;  // config, server; destroyed after the runner joined
};

}  // namespace apiserve::fakecluster

#endif  // APISERVE_TESTS_FAKECLUSTER_FAKE_CLUSTER_H_
