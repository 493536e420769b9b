#ifndef APISERVE_AUTHCONFIG_DYNAMIC_REQUEST_HEADER_H_
#define APISERVE_AUTHCONFIG_DYNAMIC_REQUEST_HEADER_H_

// DynamicRequestHeaderAuthenticator: request-header (front-proxy) authentication whose settings change at run time
// (kube's dynamic RequestHeaderAuthRequestController feeding headerrequest.NewDynamicVerifyOptionsSecure): each
// request is authenticated by auth::NewRequestHeaderAuthenticator over the settings current when it arrives. The
// CA itself is verified by tls/ during the handshake (DynamicCertificates::SetRequestHeaderClientCa), so Update and
// the CA swap go together (ConfigMapAuthentication does both).
//
// Before the first Update, or after one without a CA: NotFound (no request-header authentication).
//
// Thread-safe: Authenticate from any loop while Update runs on another thread.

#include <memory>

#include "absl/status/statusor.h"
#include "auth/authenticator.h"
#include "auth/request_header.h"
#include "base/mutex.h"

namespace apiserve::authconfig {

class DynamicRequestHeaderAuthenticator : public auth::Authenticator, public auth::RequestHeaderConfigProvider {
 public:
  DynamicRequestHeaderAuthenticator() = default;

  // Update replaces the settings. `config.client_ca_file` names the CA's source (kube's provider name); empty turns
  // request-header authentication off. InvalidArgument (RequestHeaderConfig::Validate's message) leaves the
  // previous settings in place.
  absl::Status Update(const auth::RequestHeaderConfig& config);
  // Current returns the settings in force (null when off): what chain::WithAuthentication strips. Does not allocate.
  std::shared_ptr<const auth::RequestHeaderConfig> Current() const override;

  absl::StatusOr<auth::UserPtr> Authenticate(const http::Request& request) const override;

 private:
  struct State {
    std::shared_ptr<const auth::RequestHeaderConfig> config;
    std::shared_ptr<const auth::Authenticator> authenticator;
  };
  mutable base::Mutex mu_;
  std::shared_ptr<const State> state_ ABSL_GUARDED_BY(mu_);
};

}  // namespace apiserve::authconfig

#endif  // APISERVE_AUTHCONFIG_DYNAMIC_REQUEST_HEADER_H_
