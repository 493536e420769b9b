#ifndef APISERVE_AUTH_X509_H_
#define APISERVE_AUTH_X509_H_

// X509Authenticator: kube's x509 request authenticator with CommonNameUserConversion, on top of the verification
// tls/ already did during the handshake (http::ConnectionInfo::client_certificate / client_certificate_error).
//
//   verified certificate, CN "alice", O ["dev", "ops"] → user "alice", groups ["dev", "ops"]
//   verified certificate with an empty CN             → NotFound (kube: not authenticated, no error)
//   presented but failed verification                 → Unauthenticated (401, never anonymous)
//   no certificate (or no client CA configured)       → NotFound

#include <memory>

#include "auth/authenticator.h"

namespace apiserve::auth {

// NewX509Authenticator returns the authenticator. Stateless and thread-safe.
std::shared_ptr<const Authenticator> NewX509Authenticator();

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_X509_H_
