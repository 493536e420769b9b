#include "tests/fakecluster/fake_cluster.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "auth/authorizers.h"
#include "auth/union.h"
#include "auth/x509.h"
#include "base/logger.h"
#include "base/metrics/registry.h"
#include "chain/generic_server.h"
#include "http/json_value.h"
#include "http/json_writer.h"
#include "http/kube_status.h"
#include "openssl/bio.h"
#include "openssl/pem.h"
#include "server/config.h"
#include "tls/x509_builder.h"

namespace apiserve::fakecluster {
namespace {

constexpr char kTokenReviewPath[] = "/apis/authentication.k8s.io/v1/tokenreviews";
constexpr char kSarPath[] = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
constexpr char kNamespacePrefix[] = "/api/v1/namespaces/";
constexpr char kWatchPrefix[] = "/api/v1/watch/namespaces/";

// TokenAuthenticator accepts "Authorization: Bearer <token>" for the tokens it was given (the cluster's clients).
class TokenAuthenticator : public auth::Authenticator {
 public:
  explicit TokenAuthenticator(const std::map<std::string, std::string>& tokens) {
    for (const auto& [token, user] : tokens) {
      tokens_[token] = std::make_shared<const auth::UserInfo>(auth::UserInfo{user, "", {}});
    }
  }
  absl::StatusOr<auth::UserPtr> Authenticate(const http::Request& request) const override {
    std::optional<absl::string_view> header = request.headers.Get("authorization");
    if (!header.has_value()) return absl::NotFoundError("no bearer token");
    absl::string_view value = absl::StripAsciiWhitespace(*header);
    if (value.size() < 7 || !absl::EqualsIgnoreCase(value.substr(0, 7), "bearer ")) {
      return absl::NotFoundError("no bearer token");
    }
    auto it = tokens_.find(std::string(absl::StripAsciiWhitespace(value.substr(7))));
    if (it == tokens_.end()) return absl::UnauthenticatedError("invalid bearer token");
    return it->second;
  }

