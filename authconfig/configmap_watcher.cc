#include "authconfig/configmap_watcher.h"

#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/logger.h"
#include "base/mutex.h"
#include "http/json_value.h"

namespace apiserve::authconfig {
namespace {

absl::StatusCode CodeForHttpStatus(int status) {
  switch (status) {
    case 400:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 409:
      return absl::StatusCode::kAlreadyExists;
    case 410:
      return absl::StatusCode::kFailedPrecondition;
    case 429:
      return absl::StatusCode::kResourceExhausted;
    case 500:
      return absl::StatusCode::kInternal;
    default:
      return status >= 500 ? absl::StatusCode::kUnavailable : absl::StatusCode::kUnknown;
  }
}

// StatusMessage returns the message of a kube Status object, or nullopt.
std::optional<std::string> StatusMessage(const http::JsonValue& doc) {
  const http::JsonValue* kind = doc.is_object() ? doc.Find("kind") : nullptr;
  if (kind == nullptr || !kind->is_string() || kind->string_value() != "Status") return std::nullopt;
  const http::JsonValue* message = doc.Find("message");
  return message != nullptr && message->is_string() ? message->string_value() : "";
}

}  // namespace

absl::Status ClientError(const client::Response& response) {
  const absl::StatusCode code = CodeForHttpStatus(response.status);
  if (absl::StatusOr<http::JsonValue> doc = http::ParseJson(response.body); doc.ok()) {
    if (std::optional<std::string> message = StatusMessage(*doc); message.has_value()) {
      return absl::Status(code, *message);
    }
  }
  std::string body(absl::StripAsciiWhitespace(response.body));
  if (body.empty()) body = absl::StrCat("unknown (", response.status, ")");  // client-go: "unknown"
  return absl::Status(
      code, absl::StrCat("an error on the server (\"", body, "\") has prevented the request from succeeding"));
}

struct ConfigMapWatcher::State : std::enable_shared_from_this<ConfigMapWatcher::State> {
  Options options;
  std::shared_ptr<client::HttpClient> client;
  base::Executor* executor = nullptr;
  OnObject on_object;

  std::atomic<bool> stopped{false};
  std::atomic<int64_t> lists{0};
  std::atomic<int64_t> watches{0};

  // Held while a callback runs, so Stop from another thread returns only when none is running.
  base::Mutex callback_mu;
  base::Mutex mu;
  std::unique_ptr<client::WatchHandle> watch ABSL_GUARDED_BY(mu);
  base::CancelHandle retry ABSL_GUARDED_BY(mu);

  // Executor thread only.
  std::string resource_version;
  absl::Duration backoff = absl::ZeroDuration();
  uint64_t watch_generation = 0;
  std::string buffer;
  int watch_status = 0;
  bool watch_saw_event = false;
  absl::Time watch_started;

  std::string ObjectPath() const {
    return absl::StrCat("/api/v1/namespaces/", options.namespace_name, "/configmaps/", options.name);
  }

  // Guarded runs `fn` unless stopped, holding callback_mu.
  template <typename Fn>
  static auto Guard(std::weak_ptr<State> weak, Fn fn) {
    return [weak = std::move(weak), fn = std::move(fn)](auto&&... args) mutable {
      std::shared_ptr<State> self = weak.lock();
      if (self == nullptr) return;
      base::MutexLock lock(&self->callback_mu);
      if (self->stopped.load()) return;
      fn(*self, std::forward<decltype(args)>(args)...);
    };
  }

  void List(absl::AnyInvocable<void(absl::Status)> first_sync) {
    lists.fetch_add(1);
    client::Request request;
    request.path = ObjectPath();
    request.timeout = options.request_timeout;
    request.headers.emplace_back("Accept", "application/json");
    client->Do(std::move(request), executor,
               Guard(weak_from_this(), [first_sync = std::move(first_sync)](
                                           State& self, absl::StatusOr<client::Response> response) mutable {
                 absl::Status outcome = self.OnListed(std::move(response));
                 if (first_sync) first_sync(outcome);
                 if (outcome.ok()) {
                   self.backoff = absl::ZeroDuration();
                   self.Watch();
                 } else {
                   LOG(ERROR) << "Failed to watch *v1.ConfigMap: failed to list *v1.ConfigMap: " << outcome.message();
                   self.RetryLater();
                 }
               }));
  }

