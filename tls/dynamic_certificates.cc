#include "tls/dynamic_certificates.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/logger.h"
#include "tls/file_util.h"

namespace apiserve::tls {

absl::StatusOr<std::unique_ptr<DynamicCertificates>> DynamicCertificates::Create(Options options) {
  std::unique_ptr<DynamicCertificates> self(new DynamicCertificates(std::move(options)));
  const Options& opts = self->options_;
  std::vector<std::string> files;
  {
    base::MutexLock lock(&self->reload_mu_);
    const ServingCertSource& def = opts.default_cert;
    if (!def.cert_file.empty() || !def.key_file.empty()) {
      self->default_source_ = std::make_unique<PairSource>();
      self->default_source_->cert_file = def.cert_file;
      self->default_source_->key_file = def.key_file;
      bool changed = false;
      if (absl::Status s = self->ReloadPair(*self->default_source_, &changed); !s.ok()) return s;
      files.push_back(def.cert_file);
      files.push_back(def.key_file);
    } else if (!def.cert_pem.empty() || !def.key_pem.empty()) {
      auto cert = ParseCertKey(def.cert_pem, def.key_pem, "in-memory serving cert", "in-memory serving key");
      if (!cert.ok()) return cert.status();
      self->default_source_ = std::make_unique<PairSource>();
      self->default_source_->current = *std::move(cert);
    }
    for (const SniCertKey& sni : opts.sni) {
      PairSource& source = self->sni_sources_.emplace_back();
      source.cert_file = sni.cert_file;
      source.key_file = sni.key_file;
      source.names = sni.names;
      bool changed = false;
      if (absl::Status s = self->ReloadPair(source, &changed); !s.ok()) return s;
      files.push_back(sni.cert_file);
      files.push_back(sni.key_file);
    }
    if (!opts.client_ca_file.empty()) {
      bool changed = false;
      if (absl::Status s = ReloadCaBundle(opts.client_ca_file, &self->client_ca_, &changed); !s.ok()) return s;
      files.push_back(opts.client_ca_file);
    }
    if (!opts.requestheader_client_ca_file.empty()) {
      bool changed = false;
      if (absl::Status s = ReloadCaBundle(opts.requestheader_client_ca_file, &self->requestheader_client_ca_, &changed);
          !s.ok()) {
        return s;
      }
      files.push_back(opts.requestheader_client_ca_file);
    }
    self->Publish();
  }
  if (opts.watch && !files.empty()) {
    base::FileWatcher::Options watch;
    watch.files = std::move(files);
    watch.interval = opts.check_interval;
    watch.debounce = opts.debounce;
    auto watcher = base::FileWatcher::Start(std::move(watch), [raw = self.get()] { raw->Reload().IgnoreError(); });
    if (!watcher.ok()) return watcher.status();
    self->watcher_ = *std::move(watcher);
  }
  return self;
}

DynamicCertificates::~DynamicCertificates() { watcher_.reset(); }

std::shared_ptr<const CertificateSnapshot> DynamicCertificates::Current() const {
  base::MutexLock lock(&snapshot_mu_);
  return snapshot_;
}

absl::Status DynamicCertificates::ReloadPair(PairSource& source, bool* changed) {
  if (source.cert_file.empty()) return absl::OkStatus();  // in memory
  auto cert_pem = ReadFileToString(source.cert_file);
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = ReadFileToString(source.key_file);
  if (!key_pem.ok()) return key_pem.status();
  if (source.current != nullptr && source.current->cert_pem == *cert_pem && source.current->key_pem == *key_pem) {
    return absl::OkStatus();
  }
  auto cert = ParseCertKey(*std::move(cert_pem), *std::move(key_pem), source.cert_file, source.key_file);
  if (!cert.ok()) return cert.status();
  source.current = *std::move(cert);
  *changed = true;
  return absl::OkStatus();
}

absl::Status DynamicCertificates::ReloadCaBundle(const std::string& file, std::shared_ptr<const ClientCaBundle>* bundle,
                                                 bool* changed) {
  auto pem = ReadFileToString(file);
  if (!pem.ok()) return pem.status();
  if (*bundle != nullptr && (*bundle)->pem == *pem) return absl::OkStatus();
  auto parsed = ParseClientCaBundle(*std::move(pem), file);
  if (!parsed.ok()) return parsed.status();
  *bundle = *std::move(parsed);
  *changed = true;
  return absl::OkStatus();
}

void DynamicCertificates::Publish() {
  std::vector<SniCertificate> sni;
  sni.reserve(sni_sources_.size());
  for (const PairSource& source : sni_sources_) sni.push_back({source.current, source.names});
  auto snapshot = CertificateSnapshot::Build(default_source_ != nullptr ? default_source_->current : nullptr,
                                             std::move(sni), client_ca_, requestheader_client_ca_, ++generation_);
  base::MutexLock lock(&snapshot_mu_);
  snapshot_ = std::move(snapshot);
}

absl::Status DynamicCertificates::SetClientCa(std::string pem, absl::string_view name) {
  base::MutexLock lock(&reload_mu_);
  return SetCaPem(options_.client_ca_file, &client_ca_, std::move(pem), name);
}

absl::Status DynamicCertificates::SetRequestHeaderClientCa(std::string pem, absl::string_view name) {
  base::MutexLock lock(&reload_mu_);
  return SetCaPem(options_.requestheader_client_ca_file, &requestheader_client_ca_, std::move(pem), name);
}

absl::Status DynamicCertificates::SetCaPem(const std::string& file, std::shared_ptr<const ClientCaBundle>* bundle,
                                           std::string pem, absl::string_view name) {
  if (!file.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the CA bundle comes from \"", file, "\"; it cannot also be set from ", name));
  }
  if (pem.empty()) {
    if (*bundle == nullptr) return absl::OkStatus();
    bundle->reset();
  } else {
    if (*bundle != nullptr && (*bundle)->pem == pem) return absl::OkStatus();
    auto parsed = ParseClientCaBundle(std::move(pem), name);
    if (!parsed.ok()) return parsed.status();
    *bundle = *std::move(parsed);
  }
  Publish();
  return absl::OkStatus();
}

