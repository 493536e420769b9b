#include "auth/subject_access_review.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "auth/webhook.h"
#include "base/logger.h"
#include "http/json_writer.h"

namespace apiserve::auth {
namespace {

// kube's maxControlledAttrCacheSize: decisions on attributes larger than this are not cached.
constexpr size_t kMaxControlledAttrCacheSize = 10000;

// The review's status, as cached.
struct ReviewStatus {
  bool allowed = false;
  bool denied = false;
  std::string reason;
  absl::Status error;  // the review failed (never cached)
};

AuthorizationResult Decide(const ReviewStatus& status) {
  AuthorizationResult result;
  result.reason = status.reason;
  if (!status.error.ok()) {
    result.error = status.error;
  } else if (status.allowed && status.denied) {
    result.decision = Decision::kDeny;
    result.error = absl::InternalError("webhook subject access review returned both allow and deny response");
  } else if (status.denied) {
    result.decision = Decision::kDeny;
  } else if (status.allowed) {
    result.decision = Decision::kAllow;
  }
  return result;
}

bool ShouldCache(const Attributes& a) {
  const size_t size = a.namespace_name.size() + a.verb.size() + a.api_group.size() + a.api_version.size() +
                      a.resource.size() + a.subresource.size() + a.name.size() + a.path.size();
  return size < kMaxControlledAttrCacheSize;
}

void OptionalString(http::JsonWriter* json, absl::string_view key, absl::string_view value) {
  if (value.empty()) return;
  json->Key(key);
  json->String(value);
}

struct State {
  State(std::shared_ptr<client::HttpClient> c, SubjectAccessReviewOptions o)
      : client(std::move(c)),
        options(std::move(o)),
        clock(options.clock != nullptr ? options.clock : &base::SystemClock::Get()),
        cache(options.max_cache_entries, clock) {}

  void Finish(const std::string& key, bool cacheable, const absl::StatusOr<client::Response>& response) {
    absl::StatusOr<http::JsonValue> review =
        DecodeReviewResponse(response, "subjectaccessreviews.authorization.k8s.io");
    ReviewStatus status;
    if (!review.ok()) {
      LOG(ERROR) << "Failed to make webhook authorizer request: " << review.status().message();
      status.error = review.status();
      cache.Complete(key, status, absl::ZeroDuration());
      return;
    }
    const http::JsonValue* s = review->Find("status");
    status.allowed = BoolField(s, "allowed");
    status.denied = BoolField(s, "denied");
    status.reason = StringField(s, "reason");
    absl::Duration ttl = status.allowed ? options.authorized_ttl : options.unauthorized_ttl;
    if (!cacheable) ttl = absl::ZeroDuration();
    cache.Complete(key, status, ttl);
  }

  const std::shared_ptr<client::HttpClient> client;
  const SubjectAccessReviewOptions options;
  const base::Clock* const clock;
  ReviewCache<ReviewStatus> cache;
};

class SubjectAccessReviewAuthorizer : public Authorizer {
 public:
  explicit SubjectAccessReviewAuthorizer(std::shared_ptr<State> state) : state_(std::move(state)) {}

  Decision Authorize(const Attributes& attributes, std::string* reason) const override {
    std::optional<ReviewStatus> cached = state_->cache.Get(SubjectAccessReviewSpec(attributes));
    if (!cached.has_value()) return Decision::kNoOpinion;
    AuthorizationResult result = Decide(*cached);
    *reason = std::move(result.reason);
    return result.decision;
  }

  bool IsAsync() const override { return true; }

  void AuthorizeAsync(const Attributes& attributes, base::Executor* executor, AuthorizeCallback done) const override {
    std::string spec = SubjectAccessReviewSpec(attributes);  // kube's cache key: json.Marshal(r.Spec)
    const bool cacheable = ShouldCache(attributes);
    auto decide = [done = std::move(done)](ReviewStatus status) mutable { done(Decide(status)); };
    if (state_->cache.Find(spec, executor, std::move(decide)) != ReviewCache<ReviewStatus>::Lookup::kStart) return;
    if (executor == nullptr) {
      ReviewStatus failed;
      failed.error = absl::InternalError("the request has no executor");
      state_->cache.Complete(spec, failed, absl::ZeroDuration());
      return;
    }
    client::Request request =
        ReviewRequest(kSubjectAccessReviewPath, SubjectAccessReviewBody(spec), state_->options.timeout);
    DoWithBackoff(state_->client, std::move(request), state_->options.retry_backoff, state_->options.overall_timeout,
                  executor,
                  [state = state_, spec = std::move(spec), cacheable](absl::StatusOr<client::Response> response) {
                    state->Finish(spec, cacheable, response);
                  });
  }

 private:
  const std::shared_ptr<State> state_;
};

}  // namespace

std::string SubjectAccessReviewSpec(const Attributes& attributes) {
  http::JsonWriter json;
  json.BeginObject();
  if (attributes.resource_request) {
    json.Key("resourceAttributes");
    json.BeginObject();
    OptionalString(&json, "namespace", attributes.namespace_name);
    OptionalString(&json, "verb", attributes.verb);
    OptionalString(&json, "group", attributes.api_group);
    OptionalString(&json, "version", attributes.api_version);
    OptionalString(&json, "resource", attributes.resource);
    OptionalString(&json, "subresource", attributes.subresource);
    OptionalString(&json, "name", attributes.name);
    json.EndObject();
  } else {
    json.Key("nonResourceAttributes");
    json.BeginObject();
    OptionalString(&json, "path", attributes.path);
    OptionalString(&json, "verb", attributes.verb);
    json.EndObject();
  }
  if (attributes.user != nullptr) {
    const UserInfo& user = *attributes.user;
    OptionalString(&json, "user", user.name);
    if (!user.groups.empty()) {
      json.Key("groups");
      json.BeginArray();
      for (const std::string& group : user.groups) json.String(group);
      json.EndArray();
    }
    if (!user.extra.empty()) {
      json.Key("extra");
      json.BeginObject();
      for (const auto& [key, values] : user.extra) {  // std::map: sorted, as Go's encoder writes maps
        json.Key(key);
        json.BeginArray();
        for (const std::string& value : values) json.String(value);
        json.EndArray();
      }
      json.EndObject();
    }
    OptionalString(&json, "uid", user.uid);
  }
  json.EndObject();
  return json.Take();
}

std::string SubjectAccessReviewBody(const std::string& spec) {
  return absl::StrCat(
      R"({"kind":"SubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},)",
      R"("spec":)", spec, R"(,"status":{"allowed":false}})");
}

std::shared_ptr<const Authorizer> NewSubjectAccessReviewAuthorizer(std::shared_ptr<client::HttpClient> client,
                                                                   SubjectAccessReviewOptions options) {
  return std::make_shared<SubjectAccessReviewAuthorizer>(
      std::make_shared<State>(std::move(client), std::move(options)));
}

}  // namespace apiserve::auth
