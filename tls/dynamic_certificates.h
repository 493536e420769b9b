#ifndef APISERVE_TLS_DYNAMIC_CERTIFICATES_H_
#define APISERVE_TLS_DYNAMIC_CERTIFICATES_H_

// DynamicCertificates: the serving certificate, the SNI certificates and the client-CA bundles (--client-ca-file and
// --requestheader-client-ca-file), loaded from files
// and reloaded when they change (kube's dynamiccertificates, reference §4.4).
//
// The first load must succeed. Afterwards each source keeps its last good content: a reload that finds a broken
// source logs the error (LOG(ERROR)) and keeps serving the previous content; a valid change builds a new
// CertificateSnapshot, which new handshakes pick up (handshakes in progress and established connections keep the
// one they started with). A FileWatcher thread triggers reloads (inotify on the files' directories, plus a periodic
// re-check).
//
// Thread-safe: Current() may be called from any thread (every handshake calls it); Reload() is serialized.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/file_watcher.h"
#include "base/mutex.h"
#include "tls/certificate_snapshot.h"
#include "tls/self_signed.h"
#include "tls/sni_cert_key.h"

namespace apiserve::tls {

class DynamicCertificates {
 public:
  struct Options {
    ServingCertSource default_cert;  // files (reloaded), in-memory PEM (static), or nothing at all
    std::vector<SniCertKey> sni;
    std::string client_ca_file;                // empty: no client CA
    std::string requestheader_client_ca_file;  // empty: no request-header (front-proxy) CA
    bool watch = true;                         // start the FileWatcher; false: only explicit Reload() calls
    absl::Duration check_interval = absl::Minutes(1);
    absl::Duration debounce = absl::Milliseconds(100);
  };

  // Create loads every source. Errors name the file: NotFound / InvalidArgument from LoadCertKey or
  // LoadClientCaBundle; Internal if the watcher cannot start.
  static absl::StatusOr<std::unique_ptr<DynamicCertificates>> Create(Options options);
  // Stops the watcher thread.
  ~DynamicCertificates();
  DynamicCertificates(const DynamicCertificates&) = delete;
  DynamicCertificates& operator=(const DynamicCertificates&) = delete;

  // Current returns the snapshot to use for a new handshake. Never null.
  std::shared_ptr<const CertificateSnapshot> Current() const;

  // Reload re-reads every file-backed source. Returns OK if every source is valid (whether or not anything changed);
  // else the error of the broken source (NotFound, InvalidArgument, ...), or InvalidArgument listing several. Broken
  // sources are logged and keep their previous content.
  absl::Status Reload();

  // SetClientCa replaces the client-CA bundle with `pem` for a CA that does not come from a file (the
  // extension-apiserver-authentication ConfigMap's client-ca-file, authconfig/). `name` names the source in errors
  // ("client-ca::kube-system::extension-apiserver-authentication::client-ca-file"). New handshakes see it at once; a
  // `pem` equal to the current one changes nothing; an empty `pem` removes the bundle. FailedPrecondition when a
  // client-CA file is configured (the file wins, as kube's --client-ca-file over the ConfigMap); InvalidArgument
  // (ParseClientCaBundle's) when `pem` does not parse, and the previous bundle stays. Thread-safe.
  absl::Status SetClientCa(std::string pem, absl::string_view name);
  // SetRequestHeaderClientCa does the same for the request-header (front-proxy) CA; FailedPrecondition when
  // requestheader_client_ca_file is configured.
  absl::Status SetRequestHeaderClientCa(std::string pem, absl::string_view name);

  bool has_client_ca() const { return !options_.client_ca_file.empty(); }

 private:
  struct PairSource {
    std::string cert_file;  // empty: static
    std::string key_file;
    std::vector<std::string> names;
    std::shared_ptr<const CertKey> current;
  };

  explicit DynamicCertificates(Options options) : options_(std::move(options)) {}
  // ReloadPair re-reads `source`; sets *changed when it took new content.
  absl::Status ReloadPair(PairSource& source, bool* changed) ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);
  // ReloadCaBundle re-reads the CA bundle `file` into `*bundle`; sets *changed when it took new content.
  static absl::Status ReloadCaBundle(const std::string& file, std::shared_ptr<const ClientCaBundle>* bundle,
                                     bool* changed);
  void Publish() ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);
  // SetCaPem is SetClientCa / SetRequestHeaderClientCa on `*bundle` (client_ca_ or requestheader_client_ca_).
  absl::Status SetCaPem(const std::string& file, std::shared_ptr<const ClientCaBundle>* bundle, std::string pem,
                        absl::string_view name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);

  const Options options_;

  base::Mutex reload_mu_;  // serializes reloads; held while sources are read
  std::unique_ptr<PairSource> default_source_ ABSL_GUARDED_BY(reload_mu_);  // null: no default certificate
  std::vector<PairSource> sni_sources_ ABSL_GUARDED_BY(reload_mu_);
  std::shared_ptr<const ClientCaBundle> client_ca_ ABSL_GUARDED_BY(reload_mu_);
  std::shared_ptr<const ClientCaBundle> requestheader_client_ca_ ABSL_GUARDED_BY(reload_mu_);
  uint64_t generation_ ABSL_GUARDED_BY(reload_mu_) = 0;

  mutable base::Mutex snapshot_mu_;  // only held to copy or swap the pointer
  std::shared_ptr<const CertificateSnapshot> snapshot_ ABSL_GUARDED_BY(snapshot_mu_);

  std::unique_ptr<base::FileWatcher> watcher_;  // last: stopped first
};

}  // namespace apiserve::tls

#endif  // APISERVE_TLS_DYNAMIC_CERTIFICATES_H_
