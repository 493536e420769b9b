#include "tls/self_signed.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/logger.h"
#include "tls/file_util.h"

namespace apiserve::tls {
namespace {

bool IsUnspecifiedAddress(const std::string& address) {
  if (address.empty()) return true;
  const std::string bytes = ParseIpAddress(address);
  return !bytes.empty() && bytes.find_first_not_of('\0') == std::string::npos;
}

}  // namespace

absl::StatusOr<GeneratedCertKey> GenerateSelfSignedCertKey(const std::string& host,
                                                           const std::vector<std::string>& alternate_ips,
                                                           const std::vector<std::string>& alternate_dns,
                                                           KeyType key_type, absl::Time now) {
  const absl::Time valid_from = now - absl::Hours(1);
  const absl::Duration max_age = absl::Hours(24 * 365);
  const int64_t unix_seconds = absl::ToUnixSeconds(now);

  auto ca_key = GenerateKey(key_type);
  if (!ca_key.ok()) return ca_key.status();
  CertificateTemplate ca_spec;
  ca_spec.common_name = absl::StrCat(host, "-ca@", unix_seconds);
  ca_spec.not_before = valid_from;
  ca_spec.not_after = valid_from + max_age;
  ca_spec.is_ca = true;
  auto ca = IssueCertificate(ca_spec, ca_key->get(), nullptr, ca_key->get());
  if (!ca.ok()) return ca.status();

  auto key = GenerateKey(key_type);
  if (!key.ok()) return key.status();
  CertificateTemplate spec;
  spec.common_name = absl::StrCat(host, "@", unix_seconds);
  spec.not_before = valid_from;
  spec.not_after = valid_from + max_age;
  spec.server_auth = true;
  if (!ParseIpAddress(host).empty()) {
    spec.ip_addresses.push_back(host);
  } else {
    spec.dns_names.push_back(host);
  }
  spec.ip_addresses.insert(spec.ip_addresses.end(), alternate_ips.begin(), alternate_ips.end());
  spec.dns_names.insert(spec.dns_names.end(), alternate_dns.begin(), alternate_dns.end());
  auto leaf = IssueCertificate(spec, key->get(), ca->get(), ca_key->get());
  if (!leaf.ok()) return leaf.status();

  auto leaf_pem = CertificateToPem(leaf->get());
  if (!leaf_pem.ok()) return leaf_pem.status();
  auto ca_pem = CertificateToPem(ca->get());
  if (!ca_pem.ok()) return ca_pem.status();
  auto key_pem = PrivateKeyToPem(key->get(), KeyEncoding::kTraditional);
  if (!key_pem.ok()) return key_pem.status();
  return GeneratedCertKey{absl::StrCat(*leaf_pem, *ca_pem), *std::move(key_pem)};
}

absl::StatusOr<ServingCertSource> EnsureSelfSignedCertKey(const SelfSignedOptions& options) {
  ServingCertSource source;
  if (!options.cert_directory.empty()) {
    source.cert_file = absl::StrCat(options.cert_directory, "/", options.pair_name, ".crt");
    source.key_file = absl::StrCat(options.cert_directory, "/", options.pair_name, ".key");
    const bool cert_exists = FileExists(source.cert_file);
    const bool key_exists = FileExists(source.key_file);
    if (cert_exists && key_exists) return source;
    if (cert_exists != key_exists) {
      return absl::InvalidArgumentError(absl::StrCat("error reading ", cert_exists ? source.key_file : source.cert_file,
                                                     ", certificate and key must be supplied as a pair"));
    }
  }

  std::vector<std::string> alternate_ips = options.alternate_ips;
  std::vector<std::string> alternate_dns = options.alternate_dns;
  const bool unspecified = IsUnspecifiedAddress(options.bind_address);
  if (unspecified) {
    alternate_dns.push_back("localhost");
  } else {
    alternate_ips.push_back(options.bind_address);
  }
  std::string host = options.host;
  if (host.empty()) host = unspecified ? "localhost" : options.bind_address;

  auto generated = GenerateSelfSignedCertKey(host, alternate_ips, alternate_dns, options.key_type, absl::Now());
  if (!generated.ok()) return generated.status();

  if (options.cert_directory.empty()) {
    LOG(INFO) << "Generated self-signed cert in-memory with an " << KeyTypeName(options.key_type) << " key";
    source.cert_pem = std::move(generated->cert_pem);
    source.key_pem = std::move(generated->key_pem);
    return source;
  }
  if (absl::Status s = MakeDirectories(options.cert_directory, 0755); !s.ok()) return s;
  if (absl::Status s = WriteFileAtomically(source.cert_file, generated->cert_pem, 0644); !s.ok()) return s;
  if (absl::Status s = WriteFileAtomically(source.key_file, generated->key_pem, 0600); !s.ok()) return s;
  LOG(INFO) << "Generated self-signed cert (" << source.cert_file << ", " << source.key_file << ") with an "
            << KeyTypeName(options.key_type) << " key";
  return source;
}

}  // namespace apiserve::tls