 private:
  std::map<std::string, auth::UserPtr> tokens_;
};

std::string MakeTempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string pattern = absl::StrCat(base != nullptr ? base : "/tmp", "/fakecluster.XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

absl::Status WriteFile(const std::string& path, absl::string_view content) {
  const std::string tmp = absl::StrCat(path, ".tmp");
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) return absl::NotFoundError(absl::StrCat("open ", tmp, ": cannot create"));
  const bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  if (std::fclose(f) != 0 || !ok) return absl::InternalError(absl::StrCat("write ", tmp, ": failed"));
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return absl::InternalError(absl::StrCat("rename ", path));
  return absl::OkStatus();
}

struct KeyPair {
  bssl::UniquePtr<X509> cert;
  bssl::UniquePtr<EVP_PKEY> key;
};

absl::StatusOr<KeyPair> Issue(tls::CertificateTemplate spec, const KeyPair* issuer) {
  spec.not_before = absl::Now() - absl::Hours(1);
  spec.not_after = absl::Now() + absl::Hours(24 * 365);
  KeyPair pair;
  auto key = tls::GenerateKey(tls::KeyType::kEcdsaP256);
  if (!key.ok()) return key.status();
  pair.key = *std::move(key);
  auto cert = tls::IssueCertificate(spec, pair.key.get(), issuer != nullptr ? issuer->cert.get() : nullptr,
                                    issuer != nullptr ? issuer->key.get() : pair.key.get());
  if (!cert.ok()) return cert.status();
  pair.cert = *std::move(cert);
  return pair;
}

absl::StatusOr<std::pair<std::string, std::string>> ToPem(const KeyPair& pair) {
  auto cert = tls::CertificateToPem(pair.cert.get());
  if (!cert.ok()) return cert.status();
  auto key = tls::PrivateKeyToPem(pair.key.get(), tls::KeyEncoding::kPkcs8);
  if (!key.ok()) return key.status();
  return std::make_pair(*std::move(cert), *std::move(key));
}

absl::StatusOr<KeyPair> FromPem(const std::string& cert_pem, const std::string& key_pem) {
  KeyPair pair;
  bssl::UniquePtr<BIO> cert_bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  pair.cert.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  bssl::UniquePtr<BIO> key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  pair.key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (pair.cert == nullptr || pair.key == nullptr)
    return absl::InvalidArgumentError("unparsable CA certificate or key");
  return pair;
}

std::string Base64(absl::string_view data) { return absl::Base64Escape(data); }

void WriteStringList(http::JsonWriter* w, const std::vector<std::string>& values) {
  w->BeginArray();
  for (const std::string& v : values) w->String(v);
  w->EndArray();
}

void WriteExtra(http::JsonWriter* w, const std::map<std::string, std::vector<std::string>>& extra) {
  w->BeginObject();
  for (const auto& [key, values] : extra) {
    w->Key(key);
    WriteStringList(w, values);
  }
  w->EndObject();
}

std::string StringAt(const http::JsonValue& object, std::initializer_list<absl::string_view> path) {
  const http::JsonValue* v = object.FindPath(path);
  return v != nullptr && v->is_string() ? v->string_value() : "";
}

std::vector<std::string> StringsAt(const http::JsonValue& object, std::initializer_list<absl::string_view> path) {
  std::vector<std::string> out;
  const http::JsonValue* v = object.FindPath(path);
  if (v == nullptr || !v->is_array()) return out;
  for (const http::JsonValue& e : v->array()) {
    if (e.is_string()) out.push_back(e.string_value());
  }
  return out;
}

http::Response StatusResponse(int code, std::string reason, std::string message,
                              const http::StatusDetails* details = nullptr) {
  http::KubeStatus status;
  status.code = code;
  status.reason = std::move(reason);
  status.message = std::move(message);
  return http::JsonResponse(code, http::EncodeKubeStatus(status, details));
}

}  // namespace

// A streaming watch. `writer` is used on `executor` only (the request's loop).
struct FakeCluster::Watcher {
  http::ResponseWriter writer;
  base::Executor* executor = nullptr;
  std::string name_filter;  // empty: every ConfigMap of the namespace
  bool ended = false;       // loop only
};

struct FakeCluster::Shared {
  mutable base::Mutex mu;
  std::map<std::string, TokenEntry> tokens ABSL_GUARDED_BY(mu);
  SarRule rule ABSL_GUARDED_BY(mu);
  bool configmap_present ABSL_GUARDED_BY(mu) = true;
  std::map<std::string, std::string> configmap_data ABSL_GUARDED_BY(mu);
  int64_t resource_version ABSL_GUARDED_BY(mu) = 1;
  absl::Duration delay ABSL_GUARDED_BY(mu) = absl::ZeroDuration();
  Failure failure ABSL_GUARDED_BY(mu) = Failure::kNone;
  std::vector<std::shared_ptr<Watcher>> watchers ABSL_GUARDED_BY(mu);
  SarRequest last_sar ABSL_GUARDED_BY(mu);
  std::string last_user ABSL_GUARDED_BY(mu);
  std::atomic<int64_t> counts[kEndpointCount] = {};

  // ConfigMapJsonLocked writes the ConfigMap object; `with_type_meta` false for list items.
  std::string ConfigMapJsonLocked(bool with_type_meta) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    http::JsonWriter w;
    w.BeginObject();
    if (with_type_meta) {
      w.Key("kind");
      w.String("ConfigMap");
      w.Key("apiVersion");
      w.String("v1");
    }
    w.Key("metadata");
    w.BeginObject();
    w.Key("name");
    w.String(kAuthenticationConfigMap);
    w.Key("namespace");
    w.String(kAuthenticationNamespace);
    w.Key("uid");
    w.String("3f0b1d5e-8c1a-4c2e-9d1e-000000000001");
    w.Key("resourceVersion");
    w.String(absl::StrCat(resource_version));
    w.Key("creationTimestamp");
    w.String("2024-01-01T00:00:00Z");
    w.EndObject();
    w.Key("data");
    w.BeginObject();
    for (const auto& [key, value] : configmap_data) {
      w.Key(key);
      w.String(value);
    }
    w.EndObject();
    w.EndObject();
    return w.Take();
  }

