#include "tls/certificate_snapshot.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "tls/named_certificates.h"

namespace apiserve::tls {

std::shared_ptr<const CertificateSnapshot> CertificateSnapshot::Build(
    std::shared_ptr<const CertKey> default_cert, std::vector<SniCertificate> sni,
    std::shared_ptr<const ClientCaBundle> client_ca, std::shared_ptr<const ClientCaBundle> requestheader_client_ca,
    uint64_t generation) {
  std::shared_ptr<CertificateSnapshot> snapshot(new CertificateSnapshot());
  std::vector<NamedCertificateInput> inputs;
  inputs.reserve(sni.size());
  for (const SniCertificate& entry : sni) inputs.push_back({entry.cert->leaf.get(), entry.explicit_names});
  snapshot->name_to_index_ = BuildNameToIndex(inputs);
  snapshot->default_cert_ = std::move(default_cert);
  snapshot->sni_ = std::move(sni);
  snapshot->client_ca_ = std::move(client_ca);
  snapshot->requestheader_client_ca_ = std::move(requestheader_client_ca);
  snapshot->generation_ = generation;
  return snapshot;
}

const CertKey* CertificateSnapshot::Fallback() const {
  if (default_cert_ != nullptr) return default_cert_.get();
  if (!sni_.empty()) return sni_.front().cert.get();
  return nullptr;
}

const CertKey* CertificateSnapshot::Select(absl::string_view server_name, absl::string_view local_ip) const {
  if (server_name.empty()) {
    if (!local_ip.empty()) {
      if (auto it = name_to_index_.find(NormalizeName(local_ip)); it != name_to_index_.end()) {
        return sni_[it->second].cert.get();
      }
    }
    return Fallback();
  }
  // Go: a single certificate is served whatever the name.
  if (sni_.empty() || (default_cert_ == nullptr && sni_.size() == 1)) return Fallback();
  const std::string name = absl::AsciiStrToLower(server_name);
  if (auto it = name_to_index_.find(name); it != name_to_index_.end()) return sni_[it->second].cert.get();
  // Go replaces the first label with "*" (a single-label name becomes "*").
  const size_t dot = name.find('.');
  const std::string wildcard = dot == std::string::npos ? "*" : absl::StrCat("*", name.substr(dot));
  if (auto it = name_to_index_.find(wildcard); it != name_to_index_.end()) return sni_[it->second].cert.get();
  return Fallback();
}

}  // namespace apiserve::tls
