#ifndef APISERVE_AUTH_FAKE_HTTP_CLIENT_H_
#define APISERVE_AUTH_FAKE_HTTP_CLIENT_H_

// auth::FakeHttpClient: a client::HttpClient for the webhook tests. It records every request, answers with what the
// test's responder returns (posted to the caller's executor, as the real client does), and can hold calls until the
// test releases them (a slow cluster). Thread-safe.

#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "client/http_client.h"

namespace apiserve::auth {

class FakeHttpClient : public client::HttpClient {
 public:
  using Responder = std::function<absl::StatusOr<client::Response>(const client::Request&)>;

  explicit FakeHttpClient(Responder responder) : responder_(std::move(responder)) {}

  // JsonAnswer returns a responder answering `status` with `body`.
  static Responder JsonAnswer(int status, std::string body) {
    return [status, body](const client::Request&) -> absl::StatusOr<client::Response> {
      client::Response response;
      response.status = status;
      response.headers = {{"content-type", "application/json"}};
      response.body = body;
      return response;
    };
  }

  void SetResponder(Responder responder) {
    base::MutexLock lock(&mu_);
    responder_ = std::move(responder);
  }

  // With Hold(true), calls wait until Release().
  void Hold(bool hold) {
    base::MutexLock lock(&mu_);
    hold_ = hold;
  }

  // Release answers every held call (each posted to its executor) and returns how many there were.
  int Release() {
    std::vector<Call> held;
    {
      base::MutexLock lock(&mu_);
      held.swap(held_);
    }
    for (Call& call : held) Answer(std::move(call));
    return static_cast<int>(held.size());
  }

  int calls() const {
    base::MutexLock lock(&mu_);
    return static_cast<int>(requests_.size());
  }
  std::vector<client::Request> requests() const {
    base::MutexLock lock(&mu_);
    return requests_;
  }

  void Do(client::Request request, base::Executor* executor, client::ResponseCallback done) override {
    base::MutexLock lock(&mu_);
    requests_.push_back(request);
    Call call{std::move(request), executor, std::move(done), responder_};
    if (hold_) {
      held_.push_back(std::move(call));
      return;
    }
    Answer(std::move(call));
  }

  std::unique_ptr<client::WatchHandle> Watch(client::Request, base::Executor* executor,
                                             absl::AnyInvocable<void(const client::Response&)>,
                                             absl::AnyInvocable<void(absl::string_view)>,
                                             absl::AnyInvocable<void(absl::Status)> done) override {
    executor->Post([done = std::move(done)]() mutable { done(absl::UnimplementedError("fake: no watch")); });
    return nullptr;
  }

 private:
  struct Call {
    client::Request request;
    base::Executor* executor;
    client::ResponseCallback done;
    Responder responder;
  };

  static void Answer(Call call) {
    call.executor->Post([call = std::move(call)]() mutable { call.done(call.responder(call.request)); });
  }

  mutable base::Mutex mu_;
  Responder responder_ ABSL_GUARDED_BY(mu_);
  bool hold_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Call> held_ ABSL_GUARDED_BY(mu_);
  std::vector<client::Request> requests_ ABSL_GUARDED_BY(mu_);
};

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_FAKE_HTTP_CLIENT_H_