  std::string EventLocked(absl::string_view type) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return absl::StrCat("{\"type\":\"", type, "\",\"object\":", ConfigMapJsonLocked(true), "}\n");
  }

  // Send posts `event` to every watcher of the ConfigMap.
  void BroadcastLocked(const std::string& event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    for (const std::shared_ptr<Watcher>& watcher : watchers) {
      if (!watcher->name_filter.empty() && watcher->name_filter != kAuthenticationConfigMap) continue;
      watcher->executor->Post([watcher, event] {
        if (watcher->ended) return;
        (void)watcher->writer.Write(event);  // a full buffer drops the event: tests send few
      });
    }
  }

  // EndWatchesLocked ends every watch (aborting with `abort`) and forgets them.
  void EndWatchesLocked(bool abort) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    for (std::shared_ptr<Watcher>& watcher : watchers) {
      watcher->executor->Post([watcher, abort] {
        if (watcher->ended) return;
        watcher->ended = true;
        if (abort) {
          (void)watcher->writer.completer().TryAbort();
        } else {
          (void)watcher->writer.Finish();
        }
      });
    }
    watchers.clear();
  }

  void RemoveWatcher(const Watcher* gone) {
    base::MutexLock lock(&mu);
    for (auto it = watchers.begin(); it != watchers.end(); ++it) {
      if (it->get() == gone) {
        watchers.erase(it);
        return;
      }
    }
  }
};

struct FakeCluster::Holder {
  base::metrics::Registry registry;
  std::unique_ptr<server::CompletedConfig> completed;
  std::unique_ptr<chain::GenericServer> server;
};

namespace {

// ServeFn answers one request through its writer.
using ServeFn = absl::AnyInvocable<void(http::RequestPtr, http::ResponseWriter)>;

}  // namespace

absl::StatusOr<std::unique_ptr<FakeCluster>> FakeCluster::Start(Options options) {
  std::unique_ptr<FakeCluster> cluster(new FakeCluster());
  if (absl::Status s = cluster->Serve(std::move(options)); !s.ok()) return s;
  return cluster;
}

FakeCluster::~FakeCluster() {
  if (shared_ != nullptr) {
    base::MutexLock lock(&shared_->mu);
    shared_->EndWatchesLocked(/*abort=*/false);
  }
  if (stop_ != nullptr) stop_->Fire();
  if (runner_.joinable()) runner_.join();
  holder_.reset();
}

std::string FakeCluster::url() const { return absl::StrCat("https://127.0.0.1:", port_); }

