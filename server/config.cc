#include "server/config.h"

#include <utility>

#include "base/clock.h"
#include "base/metrics/process_collector.h"
#include "server/codecs.h"
#include "server/serving_metrics.h"
#include "tls/handshake_info.h"

namespace apiserve::server {

absl::StatusOr<std::unique_ptr<CompletedConfig>> CompletedConfig::Complete(Config config) {
  if (absl::Status valid = config.http1.Validate(); !valid.ok()) return valid;
  if (absl::Status valid = config.http2.Validate(); !valid.ok()) return valid;
  if (config.chain.clock == nullptr) config.chain.clock = &base::SystemClock::Get();
  std::unique_ptr<CompletedConfig> completed(new CompletedConfig(std::move(config)));
  absl::StatusOr<std::unique_ptr<tls::ServerContext>> tls = tls::ServerContext::Create(completed->config_.tls);
  if (!tls.ok()) return tls.status();
  completed->tls_ = *std::move(tls);
  base::metrics::Registry* metrics = completed->config_.chain.metrics != nullptr ? completed->config_.chain.metrics
                                                                                 : &base::metrics::Registry::Default();
  completed->process_metrics_ = metrics->AddCollector(base::metrics::ProcessCollector());
  completed->tls_metrics_ = metrics->AddCollector(TlsCollector(&completed->tls_->handshake_errors()));
  completed->serving_metrics_ = metrics->AddCollector(ServingCollector(&completed->serving_));
  return completed;
}

CompletedConfig::~CompletedConfig() = default;

absl::StatusOr<std::unique_ptr<chain::GenericServer>> CompletedConfig::New(std::string name,
                                                                           chain::DelegationTarget* delegate) const {
  chain::ServerConfig config = config_.chain;
  config.name = std::move(name);
  return chain::GenericServer::New(std::move(config), delegate);
}

absl::Status CompletedConfig::Run(chain::PreparedServer&& prepared, lifecycle::Signal* stop,
                                  std::function<void(SecureServer&)> on_serving) {
  RunOptions run;
  run.serving = config_.serving;
  run.ssl_ctx = tls_->ssl_ctx();
  run.codec_factory = DefaultCodecFactory(config_.http1, config_.http2);
  tls::ServerContext* tls = tls_.get();
  run.tls.new_ssl = [tls](absl::string_view local_ip) { return tls->NewSsl(local_ip); };
  run.tls.on_handshake_failure = [tls](const SSL* ssl, int rc, absl::string_view remote) {
    tls->OnHandshakeFailure(ssl, rc, remote);
  };
  run.tls.inspect = tls::InspectClientCertificate;
  run.on_serving = [this, on_serving = std::move(on_serving)](SecureServer& secure) {
    serving_.store(&secure, std::memory_order_release);
    if (on_serving) on_serving(secure);
  };
  absl::Status ran = server::Run(std::move(prepared), run, stop);
  serving_.store(nullptr, std::memory_order_release);  // Run destroyed it
  return ran;
}

}  // namespace apiserve::server