  // OnListed applies a GET's answer. OK when read or absent.
  absl::Status OnListed(absl::StatusOr<client::Response> response) {
    if (!response.ok()) {
      std::string prefix = absl::StrCat("Get \"", options.host, ObjectPath(), "\": ");
      return absl::Status(response.status().code(), absl::StrCat(prefix, response.status().message()));
    }
    if (response->status == 404) {
      resource_version.clear();
      on_object(nullptr);
      return absl::OkStatus();
    }
    if (response->status != 200) return ClientError(*response);
    absl::StatusOr<ConfigMapObject> object = ParseConfigMapObject(response->body);
    if (!object.ok()) return object.status();
    resource_version = object->resource_version;
    on_object(&*object);
    return absl::OkStatus();
  }

  void Watch() {
    watches.fetch_add(1);
    const uint64_t generation = ++watch_generation;
    buffer.clear();
    watch_status = 0;
    watch_saw_event = false;
    watch_started = executor->Now();
    client::Request request;
    request.path = absl::StrCat("/api/v1/namespaces/", options.namespace_name,
                                "/configmaps?allowWatchBookmarks=true&fieldSelector=metadata.name%3D", options.name,
                                "&resourceVersion=", resource_version,
                                "&timeoutSeconds=", options.watch_timeout_seconds, "&watch=true");
    request.timeout = options.request_timeout;
    request.headers.emplace_back("Accept", "application/json");
    std::weak_ptr<State> weak = weak_from_this();
    std::unique_ptr<client::WatchHandle> handle = client->Watch(
        std::move(request), executor,
        Guard(weak,
              [generation](State& self, const client::Response& head) {
                if (generation == self.watch_generation) self.watch_status = head.status;
              }),
        Guard(weak,
              [generation](State& self, absl::string_view data) {
                if (generation != self.watch_generation) return;
                self.buffer.append(data.data(), data.size());
                if (self.watch_status != 200) return;  // the error's body, read at the end
                absl::Status status = self.ConsumeLines();
                if (!status.ok()) self.EndWatch(status);
              }),
        Guard(weak, [generation](State& self, absl::Status done) {
          if (generation != self.watch_generation) return;
          if (done.ok() && self.watch_status != 200) {
            client::Response response;
            response.status = self.watch_status;
            response.body = self.buffer;
            done = ClientError(response);
          }
          if (done.ok() && !self.watch_saw_event && self.executor->Now() - self.watch_started < absl::Seconds(1)) {
            done = absl::UnavailableError("the watch ended at once");
          }
          self.EndWatch(done);
        }));
    base::MutexLock lock(&mu);
    watch = std::move(handle);
  }

  // EndWatch closes the current watch: re-watches at once after a normal end, re-lists after a backoff otherwise.
  void EndWatch(const absl::Status& status) {
    ++watch_generation;  // later callbacks of this watch are ignored
    std::unique_ptr<client::WatchHandle> handle;
    {
      base::MutexLock lock(&mu);
      handle = std::move(watch);
    }
    if (handle != nullptr) handle->Cancel();
    if (status.ok()) {
      Watch();
      return;
    }
    if (status.code() == absl::StatusCode::kFailedPrecondition) {
      VLOG(1) << "watch of *v1.ConfigMap ended: " << status.message() << "; re-listing";
      RetryNow();
      return;
    }
    LOG(ERROR) << "Failed to watch *v1.ConfigMap: " << status.message();
    RetryLater();
  }