absl::Status FakeCluster::Serve(Options options) {
  shared_ = std::make_shared<Shared>();
  {
    base::MutexLock lock(&shared_->mu);
    shared_->configmap_data = options.configmap_data;
  }
  client_tokens_ = options.client_tokens;
  dir_ = options.dir.empty() ? MakeTempDir() : options.dir;
  if (dir_.empty()) return absl::InternalError("fakecluster: mkdtemp failed");

  // Certificates: a CA, a serving certificate for 127.0.0.1 / localhost.
  tls::CertificateTemplate ca_spec;
  ca_spec.common_name = "fake-cluster-ca";
  ca_spec.is_ca = true;
  auto ca = Issue(ca_spec, nullptr);
  if (!ca.ok()) return ca.status();
  tls::CertificateTemplate serving_spec;
  serving_spec.common_name = "kube-apiserver";
  serving_spec.dns_names = {"localhost", "kubernetes.default.svc"};
  serving_spec.ip_addresses = {"127.0.0.1"};
  serving_spec.server_auth = true;
  auto serving = Issue(serving_spec, &*ca);
  if (!serving.ok()) return serving.status();
  auto ca_pem = ToPem(*ca);
  if (!ca_pem.ok()) return ca_pem.status();
  auto serving_pem = ToPem(*serving);
  if (!serving_pem.ok()) return serving_pem.status();
  ca_pem_ = ca_pem->first;
  ca_key_pem_ = ca_pem->second;
  const std::string ca_file = absl::StrCat(dir_, "/fake-cluster-ca.crt");
  const std::string cert_file = absl::StrCat(dir_, "/fake-cluster.crt");
  const std::string key_file = absl::StrCat(dir_, "/fake-cluster.key");
  if (absl::Status s = WriteFile(ca_file, ca_pem_); !s.ok()) return s;
  if (absl::Status s = WriteFile(cert_file, serving_pem->first); !s.ok()) return s;
  if (absl::Status s = WriteFile(key_file, serving_pem->second); !s.ok()) return s;

  holder_ = std::make_unique<Holder>();
  server::Config config;
  config.serving.bind_address = "127.0.0.1";
  config.serving.port = options.port;
  config.serving.workers = 1;
  config.tls.cert_file = cert_file;
  config.tls.key_file = key_file;
  config.tls.client_ca_file = ca_file;
  config.tls.generate_self_signed = false;
  config.tls.watch_files = false;
  config.chain.metrics = &holder_->registry;
  config.chain.request_metrics = false;
  config.chain.unauthenticated_http2_dos_mitigation = false;
  config.chain.authenticator = auth::WithAuthenticatedGroup(
      auth::Union({auth::NewX509Authenticator(), std::make_shared<TokenAuthenticator>(client_tokens_)}));
  config.chain.authorizer = auth::AlwaysAllowAuthorizer();
  auto completed = server::CompletedConfig::Complete(std::move(config));
  if (!completed.ok()) return completed.status();
  holder_->completed = *std::move(completed);
  auto generic = holder_->completed->New("fake-kube-apiserver", nullptr);
  if (!generic.ok()) return generic.status();
  holder_->server = *std::move(generic);

  std::shared_ptr<Shared> shared = shared_;
  // Answer wraps a handler in the counters, the delay and the failure knobs.
  auto answer = [shared](Endpoint endpoint, ServeFn serve) {
    return http::HandlerFunc([shared, endpoint, serve = std::make_shared<ServeFn>(std::move(serve))](
                                 http::RequestPtr request, http::ResponseWriter writer) {
      shared->counts[static_cast<int>(endpoint)].fetch_add(1);
      absl::Duration delay;
      Failure failure;
      std::string user;
      if (const auth::UserInfo* info = request->Context<const auth::UserInfo>(); info != nullptr) user = info->name;
      {
        base::MutexLock lock(&shared->mu);
        delay = shared->delay;
        failure = shared->failure;
        shared->last_user = user;
      }
      auto respond = [shared, endpoint, failure, user, serve](http::RequestPtr req, http::ResponseWriter w) {
        switch (failure) {
          case Failure::kNone:
            (*serve)(std::move(req), std::move(w));
            return;
          case Failure::kServerError:
            (void)w.Send(
                StatusResponse(500, "InternalError", "Internal error occurred: the fake cluster was told to fail"));
            return;
          case Failure::kForbidden: {
            http::ForbiddenRequest forbidden;
            forbidden.user = user;
            forbidden.resource_request = true;
            if (endpoint == Endpoint::kTokenReview) {
              forbidden.verb = "create";
              forbidden.api_group = "authentication.k8s.io";
              forbidden.resource = "tokenreviews";
            } else if (endpoint == Endpoint::kSubjectAccessReview) {
              forbidden.verb = "create";
              forbidden.api_group = "authorization.k8s.io";
              forbidden.resource = "subjectaccessreviews";
            } else {
              forbidden.verb = endpoint == Endpoint::kConfigMapGet    ? "get"
                               : endpoint == Endpoint::kConfigMapList ? "list"
                                                                      : "watch";
              forbidden.resource = "configmaps";
              forbidden.namespace_name = kAuthenticationNamespace;
              if (endpoint == Endpoint::kConfigMapGet) forbidden.name = kAuthenticationConfigMap;
            }
            (void)w.Send(http::ForbiddenResponse(forbidden));
            return;
          }
          case Failure::kDrop:
            (void)w.WriteHead(200, http::HeaderMap{{"Content-Type", "application/json"}});
            (void)w.completer().TryAbort();
            return;
        }
      };
      if (delay <= absl::ZeroDuration()) {
        respond(std::move(request), std::move(writer));
        return;
      }
      base::Executor* executor = request->executor;
      executor->RunAfter(
          delay, [respond = std::move(respond), request = std::move(request), writer = std::move(writer)]() mutable {
            respond(std::move(request), std::move(writer));
          });
    });
  };

  // TokenReview.
  ServeFn token_review = [shared](http::RequestPtr request, http::ResponseWriter writer) {
    http::ReadBody(request, [shared, request, writer = std::move(writer)](absl::Status read) mutable {
      if (!read.ok()) return;
      auto body = http::ParseJson(request->body);
      if (!body.ok() || !body->is_object()) {
        (void)writer.Send(StatusResponse(400, "BadRequest", "the body is not a TokenReview"));
        return;
      }
      const std::string token = StringAt(*body, {"spec", "token"});
      const std::vector<std::string> audiences = StringsAt(*body, {"spec", "audiences"});
      std::optional<TokenEntry> entry;
      {
        base::MutexLock lock(&shared->mu);
        auto it = shared->tokens.find(token);
        if (it != shared->tokens.end()) entry = it->second;
      }
      http::JsonWriter w;
      w.BeginObject();
      w.Key("kind");
      w.String("TokenReview");
      w.Key("apiVersion");
      w.String("authentication.k8s.io/v1");
      w.Key("metadata");
      w.Raw("{\"creationTimestamp\":null}");
      w.Key("spec");
      w.BeginObject();
      w.Key("token");
      w.String(token);
      if (!audiences.empty()) {
        w.Key("audiences");
        WriteStringList(&w, audiences);
      }
      w.EndObject();
      w.Key("status");
      w.BeginObject();
      const bool authenticated = entry.has_value() && entry->error.empty();
      if (authenticated) {
        w.Key("authenticated");
        w.Bool(true);
      }
      w.Key("user");
      w.BeginObject();
      if (authenticated) {
        w.Key("username");
        w.String(entry->name);
        if (!entry->uid.empty()) {
          w.Key("uid");
          w.String(entry->uid);
        }
        if (!entry->groups.empty()) {
          w.Key("groups");
          WriteStringList(&w, entry->groups);
        }
        if (!entry->extra.empty()) {
          w.Key("extra");
          WriteExtra(&w, entry->extra);
        }
      }
      w.EndObject();
      if (authenticated && !audiences.empty()) {
        w.Key("audiences");
        WriteStringList(&w, audiences);
      }
      if (entry.has_value() && !entry->error.empty()) {
        w.Key("error");
        w.String(entry->error);
      }
      w.EndObject();
      w.EndObject();
      (void)writer.Send(http::JsonResponse(201, w.Take()));
    });
  };

  // SubjectAccessReview.
  ServeFn sar = [shared](http::RequestPtr request, http::ResponseWriter writer) {
    http::ReadBody(request, [shared, request, writer = std::move(writer)](absl::Status read) mutable {
      if (!read.ok()) return;
      auto body = http::ParseJson(request->body);
      if (!body.ok() || !body->is_object() || body->Find("spec") == nullptr) {
        (void)writer.Send(StatusResponse(400, "BadRequest", "the body is not a SubjectAccessReview"));
        return;
      }
      const http::JsonValue& spec = *body->Find("spec");
      SarRequest review;
      review.user = StringAt(spec, {"user"});
      review.uid = StringAt(spec, {"uid"});
      review.groups = StringsAt(spec, {"groups"});
      if (const http::JsonValue* extra = spec.Find("extra"); extra != nullptr && extra->is_object()) {
        for (const auto& [key, values] : extra->object()) {
          std::vector<std::string>& out = review.extra[key];
          if (!values.is_array()) continue;
          for (const http::JsonValue& v : values.array()) {
            if (v.is_string()) out.push_back(v.string_value());
          }
        }
      }
      if (spec.Find("resourceAttributes") != nullptr) {
        review.resource_request = true;
        review.verb = StringAt(spec, {"resourceAttributes", "verb"});
        review.namespace_name = StringAt(spec, {"resourceAttributes", "namespace"});
        review.group = StringAt(spec, {"resourceAttributes", "group"});
        review.version = StringAt(spec, {"resourceAttributes", "version"});
        review.resource = StringAt(spec, {"resourceAttributes", "resource"});
        review.subresource = StringAt(spec, {"resourceAttributes", "subresource"});
        review.name = StringAt(spec, {"resourceAttributes", "name"});
      } else {
        review.verb = StringAt(spec, {"nonResourceAttributes", "verb"});
        review.path = StringAt(spec, {"nonResourceAttributes", "path"});
      }
      SarRule rule;
      {
        base::MutexLock lock(&shared->mu);
        shared->last_sar = review;
        rule = shared->rule;
      }
      SarAnswer decision;
      if (rule) {
        decision = rule(review);
      } else {
        decision.reason = "no RBAC policy matched";
      }
      http::JsonWriter w;
      w.BeginObject();
      w.Key("kind");
      w.String("SubjectAccessReview");
      w.Key("apiVersion");
      w.String("authorization.k8s.io/v1");
      w.Key("metadata");
      w.Raw("{\"creationTimestamp\":null}");
      w.Key("spec");
      spec.WriteTo(&w);
      w.Key("status");
      w.BeginObject();
      w.Key("allowed");
      w.Bool(decision.allowed);
      if (decision.denied) {
        w.Key("denied");
        w.Bool(true);
      }
      if (!decision.reason.empty()) {
        w.Key("reason");
        w.String(decision.reason);
      }
      if (!decision.evaluation_error.empty()) {
        w.Key("evaluationError");
        w.String(decision.evaluation_error);
      }
      w.EndObject();
      w.EndObject();
      (void)writer.Send(http::JsonResponse(201, w.Take()));
    });
  };

  // ConfigMaps: get, list and watch in kube-system.
  auto configmaps = [shared](Endpoint endpoint) -> ServeFn {
    return [shared, endpoint](http::RequestPtr request, http::ResponseWriter writer) {
      // Which name (path or field selector) the request is about; empty: all.
      std::string name;
      absl::string_view path = request->path;
      if (!absl::ConsumePrefix(&path, kNamespacePrefix)) absl::ConsumePrefix(&path, kWatchPrefix);
      std::vector<std::string> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
      const bool in_namespace = !parts.empty() && parts[0] == kAuthenticationNamespace;
      if (parts.size() >= 3) name = parts[2];
      if (std::optional<std::string> selector = request->Query("fieldSelector"); selector.has_value()) {
        absl::string_view s = *selector;
        if (absl::ConsumePrefix(&s, "metadata.name=") || absl::ConsumePrefix(&s, "metadata.name==")) {
          name = std::string(s);
        }
      }
      const bool matches = in_namespace && (name.empty() || name == kAuthenticationConfigMap);
      if (endpoint == Endpoint::kConfigMapGet) {
        base::MutexLock lock(&shared->mu);
        if (!matches || !shared->configmap_present) {
          http::StatusDetails details{name, "", "configmaps"};
          (void)writer.Send(
              StatusResponse(404, "NotFound", absl::StrCat("configmaps \"", name, "\" not found"), &details));
          return;
        }
        (void)writer.Send(http::JsonResponse(200, shared->ConfigMapJsonLocked(true)));
        return;
      }
      if (endpoint == Endpoint::kConfigMapList) {
        base::MutexLock lock(&shared->mu);
        std::string items = matches && shared->configmap_present ? shared->ConfigMapJsonLocked(false) : "";
        (void)writer.Send(http::JsonResponse(
            200, absl::StrCat("{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"",
                              shared->resource_version, "\"},\"items\":[", items, "]}")));
        return;
      }
      // Watch: from resourceVersion (empty or "0": the current state as ADDED first, as kube). The watcher joins
      // the list together with the first event's content, under the lock, so no change falls between them; later
      // events are posted to this loop and so follow the first one.
      auto watcher = std::make_shared<Watcher>();
      watcher->executor = request->executor;
      watcher->name_filter = matches ? std::string(kAuthenticationConfigMap) : "-";
      watcher->writer = std::move(writer);
      if (!watcher->writer.WriteHead(200, http::HeaderMap{{"Content-Type", "application/json"}}).ok()) return;
      std::weak_ptr<Shared> weak_shared = shared;
      std::weak_ptr<Watcher> weak_watcher = watcher;
      const std::string since = request->Query("resourceVersion").value_or("");
      std::string first_event;
      {
        base::MutexLock lock(&shared->mu);
        int64_t since_version = 0;
        if (matches && shared->configmap_present) {
          if (since.empty() || since == "0") {
            first_event = shared->EventLocked("ADDED");
          } else if (!absl::SimpleAtoi(since, &since_version) || since_version < shared->resource_version) {
            first_event = shared->EventLocked("MODIFIED");
          }
        }
        shared->watchers.push_back(watcher);
      }
      watcher->writer.OnComplete([weak_shared, weak_watcher](const http::Completion&) {
        std::shared_ptr<Shared> s = weak_shared.lock();
        std::shared_ptr<Watcher> w = weak_watcher.lock();
        if (w != nullptr) w->ended = true;
        if (s != nullptr && w != nullptr) s->RemoveWatcher(w.get());
      });
      if (!first_event.empty() && !watcher->ended) (void)watcher->writer.Write(std::move(first_event));
      if (std::optional<std::string> timeout = request->Query("timeoutSeconds"); timeout.has_value()) {
        int seconds = 0;
        if (absl::SimpleAtoi(*timeout, &seconds) && seconds > 0) {
          request->executor->RunAfter(absl::Seconds(seconds), [weak_watcher] {
            std::shared_ptr<Watcher> w = weak_watcher.lock();
            if (w == nullptr || w->ended) return;
            w->ended = true;
            (void)w->writer.Finish();
          });
        }
      }
    };
  };

  auto review_answer = answer(Endpoint::kTokenReview, std::move(token_review));
  auto sar_answer = answer(Endpoint::kSubjectAccessReview, std::move(sar));
  auto get_answer = answer(Endpoint::kConfigMapGet, configmaps(Endpoint::kConfigMapGet));
  auto list_answer = answer(Endpoint::kConfigMapList, configmaps(Endpoint::kConfigMapList));
  auto watch_answer = answer(Endpoint::kConfigMapWatch, configmaps(Endpoint::kConfigMapWatch));
  auto post_only = [](http::HandlerPtr inner) {
    return http::HandlerFunc([inner](http::RequestPtr request, http::ResponseWriter writer) {
      if (request->method != "POST") {
        (void)writer.Send(StatusResponse(405, "MethodNotAllowed",
                                         "the server does not allow this method on the "
                                         "requested resource"));
        return;
      }
      inner->Serve(std::move(request), std::move(writer));
    });
  };
  auto core =
      http::HandlerFunc([get_answer, list_answer, watch_answer](http::RequestPtr request, http::ResponseWriter writer) {
        if (request->method != "GET") {
          (void)writer.Send(StatusResponse(405, "MethodNotAllowed",
                                           "the server does not allow this method on the requested resource"));
          return;
        }
        absl::string_view path = request->path;
        const bool watch_path = absl::ConsumePrefix(&path, kWatchPrefix);
        if (!watch_path && !absl::ConsumePrefix(&path, kNamespacePrefix)) {
          (void)writer.Send(http::NotFoundStatusResponse());
          return;
        }
        std::vector<absl::string_view> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
        if (parts.size() < 2 || parts.size() > 3 || parts[1] != "configmaps") {
          (void)writer.Send(http::NotFoundStatusResponse());
          return;
        }
        std::string watch = absl::AsciiStrToLower(request->Query("watch").value_or(""));
        const bool is_watch = watch_path || (!watch.empty() && watch != "0" && watch != "false");
        if (is_watch) {
          watch_answer->Serve(std::move(request), std::move(writer));
        } else if (parts.size() == 3) {
          get_answer->Serve(std::move(request), std::move(writer));
        } else {
          list_answer->Serve(std::move(request), std::move(writer));
        }
      });
  chain::GenericServer& s = *holder_->server;
  if (absl::Status st = s.HandleRoute({.path = kTokenReviewPath, .methods = {"POST"}, .summary = "TokenReview"},
                                      post_only(review_answer));
      !st.ok()) {
    return st;
  }
  if (absl::Status st = s.HandleRoute({.path = kSarPath, .methods = {"POST"}, .summary = "SubjectAccessReview"},
                                      post_only(sar_answer));
      !st.ok()) {
    return st;
  }
  if (absl::Status st = s.HandleRoute(
          {.path = "/api/v1/", .methods = {"GET"}, .summary = "ConfigMaps in kube-system", .prefix = true}, core);
      !st.ok()) {
    return st;
  }
  auto prepared = s.PrepareRun();
  if (!prepared.ok()) return prepared.status();

  stop_ = std::make_unique<lifecycle::Signal>("fakecluster-stop");
  serving_ = std::make_unique<lifecycle::Signal>("fakecluster-serving");
  runner_ = std::thread([this, prepared = *std::move(prepared)]() mutable {
    run_result_ = holder_->completed->Run(std::move(prepared), stop_.get(), [this](server::SecureServer& secure) {
      port_ = secure.port();  // read by Serve after serving_ fired
      serving_->Fire();
    });
    if (!run_result_.ok()) LOG(ERROR) << "fakecluster: " << run_result_.message();
    serving_->Fire();
  });
  serving_->Wait();
  if (port_ == 0) {
    runner_.join();
    return run_result_.ok() ? absl::UnavailableError("fakecluster: not serving") : run_result_;
  }
  return absl::OkStatus();
}

