#ifndef APISERVE_TLS_CONNECTION_STATE_H_
#define APISERVE_TLS_CONNECTION_STATE_H_

// ConnectionState: what tls/ attaches to one SSL object (BoringSSL ex_data): the local address the client connected
// to (set by the server before the handshake) and the certificate snapshot chosen during the handshake (kept so
// client-certificate verification uses the CA bundles of that handshake). Internal to tls/.
//
// Owned by the SSL object (freed with it). An SSL is used by one thread at a time, and so is its state.

#include <memory>
#include <string>

#include "openssl/ssl.h"
#include "tls/certificate_snapshot.h"

namespace apiserve::tls::internal {

struct ConnectionState {
  std::string local_ip;  // normalized; empty if unknown
  // Null until the handshake chose a certificate; its client_ca() / requestheader_client_ca() are null when that CA
  // is not configured.
  std::shared_ptr<const CertificateSnapshot> snapshot;
};

// GetConnectionState returns the state of `ssl`, or null if none was attached.
ConnectionState* GetConnectionState(const SSL* ssl);

// GetOrCreateConnectionState returns the state of `ssl`, attaching a new one if needed. Null only if BoringSSL
// cannot store it (allocation failure).
ConnectionState* GetOrCreateConnectionState(SSL* ssl);

}  // namespace apiserve::tls::internal

#endif  // APISERVE_TLS_CONNECTION_STATE_H_