  // ConsumeLines handles every complete event line in `buffer`.
  absl::Status ConsumeLines() {
    size_t start = 0;
    for (size_t end; (end = buffer.find('\n', start)) != std::string::npos; start = end + 1) {
      absl::string_view line = absl::StripAsciiWhitespace(absl::string_view(buffer).substr(start, end - start));
      if (line.empty()) continue;
      if (absl::Status s = OnEvent(line); !s.ok()) return s;
    }
    buffer.erase(0, start);
    return absl::OkStatus();
  }

  absl::Status OnEvent(absl::string_view line) {
    absl::StatusOr<http::JsonValue> event = http::ParseJson(line);
    if (!event.ok())
      return absl::UnavailableError(
          absl::StrCat("unable to decode an event from the watch stream: ", event.status().message()));
    const http::JsonValue* type = event->is_object() ? event->Find("type") : nullptr;
    const http::JsonValue* object = event->is_object() ? event->Find("object") : nullptr;
    if (type == nullptr || !type->is_string() || object == nullptr) {
      return absl::UnavailableError("unable to decode an event from the watch stream: no type or object");
    }
    watch_saw_event = true;
    const std::string& kind = type->string_value();
    if (kind == "ERROR") {
      const http::JsonValue* code = object->Find("code");
      std::optional<std::string> message = StatusMessage(*object);
      const int64_t http_code = code != nullptr ? code->AsInt64().value_or(500) : 500;
      return absl::Status(CodeForHttpStatus(static_cast<int>(http_code)), message.value_or("watch error"));
    }
    if (const http::JsonValue* rv = object->FindPath({"metadata", "resourceVersion"});
        rv != nullptr && rv->is_string()) {
      resource_version = rv->string_value();
    }
    if (kind == "BOOKMARK") return absl::OkStatus();
    if (kind == "DELETED") {
      on_object(nullptr);
      return absl::OkStatus();
    }
    if (kind != "ADDED" && kind != "MODIFIED") return absl::OkStatus();
    absl::StatusOr<ConfigMapObject> parsed = ParseConfigMapObject(object->Serialize());
    if (!parsed.ok())
      return absl::UnavailableError(absl::StrCat("bad object in the watch stream: ", parsed.status().message()));
    on_object(&*parsed);
    return absl::OkStatus();
  }

  void RetryNow() {
    executor->Post(Guard(weak_from_this(), [](State& self) { self.List(nullptr); }));
  }

  void RetryLater() {
    backoff = backoff <= absl::ZeroDuration() ? options.initial_backoff : std::min(backoff * 2, options.max_backoff);
    base::MutexLock lock(&mu);
    retry = executor->RunAfter(backoff, Guard(weak_from_this(), [](State& self) { self.List(nullptr); }));
  }
};

ConfigMapWatcher::ConfigMapWatcher(Options options, std::shared_ptr<client::HttpClient> client,
                                   base::Executor* executor, OnObject on_object)
    : state_(std::make_shared<State>()) {
  state_->options = std::move(options);
  state_->client = std::move(client);
  state_->executor = executor;
  state_->on_object = std::move(on_object);
}

ConfigMapWatcher::~ConfigMapWatcher() { Stop(); }

void ConfigMapWatcher::Start(absl::AnyInvocable<void(absl::Status)> first_sync) {
  state_->executor->Post(
      State::Guard(std::weak_ptr<State>(state_),
                   [first_sync = std::move(first_sync)](State& self) mutable { self.List(std::move(first_sync)); }));
}

void ConfigMapWatcher::Stop() {
  if (state_->stopped.exchange(true)) return;
  std::unique_ptr<client::WatchHandle> handle;
  {
    base::MutexLock lock(&state_->mu);
    handle = std::move(state_->watch);
    state_->retry.Cancel();
  }
  if (handle != nullptr) handle->Cancel();
  // Wait for a callback running on the executor (unless this is it).
  if (!state_->executor->IsExecutorThread()) {
    base::MutexLock lock(&state_->callback_mu);
  }
}

int64_t ConfigMapWatcher::lists() const { return state_->lists.load(); }
int64_t ConfigMapWatcher::watches() const { return state_->watches.load(); }

}  // namespace apiserve::authconfig