absl::Status FakeCluster::WriteKubeconfig(const std::string& path, const std::string& token) const {
  std::string t = token;
  if (t.empty() && !client_tokens_.empty()) t = client_tokens_.begin()->first;
  return WriteFile(path, absl::StrCat("apiVersion: v1\nkind: Config\nclusters:\n- name: fake-cluster\n  cluster:\n"
                                      "    server: ",
                                      url(), "\n    certificate-authority-data: ", Base64(ca_pem_),
                                      "\nusers:\n- name: fake-client\n  user:\n    token: ", t,
                                      "\ncontexts:\n- name: fake\n  context:\n    cluster: fake-cluster\n"
                                      "    user: fake-client\ncurrent-context: fake\n"));
}

absl::Status FakeCluster::WriteClientCertKubeconfig(const std::string& path, const std::string& user) const {
  auto pair = IssueClientCert(user, {});
  if (!pair.ok()) return pair.status();
  return WriteFile(path, absl::StrCat("apiVersion: v1\nkind: Config\nclusters:\n- name: fake-cluster\n  cluster:\n"
                                      "    server: ",
                                      url(), "\n    certificate-authority-data: ", Base64(ca_pem_),
                                      "\nusers:\n- name: fake-client\n  user:\n    client-certificate-data: ",
                                      Base64(pair->first), "\n    client-key-data: ", Base64(pair->second),
                                      "\ncontexts:\n- name: fake\n  context:\n    cluster: fake-cluster\n"
                                      "    user: fake-client\ncurrent-context: fake\n"));
}

