#ifndef APISERVE_SERVER_CONFIG_H_
#define APISERVE_SERVER_CONFIG_H_

// server::Config: everything a server built on apiserve is configured with (kube's server.Config), each setting in
// one place — the chain's settings (which server::Run also reads: shutdown timings), how to listen and serve, TLS,
// the codecs. Options fill it (options::RecommendedOptions::ApplyTo); Complete turns it into a CompletedConfig,
// which builds the servers of the delegation chain and runs the prepared one:
//
//   ASSIGN_OR_RETURN(auto completed, server::CompletedConfig::Complete(std::move(config)));
//   ASSIGN_OR_RETURN(auto my_server, completed->New("my-apiserver", /*delegate=*/nullptr));
//   RETURN_IF_ERROR(my_server->InstallAPIGroup(...));
//   ASSIGN_OR_RETURN(chain::PreparedServer prepared, my_server->PrepareRun());
//   return completed->Run(std::move(prepared), &stop);   // blocks until `stop`, then terminates gracefully

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "base/metrics/registry.h"
#include "chain/generic_server.h"
#include "http1/options.h"
#include "http2/options.h"
#include "lifecycle/signal.h"
#include "server/run.h"
#include "server/secure_server.h"
#include "tls/options.h"
#include "tls/server_context.h"

namespace apiserve::server {

struct Config {
  chain::ServerConfig chain;  // GenericServer::New's settings (New sets the name)
  ServingOptions serving;     // listening and connections
  tls::TlsOptions tls;        // certificates, client CAs, versions, ciphers, ALPN
  http1::Options http1;
  http2::Options http2;
};

class CompletedConfig {
 public:
  // Complete validates the codec options, loads (or generates) the serving certificates and builds the TLS
  // context, and registers the serving metrics (process, TLS handshake errors, connections) with the chain's
  // registry (default: base::metrics::Registry::Default()). Errors name the file or the option.
  static absl::StatusOr<std::unique_ptr<CompletedConfig>> Complete(Config config);
  ~CompletedConfig();
  CompletedConfig(const CompletedConfig&) = delete;
  CompletedConfig& operator=(const CompletedConfig&) = delete;

  // New builds a server of the delegation chain, named `name`, in front of `delegate` (borrowed; null: none).
  absl::StatusOr<std::unique_ptr<chain::GenericServer>> New(std::string name, chain::DelegationTarget* delegate) const;

  // Run serves `prepared` until `stop` fires, then terminates gracefully (server::Run). `on_serving`, if set, runs
  // once the listeners are bound (tests learn the port from it).
  absl::Status Run(chain::PreparedServer&& prepared, lifecycle::Signal* stop,
                   std::function<void(SecureServer&)> on_serving = nullptr);

  const Config& config() const { return config_; }
  tls::ServerContext& tls() { return *tls_; }

 private:
  explicit CompletedConfig(Config config) : config_(std::move(config)) {}

  Config config_;
  std::unique_ptr<tls::ServerContext> tls_;
  std::atomic<SecureServer*> serving_{nullptr};  // for the serving metrics, while Run serves
  base::metrics::CollectorHandle process_metrics_;
  base::metrics::CollectorHandle tls_metrics_;
  base::metrics::CollectorHandle serving_metrics_;
};

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_CONFIG_H_
