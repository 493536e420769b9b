#include "authconfig/configmap_authentication.h"

#include <condition_variable>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/logger.h"

namespace apiserve::authconfig {

std::unique_ptr<ConfigMapAuthentication> ConfigMapAuthentication::New(ConfigMapAuthenticationOptions options,
                                                                      std::shared_ptr<client::HttpClient> client,
                                                                      base::Executor* executor) {
  std::unique_ptr<ConfigMapAuthentication> self(new ConfigMapAuthentication());
  self->options_ = std::move(options);
  self->executor_ = executor;
  const ConfigMapAuthenticationOptions& o = self->options_;
  if (!o.skip_lookup && !o.client_ca_file_set) {
    if (client == nullptr) {
      LOG(WARNING) << "No authentication-kubeconfig provided in order to lookup client-ca-file in configmap/"
                   << kAuthenticationConfigMapName << " in " << kAuthenticationConfigMapNamespace
                   << ", so client certificate authentication won't work.";
    } else {
      self->reads_client_ca_ = true;
    }
  }
  if (!o.skip_lookup && !o.requestheader_client_ca_file_set) {
    if (client == nullptr) {
      LOG(WARNING) << "No authentication-kubeconfig provided in order to lookup requestheader-client-ca-file in "
                      "configmap/"
                   << kAuthenticationConfigMapName << " in " << kAuthenticationConfigMapNamespace
                   << ", so request-header client certificate authentication won't work.";
    } else {
      self->reads_request_header_ = true;
      self->request_header_ = std::make_shared<DynamicRequestHeaderAuthenticator>();
    }
  }
  if (self->reads_client_ca_ || self->reads_request_header_) {
    ConfigMapAuthentication* raw = self.get();
    self->watcher_ = std::make_unique<ConfigMapWatcher>(o.watch, std::move(client), executor,
                                                        [raw](const ConfigMapObject* object) { raw->Apply(object); });
  }
  return self;
}

ConfigMapAuthentication::~ConfigMapAuthentication() { Stop(); }

void ConfigMapAuthentication::ApplyTo(tls::TlsOptions* tls) const {
  if (reads_client_ca_ || reads_request_header_) tls->dynamic_client_cas = true;
}

std::shared_ptr<const auth::Authenticator> ConfigMapAuthentication::request_header_authenticator() const {
  return request_header_;
}

absl::Status ConfigMapAuthentication::FirstSyncOutcome(absl::Status read) const {
  if (read.ok()) return read;
  if (read.code() == absl::StatusCode::kPermissionDenied) {
    LOG(INFO) << "Unable to get configmap/" << kAuthenticationConfigMapName << " in "
              << kAuthenticationConfigMapNamespace << ".  Usually fixed by 'kubectl create rolebinding -n "
              << kAuthenticationConfigMapNamespace << " ROLEBINDING_NAME --role=" << kAuthenticationRoleName
              << " --serviceaccount=YOUR_NS:YOUR_SA'";
  }
  // Only the request-header configuration is awaited at start (kube's RunOnce); the client CA loads in the
  // background and its failures are only logged.
  if (!reads_request_header_) return absl::OkStatus();
  if (options_.tolerate_lookup_failure) {
    LOG(WARNING) << "Error looking up in-cluster authentication configuration: " << read.message();
    LOG(WARNING) << "Continuing without authentication configuration. This may treat all requests as anonymous.";
    LOG(WARNING) << "To require authentication configuration lookup to succeed, set "
                    "--authentication-tolerate-lookup-failure=false";
    return absl::OkStatus();
  }
  return absl::Status(read.code(),
                      absl::StrCat("unable to load configmap based request-header-client-ca-file: ", read.message()));
}

void ConfigMapAuthentication::StartAsync(tls::DynamicCertificates* certificates,
                                         absl::AnyInvocable<void(absl::Status)> done) {
  certificates_.store(certificates);
  if (watcher_ == nullptr) {
    executor_->Post([done = std::move(done)]() mutable { done(absl::OkStatus()); });
    return;
  }
  watcher_->Start([this, done = std::move(done)](absl::Status read) mutable { done(FirstSyncOutcome(read)); });
}

absl::Status ConfigMapAuthentication::Start(tls::DynamicCertificates* certificates) {
  struct Result {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<absl::Status> status;
  };
  auto result = std::make_shared<Result>();
  StartAsync(certificates, [result](absl::Status status) {
    std::lock_guard<std::mutex> lock(result->mu);
    result->status = std::move(status);
    result->cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(result->mu);
  if (!result->cv.wait_for(lock, absl::ToChronoMilliseconds(options_.startup_timeout),
                           [&] { return result->status.has_value(); })) {
    lock.unlock();
    return FirstSyncOutcome(absl::DeadlineExceededError(absl::StrCat(
        "Get \"", options_.watch.host, "/api/v1/namespaces/", kAuthenticationConfigMapNamespace, "/configmaps/",
        kAuthenticationConfigMapName, "\": no answer within ", absl::FormatDuration(options_.startup_timeout))));
  }
  return *result->status;
}

void ConfigMapAuthentication::Stop() {
  if (watcher_ != nullptr) watcher_->Stop();
}

int64_t ConfigMapAuthentication::updates() const { return updates_.load(); }

void ConfigMapAuthentication::Apply(const ConfigMapObject* object) {
  if (object == nullptr) {
    VLOG(2) << "configmap/" << kAuthenticationConfigMapName << " in " << kAuthenticationConfigMapNamespace
            << " is absent; keeping the authentication configuration in force";
    return;
  }
  tls::DynamicCertificates* certificates = certificates_.load();
  bool changed = false;
  if (reads_client_ca_) {
    auto it = object->data.find(kClientCaKey);
    const std::string pem = it != object->data.end() ? it->second : "";
    if (pem.empty()) {
      LOG(ERROR) << "missing content for CA bundle \"" << kClientCaSourceName << "\"";
    } else if (pem != applied_client_ca_) {
      absl::Status set =
          certificates != nullptr ? certificates->SetClientCa(pem, kClientCaSourceName) : absl::OkStatus();
      if (set.ok()) {
        applied_client_ca_ = pem;
        changed = true;
        LOG(INFO) << "Loaded a new CA Bundle and Verifier name=\"" << kClientCaSourceName << "\"";
      } else {
        LOG(ERROR) << "Unable to load the client CA bundle from configmap/" << kAuthenticationConfigMapName << ": "
                   << set.message();
      }
    }
  }
  if (reads_request_header_) {
    absl::StatusOr<RequestHeaderBundle> bundle = RequestHeaderBundleFromData(object->data);
    if (!bundle.ok()) {
      LOG(ERROR) << "Unable to read the request-header settings of configmap/" << kAuthenticationConfigMapName << ": "
                 << bundle.status().message();
    } else if (!applied_request_header_.has_value() || *applied_request_header_ != *bundle) {
      absl::Status set = certificates != nullptr
                             ? certificates->SetRequestHeaderClientCa(bundle->ca_pem, kRequestHeaderCaSourceName)
                             : absl::OkStatus();
      auth::RequestHeaderConfig config;
      if (!bundle->ca_pem.empty()) config.client_ca_file = kRequestHeaderCaSourceName;
      config.allowed_names = bundle->allowed_names;
      config.username_headers = bundle->username_headers;
      config.uid_headers = bundle->uid_headers;
      config.group_headers = bundle->group_headers;
      config.extra_headers_prefix = bundle->extra_headers_prefix;
      if (set.ok()) set = request_header_->Update(config);
      if (set.ok()) {
        applied_request_header_ = *std::move(bundle);
        changed = true;
        VLOG(4) << "loaded a new request header values for RequestHeaderAuthRequestController";
      } else {
        LOG(ERROR) << "Unable to load the request-header settings from configmap/" << kAuthenticationConfigMapName
                   << ": " << set.message();
      }
    }
  }
  if (changed) updates_.fetch_add(1);
}

}  // namespace apiserve::authconfig