absl::StatusOr<std::pair<std::string, std::string>> FakeCluster::IssueClientCert(const std::string& user,
                                                                                 const std::vector<std::string>& groups,
                                                                                 const std::string& ca_cert_pem,
                                                                                 const std::string& ca_key_pem) const {
  auto ca = ca_cert_pem.empty() ? FromPem(ca_pem_, ca_key_pem_) : FromPem(ca_cert_pem, ca_key_pem);
  if (!ca.ok()) return ca.status();
  tls::CertificateTemplate spec;
  spec.common_name = user;
  spec.organizations = groups;
  spec.client_auth = true;
  auto leaf = Issue(spec, &*ca);
  if (!leaf.ok()) return leaf.status();
  return ToPem(*leaf);
}

absl::StatusOr<std::pair<std::string, std::string>> FakeCluster::NewCa(const std::string& common_name) {
  tls::CertificateTemplate spec;
  spec.common_name = common_name;
  spec.is_ca = true;
  auto ca = Issue(spec, nullptr);
  if (!ca.ok()) return ca.status();
  return ToPem(*ca);
}

void FakeCluster::SetToken(const std::string& token, TokenEntry entry) {
  base::MutexLock lock(&shared_->mu);
  shared_->tokens[token] = std::move(entry);
}

void FakeCluster::RemoveToken(const std::string& token) {
  base::MutexLock lock(&shared_->mu);
  shared_->tokens.erase(token);
}

