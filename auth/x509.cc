#include "auth/x509.h"

namespace apiserve::auth {
namespace {

class X509Authenticator : public Authenticator {
 public:
  absl::StatusOr<UserPtr> Authenticate(const http::Request& request) const override {
    const http::ConnectionInfo* connection = request.connection.get();
    if (connection == nullptr) return absl::NotFoundError("no connection information");
    if (!connection->client_certificate_error.empty()) {
      // tls/ already names the certificate and the reason ("verifying certificate CN=... failed: ...").
      return absl::UnauthenticatedError(connection->client_certificate_error);
    }
    if (!connection->client_certificate.has_value()) return absl::NotFoundError("no client certificate");
    const http::ClientCertificate& certificate = *connection->client_certificate;
    if (certificate.common_name.empty()) return absl::NotFoundError("client certificate has an empty common name");
    return std::make_shared<const UserInfo>(UserInfo{certificate.common_name, "", certificate.organizations});
  }
};

}  // namespace

std::shared_ptr<const Authenticator> NewX509Authenticator() { return std::make_shared<X509Authenticator>(); }

}  // namespace apiserve::auth
