#include "auth/token_review.h"

#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <utility>

#include "auth/bearer_token.h"
#include "auth/webhook.h"
#include "base/logger.h"
#include "http/json_writer.h"

namespace apiserve::auth {
namespace {

using Result = absl::StatusOr<UserPtr>;

// ParseUser reads status.user of an authenticated TokenReview.
UserPtr ParseUser(const http::JsonValue* user) {
  auto info = std::make_shared<UserInfo>();
  info->name = StringField(user, "username");
  info->uid = StringField(user, "uid");
  if (user != nullptr) {
    if (const http::JsonValue* groups = user->Find("groups"); groups != nullptr && groups->is_array()) {
      for (const http::JsonValue& group : groups->array()) {
        if (group.is_string()) info->groups.push_back(group.string_value());
      }
    }
    if (const http::JsonValue* extra = user->Find("extra"); extra != nullptr && extra->is_object()) {
      for (const auto& [key, values] : extra->object()) {
        std::vector<std::string>& out = info->extra[key];
        if (!values.is_array()) continue;
        for (const http::JsonValue& value : values.array()) {
          if (value.is_string()) out.push_back(value.string_value());
        }
      }
    }
  }
  return info;
}

// The shared state: outlives the authenticator while reviews are in flight.
struct State {
  State(std::shared_ptr<client::HttpClient> c, TokenReviewOptions o)
      : client(std::move(c)),
        options(std::move(o)),
        clock(options.clock != nullptr ? options.clock : &base::SystemClock::Get()),
        cache(options.max_cache_entries, clock) {
    RAND_bytes(hash_key.data(), hash_key.size());
  }

  // Key is kube's keyed hash of the token: HMAC-SHA256 under a random per-process key.
  std::string Key(absl::string_view token) const {
    std::array<uint8_t, SHA256_DIGEST_LENGTH> digest;
    unsigned int length = 0;
    HMAC(EVP_sha256(), hash_key.data(), hash_key.size(), reinterpret_cast<const uint8_t*>(token.data()), token.size(),
         digest.data(), &length);
    return std::string(reinterpret_cast<const char*>(digest.data()), length);
  }

  // Finish turns the answer into a result, caches it as kube does, and wakes the waiters.
  void Finish(const std::string& key, const absl::StatusOr<client::Response>& response) {
    absl::StatusOr<http::JsonValue> review = DecodeReviewResponse(response, "tokenreviews.authentication.k8s.io");
    if (!review.ok()) {
      LOG(ERROR) << "Failed to make webhook authenticator request: " << review.status().message();
      cache.Complete(key, absl::UnauthenticatedError(review.status().message()), absl::ZeroDuration());
      return;
    }
    const http::JsonValue* status = review->Find("status");
    if (BoolField(status, "authenticated")) {
      cache.Complete(key, ParseUser(status->Find("user")), options.cache_ttl);
      return;
    }
    const std::string error = StringField(status, "error");
    if (!error.empty()) {
      cache.Complete(key, absl::UnauthenticatedError(error), absl::ZeroDuration());
      return;
    }
    cache.Complete(key, absl::UnauthenticatedError("invalid bearer token"), options.failure_cache_ttl);
  }

  const std::shared_ptr<client::HttpClient> client;
  const TokenReviewOptions options;
  const base::Clock* const clock;
  std::array<uint8_t, 32> hash_key;
  ReviewCache<Result> cache;
};

class TokenReviewAuthenticator : public Authenticator {
 public:
  explicit TokenReviewAuthenticator(std::shared_ptr<State> state) : state_(std::move(state)) {}

  // Authenticate answers what it knows without asking: NotFound without a bearer token, a cached answer, else
  // Unavailable.
  Result Authenticate(const http::Request& request) const override {
    absl::StatusOr<absl::string_view> token = BearerToken(request);
    if (!token.ok()) return token.status();
    std::optional<Result> cached = state_->cache.Get(state_->Key(*token));
    if (cached.has_value()) return *std::move(cached);
    return absl::UnavailableError("the token has not been reviewed yet");
  }

  bool IsAsync() const override { return true; }

  void AuthenticateAsync(const http::Request& request, AuthenticateCallback done) const override {
    absl::StatusOr<absl::string_view> token = BearerToken(request);
    if (!token.ok()) {
      done(token.status());
      return;
    }
    base::Executor* executor = request.executor;
    std::string key = state_->Key(*token);
    if (state_->cache.Find(key, executor, std::move(done)) != ReviewCache<Result>::Lookup::kStart) return;
    if (executor == nullptr) {  // a programming error in the caller: nowhere to complete the review
      LOG(ERROR) << "Failed to make webhook authenticator request: the request has no executor";
      state_->cache.Complete(key, absl::UnauthenticatedError("the request has no executor"), absl::ZeroDuration());
      return;
    }
    // kube's webhooktoken: the review's context times out after TokenAccessReviewTimeout, attempts and waits included.
    DoWithBackoff(state_->client, ReviewRequest(kTokenReviewPath, TokenReviewBody(*token), state_->options.timeout),
                  state_->options.retry_backoff, state_->options.timeout, executor,
                  [state = state_, key = std::move(key)](absl::StatusOr<client::Response> response) {
                    state->Finish(key, response);
                  });
  }

 private:
  const std::shared_ptr<State> state_;
};

}  // namespace

std::string TokenReviewBody(absl::string_view token) {
  http::JsonWriter json;
  json.BeginObject();
  json.Key("kind");
  json.String("TokenReview");
  json.Key("apiVersion");
  json.String("authentication.k8s.io/v1");
  json.Key("metadata");
  json.Raw(R"({"creationTimestamp":null})");
  json.Key("spec");
  json.BeginObject();
  json.Key("token");
  json.String(token);
  json.EndObject();
  json.Key("status");
  json.Raw(R"({"user":{}})");
  json.EndObject();
  return json.Take();
}

std::shared_ptr<const Authenticator> NewTokenReviewAuthenticator(std::shared_ptr<client::HttpClient> client,
                                                                 TokenReviewOptions options) {
  return std::make_shared<TokenReviewAuthenticator>(std::make_shared<State>(std::move(client), std::move(options)));
}

}  // namespace apiserve::auth