absl::Status DynamicCertificates::Reload() {
  base::MutexLock lock(&reload_mu_);
  bool changed = false;
  std::vector<absl::Status> errors;
  auto check = [&](absl::Status status, absl::string_view what) {
    if (status.ok()) return;
    LOG(ERROR) << "Failed to reload " << what << ", keeping the previous content: " << status.message();
    errors.push_back(std::move(status));
  };
  if (default_source_ != nullptr) {
    bool c = false;
    check(ReloadPair(*default_source_, &c), "serving certificate");
    if (c) LOG(INFO) << "Loaded a new serving cert/key pair from " << default_source_->cert_file;
    changed |= c;
  }
  for (PairSource& source : sni_sources_) {
    bool c = false;
    check(ReloadPair(source, &c), "SNI serving certificate");
    if (c) LOG(INFO) << "Loaded a new SNI serving cert/key pair from " << source.cert_file;
    changed |= c;
  }
  if (!options_.client_ca_file.empty()) {
    bool c = false;
    check(ReloadCaBundle(options_.client_ca_file, &client_ca_, &c), "client CA bundle");
    if (c) LOG(INFO) << "Loaded a new client CA bundle from " << options_.client_ca_file;
    changed |= c;
  }
  if (!options_.requestheader_client_ca_file.empty()) {
    bool c = false;
    check(ReloadCaBundle(options_.requestheader_client_ca_file, &requestheader_client_ca_, &c),
          "request-header client CA bundle");
    if (c) LOG(INFO) << "Loaded a new request-header client CA bundle from " << options_.requestheader_client_ca_file;
    changed |= c;
  }
  if (changed) Publish();
  if (errors.empty()) return absl::OkStatus();
  if (errors.size() == 1) return errors.front();
  return absl::InvalidArgumentError(
      absl::StrJoin(errors, "; ", [](std::string* out, const absl::Status& s) { absl::StrAppend(out, s.message()); }));
}

}  // namespace apiserve::tls
