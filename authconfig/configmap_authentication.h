#ifndef APISERVE_AUTHCONFIG_CONFIGMAP_AUTHENTICATION_H_
#define APISERVE_AUTHCONFIG_CONFIGMAP_AUTHENTICATION_H_

// ConfigMapAuthentication: the part of kube's DelegatingAuthenticationOptions.ApplyTo that reads the cluster's
// kube-system/extension-apiserver-authentication ConfigMap and keeps an extension server's client-certificate and
// request-header (front-proxy) authentication in step with it, without a restart:
//
//   - client-ca-file → the TLS client-CA bundle (tls::DynamicCertificates::SetClientCa), unless --client-ca-file is
//     given (the flag wins);
//   - requestheader-client-ca-file and the requestheader-* lists → the request-header CA
//     (SetRequestHeaderClientCa) and request_header_authenticator(), unless --requestheader-client-ca-file is given.
//
// kube's flags: --authentication-skip-lookup (skip_lookup: the ConfigMap is not read at all);
// --authentication-tolerate-lookup-failure (tolerate_lookup_failure: a failed first read is logged with kube's three
// warnings and the server starts without that configuration, picking it up when a later re-list succeeds; without
// it the first failure fails start-up: `unable to load configmap based request-header-client-ca-file: <err>`). As in
// kube only the request-header read is awaited at start; the client CA alone is loaded in the background. Without a
// client (no --authentication-kubeconfig) nothing is read and kube's warnings are logged.
//
// Wiring (authconfig::ApplyTo does it inside options::RecommendedOptions::ApplyTo, before the authenticator is built):
//
//   auto cm = authconfig::ConfigMapAuthentication::New(opts, client, &loop);   // the TokenReview client
//   cm->ApplyTo(&config.tls);                       // requests client certificates although no CA file is named
//   auth.dynamic.request_header = auth.dynamic.request_header_config = cm->dynamic_request_header();  // if reading it
//   auth.dynamic.client_ca = cm->reads_client_ca();       // x509 in the union
//   ... auth::BuildFromFlags(auth), Complete ...
//   RETURN_IF_ERROR(cm->Start(&completed->tls().certificates()));   // blocks for the first read (bounded)
//
// Threading: updates run on `executor`; Start must not be called on it. Stop (or destruction) ends the watch.

#include <memory>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "auth/authenticator.h"
#include "authconfig/configmap_watcher.h"
#include "authconfig/dynamic_request_header.h"
#include "base/executor.h"
#include "base/mutex.h"
#include "client/http_client.h"
#include "tls/dynamic_certificates.h"
#include "tls/options.h"

namespace apiserve::authconfig {

struct ConfigMapAuthenticationOptions {
  bool skip_lookup = false;                       // --authentication-skip-lookup
  bool tolerate_lookup_failure = false;           // --authentication-tolerate-lookup-failure
  bool client_ca_file_set = false;                // --client-ca-file given: the ConfigMap's client CA is not used
  bool requestheader_client_ca_file_set = false;  // --requestheader-client-ca-file given: nor its request-header
  // How long Start waits for the first read before treating it as failed (kube: the client's timeout, 10 s).
  absl::Duration startup_timeout = absl::Seconds(10);
  ConfigMapWatcher::Options watch;
};

class ConfigMapAuthentication {
 public:
  // New decides what will be read. `client` may be null (no --authentication-kubeconfig: kube's warnings are
  // logged, nothing is read). `executor` is borrowed and must outlive this object.
  static std::unique_ptr<ConfigMapAuthentication> New(ConfigMapAuthenticationOptions options,
                                                      std::shared_ptr<client::HttpClient> client,
                                                      base::Executor* executor);
  ~ConfigMapAuthentication();
  ConfigMapAuthentication(const ConfigMapAuthentication&) = delete;
  ConfigMapAuthentication& operator=(const ConfigMapAuthentication&) = delete;

  // Whether the ConfigMap supplies the client CA / the request-header settings.
  bool reads_client_ca() const { return reads_client_ca_; }
  bool reads_request_header() const { return reads_request_header_; }

  // ApplyTo sets tls->dynamic_client_cas when the ConfigMap supplies either CA.
  void ApplyTo(tls::TlsOptions* tls) const;
  // request_header_authenticator is the dynamic request-header authenticator (NotFound until the ConfigMap gives a
  // request-header CA), or null when reads_request_header() is false.
  std::shared_ptr<const auth::Authenticator> request_header_authenticator() const;
  std::shared_ptr<DynamicRequestHeaderAuthenticator> dynamic_request_header() const { return request_header_; }

  // Start reads the ConfigMap once, applies it to `certificates` (borrowed; must outlive this object) and the
  // request-header authenticator, then keeps watching it. Blocks until the first read is done or
  // startup_timeout passes. Returns OK, or kube's start-up error (see above). Not on the executor's thread.
  absl::Status Start(tls::DynamicCertificates* certificates);
  // StartAsync is Start without blocking: `done` runs on the executor with what Start would return.
  void StartAsync(tls::DynamicCertificates* certificates, absl::AnyInvocable<void(absl::Status)> done);
  // Stop ends the watch. Idempotent.
  void Stop();

  // Apply applies one version of the ConfigMap (null: absent). Executor thread (public for tests).
  void Apply(const ConfigMapObject* object);
  // updates counts the versions that changed something (tests and logs).
  int64_t updates() const;
  const ConfigMapWatcher* watcher() const { return watcher_.get(); }

 private:
  ConfigMapAuthentication() = default;
  absl::Status FirstSyncOutcome(absl::Status read) const;

  ConfigMapAuthenticationOptions options_;
  base::Executor* executor_ = nullptr;
  bool reads_client_ca_ = false;
  bool reads_request_header_ = false;
  std::shared_ptr<DynamicRequestHeaderAuthenticator> request_header_;
  std::unique_ptr<ConfigMapWatcher> watcher_;
  std::atomic<tls::DynamicCertificates*> certificates_{nullptr};
  std::atomic<int64_t> updates_{0};
  // Executor thread: what was last applied.
  std::string applied_client_ca_;
  std::optional<RequestHeaderBundle> applied_request_header_;
};

}  // namespace apiserve::authconfig

#endif  // APISERVE_AUTHCONFIG_CONFIGMAP_AUTHENTICATION_H_
