#ifndef APISERVE_TLS_CERTIFICATE_SNAPSHOT_H_
#define APISERVE_TLS_CERTIFICATE_SNAPSHOT_H_

// CertificateSnapshot: everything a handshake needs that may change at run time (default and SNI certificates, the
// name map, the client-CA bundle). Immutable once built; the reloader swaps whole snapshots and each handshake
// reads one via std::shared_ptr<const CertificateSnapshot>, so a reload never affects a handshake in progress.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "tls/cert_key.h"
#include "tls/client_ca.h"

namespace apiserve::tls {

// SniCertificate is one --tls-sni-cert-key entry as loaded.
struct SniCertificate {
  std::shared_ptr<const CertKey> cert;
  std::vector<std::string> explicit_names;
};

class CertificateSnapshot {
 public:
  // Build computes the name map (kube's BuildNamedCertificates). `default_cert`, `client_ca` and
  // `requestheader_client_ca` may be null (not configured).
  static std::shared_ptr<const CertificateSnapshot> Build(std::shared_ptr<const CertKey> default_cert,
                                                          std::vector<SniCertificate> sni,
                                                          std::shared_ptr<const ClientCaBundle> client_ca,
                                                          std::shared_ptr<const ClientCaBundle> requestheader_client_ca,
                                                          uint64_t generation);

  // Select picks the certificate for a handshake, as Go's crypto/tls with kube's GetConfigForClient:
  // - with SNI (`server_name` non-empty): the only certificate if there is one; else the exact (lower-cased) name;
  //   else the name with its first label replaced by "*" ("www.test.com" → "*.test.com"); else the default.
  // - without SNI: the certificate named by `local_ip` (the address the client connected to; only explicit names
  //   can be IPs); else the default.
  // The default is the default certificate, or the first SNI certificate when there is none. Null if there is no
  // certificate at all. The pointer lives as long as the snapshot.
  const CertKey* Select(absl::string_view server_name, absl::string_view local_ip) const;

  const std::shared_ptr<const CertKey>& default_cert() const { return default_cert_; }
  const std::vector<SniCertificate>& sni() const { return sni_; }
  const std::shared_ptr<const ClientCaBundle>& client_ca() const { return client_ca_; }
  const std::shared_ptr<const ClientCaBundle>& requestheader_client_ca() const { return requestheader_client_ca_; }
  // name_to_index maps normalized names to indexes into sni().
  const absl::flat_hash_map<std::string, size_t>& name_to_index() const { return name_to_index_; }
  // generation increases with every successful reload that changed something.
  uint64_t generation() const { return generation_; }

 private:
  CertificateSnapshot() = default;
  const CertKey* Fallback() const;

  std::shared_ptr<const CertKey> default_cert_;
  std::vector<SniCertificate> sni_;
  std::shared_ptr<const ClientCaBundle> client_ca_;
  std::shared_ptr<const ClientCaBundle> requestheader_client_ca_;
  absl::flat_hash_map<std::string, size_t> name_to_index_;
  uint64_t generation_ = 0;
};

}  // namespace apiserve::tls

#endif  // APISERVE_TLS_CERTIFICATE_SNAPSHOT_H_