void FakeCluster::SetAuthorizer(SarRule rule) {
  base::MutexLock lock(&shared_->mu);
  shared_->rule = std::move(rule);
}

void FakeCluster::SetConfigMapData(std::map<std::string, std::string> data) {
  base::MutexLock lock(&shared_->mu);
  const bool was_present = shared_->configmap_present;
  shared_->configmap_present = true;
  shared_->configmap_data = std::move(data);
  ++shared_->resource_version;
  shared_->BroadcastLocked(shared_->EventLocked(was_present ? "MODIFIED" : "ADDED"));
}

void FakeCluster::SetConfigMapAbsent() {
  base::MutexLock lock(&shared_->mu);
  if (!shared_->configmap_present) return;
  ++shared_->resource_version;
  shared_->BroadcastLocked(shared_->EventLocked("DELETED"));
  shared_->configmap_present = false;
}

std::string FakeCluster::ConfigMapJson() const {
  base::MutexLock lock(&shared_->mu);
  return shared_->configmap_present ? shared_->ConfigMapJsonLocked(true) : "";
}

void FakeCluster::SetDelay(absl::Duration delay) {
  base::MutexLock lock(&shared_->mu);
  shared_->delay = delay;
}

void FakeCluster::SetFailure(Failure failure) {
  base::MutexLock lock(&shared_->mu);
  shared_->failure = failure;
  if (failure != Failure::kNone) shared_->EndWatchesLocked(/*abort=*/failure == Failure::kDrop);
}

int64_t FakeCluster::Count(Endpoint endpoint) const { return shared_->counts[static_cast<int>(endpoint)].load(); }

void FakeCluster::ResetCounts() {
  for (std::atomic<int64_t>& c : shared_->counts) c.store(0);
}

int FakeCluster::OpenWatches() const {
  base::MutexLock lock(&shared_->mu);
  return static_cast<int>(shared_->watchers.size());
}

SarRequest FakeCluster::LastSar() const {
  base::MutexLock lock(&shared_->mu);
  return shared_->last_sar;
}

std::string FakeCluster::LastClientUser() const {
  base::MutexLock lock(&shared_->mu);
  return shared_->last_user;
}

}  // namespace apiserve::fakecluster
