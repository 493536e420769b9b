#include "tls/named_certificates.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "openssl/x509v3.h"
#include "tls/x509_builder.h"

namespace apiserve::tls {
namespace {

bool IsDnsLabel(absl::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  for (char c : label) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-')) return false;
  }
  return label.front() != '-' && label.back() != '-';
}

std::string CommonName(const X509* cert) {
  const X509_NAME* subject = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return "";
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     static_cast<size_t>(ASN1_STRING_length(data)));
}

}  // namespace

bool IsDns1123Subdomain(absl::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (absl::string_view label : absl::StrSplit(name, '.')) {
    if (!IsDnsLabel(label)) return false;
  }
  return true;
}

std::vector<std::string> CertificateNames(const X509* cert) {
  std::vector<std::string> names;
  const std::string cn = CommonName(cert);
  absl::string_view stripped = cn;
  absl::ConsumePrefix(&stripped, "*.");
  if (ParseIpAddress(cn).empty() && (cn == "*" || IsDns1123Subdomain(stripped))) names.push_back(cn);

  bssl::UniquePtr<GENERAL_NAMES> sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(const_cast<X509*>(cert), NID_subject_alt_name, nullptr, nullptr)));
  if (sans != nullptr) {
    for (size_t i = 0; i < sk_GENERAL_NAME_num(sans.get()); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans.get(), i);
      if (name->type != GEN_DNS) continue;
      names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
                         static_cast<size_t>(ASN1_STRING_length(name->d.dNSName)));
    }
  }
  return names;
}

std::string NormalizeName(absl::string_view name) {
  const std::string ip = ParseIpAddress(name);
  if (!ip.empty()) return FormatIpAddress(ip);
  return absl::AsciiStrToLower(name);
}

absl::flat_hash_map<std::string, size_t> BuildNameToIndex(const std::vector<NamedCertificateInput>& certs) {
  absl::flat_hash_map<std::string, size_t> by_name;
  absl::flat_hash_map<std::string, size_t> by_explicit_name;
  // Last to first, so that earlier certificates overwrite later ones.
  for (size_t i = certs.size(); i-- > 0;) {
    if (!certs[i].explicit_names.empty()) {
      for (const std::string& name : certs[i].explicit_names) by_explicit_name[NormalizeName(name)] = i;
      continue;
    }
    for (const std::string& name : CertificateNames(certs[i].leaf)) by_name[NormalizeName(name)] = i;
  }
  for (const auto& [name, index] : by_explicit_name) by_name[name] = index;
  return by_name;
}

}  // namespace apiserve::tls
