#ifndef APISERVE_AUTHCONFIG_CONFIGMAP_WATCHER_H_
#define APISERVE_AUTHCONFIG_CONFIGMAP_WATCHER_H_

// ConfigMapWatcher: one ConfigMap of the cluster kept current through client::HttpClient — client-go's informer
// for a single object, as kube's ConfigMapCAController and RequestHeaderAuthRequestController run it:
//
//   GET  /api/v1/namespaces/<ns>/configmaps/<name>                              the object (404: absent)
//   GET  /api/v1/namespaces/<ns>/configmaps?fieldSelector=metadata.name%3D<name>&resourceVersion=<rv>&watch=true
//        &allowWatchBookmarks=true&timeoutSeconds=<n>                           then its changes, as event lines
//
// A watch the server ends normally is re-opened from the last resourceVersion; an error (transport, non-200, an
// ERROR event such as 410 Gone, an unparsable line) re-lists after a backoff (kube's reflector: 800 ms doubling to
// 30 s, reset by a successful list) and watches again. Every version seen is handed to `on_object` (null: the
// ConfigMap is absent — 404 or DELETED); the watcher does not de-duplicate, the consumer compares content.
//
// Threading: everything runs on `executor` (the client posts its callbacks there); Start and Stop may be called
// from any thread. The client and executor must outlive the watcher's activity: Stop (or destruction) cancels the
// watch and pending timers, after which no callback runs.

#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "authconfig/authentication_configmap.h"
#include "base/executor.h"
#include "client/http_client.h"

namespace apiserve::authconfig {

class ConfigMapWatcher {
 public:
  struct Options {
    std::string namespace_name = kAuthenticationConfigMapNamespace;
    std::string name = kAuthenticationConfigMapName;
    // host is the cluster's URL, only for error messages as client-go writes them (`Get "<url>": ...`).
    std::string host;
    absl::Duration request_timeout = absl::Seconds(10);
    absl::Duration initial_backoff = absl::Milliseconds(800);
    absl::Duration max_backoff = absl::Seconds(30);
    // timeoutSeconds of each watch (client-go picks 5–10 min); the server ends the watch then, and it is reopened.
    int watch_timeout_seconds = 300;
  };
  // OnObject receives each version of the ConfigMap (null: absent), on the executor.
  using OnObject = absl::AnyInvocable<void(const ConfigMapObject* object)>;

  // `client` is shared with the caller; `executor` is borrowed.
  ConfigMapWatcher(Options options, std::shared_ptr<client::HttpClient> client, base::Executor* executor,
                   OnObject on_object);
  // Stop()s.
  ~ConfigMapWatcher();
  ConfigMapWatcher(const ConfigMapWatcher&) = delete;
  ConfigMapWatcher& operator=(const ConfigMapWatcher&) = delete;

  // Start gets the object once and runs `first_sync` on the executor with the outcome (after on_object for it): OK
  // when it was read or is absent (kube's RunOnce treats NotFound as "no configuration"), else the error as client-go
  // words it — the Status message for a Status answer (`configmaps "x" is forbidden: User ...`, PermissionDenied
  // for 403), `Get "<url>": <transport error>` (Unavailable / DeadlineExceeded). Then it keeps watching, whatever the
  // outcome, until Stop. Call once.
  void Start(absl::AnyInvocable<void(absl::Status)> first_sync);
  // Stop cancels the watch and any pending retry. Idempotent; any thread.
  void Stop();

  // Counters for tests and logs (executor thread writes, any thread reads).
  int64_t lists() const;
  int64_t watches() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// ClientError converts a response that is not 2xx into an error as client-go reports it: the Status's message
// when the body is a kube Status, else `an error on the server ("<body>") has prevented the request from
// succeeding`; the code follows the HTTP status (401 Unauthenticated, 403 PermissionDenied, 404 NotFound, 409
// AlreadyExists, 410 FailedPrecondition, 429 ResourceExhausted, 5xx Unavailable/Internal).
absl::Status ClientError(const client::Response& response);

}  // namespace apiserve::authconfig

#endif  // APISERVE_AUTHCONFIG_CONFIGMAP_WATCHER_H_
