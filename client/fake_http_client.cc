#include "client/fake_http_client.h"

#include <utility>

namespace apiserve::client {
namespace {

class FakeWatchHandle : public WatchHandle {
 public:
  explicit FakeWatchHandle(std::weak_ptr<FakeWatch> watch, absl::AnyInvocable<void(FakeWatch*)> cancel)
      : watch_(std::move(watch)), cancel_(std::move(cancel)) {}
  void Cancel() override {
    if (std::shared_ptr<FakeWatch> w = watch_.lock(); w != nullptr) cancel_(w.get());
  }

 private:
  std::weak_ptr<FakeWatch> watch_;
  absl::AnyInvocable<void(FakeWatch*)> cancel_;
};

// Post answers `done` with `response` on `executor`.
void Post(base::Executor* executor, ResponseCallback done, absl::StatusOr<Response> response) {
  executor->Post([done = std::move(done), response = std::move(response)]() mutable { done(std::move(response)); });
}

}  // namespace

void FakeWatch::Headers(int status) {
  {
    base::MutexLock lock(&mu_);
    if (ended_) return;
  }
  executor_->Post([cb = on_headers_, status] { (*cb)(Response{status, {}, ""}); });
}

void FakeWatch::Data(std::string data) {
  {
    base::MutexLock lock(&mu_);
    if (ended_) return;
  }
  executor_->Post([cb = on_data_, data = std::move(data)] { (*cb)(data); });
}

void FakeWatch::End(absl::Status status) {
  {
    base::MutexLock lock(&mu_);
    if (ended_) return;
    ended_ = true;
  }
  executor_->Post([cb = done_, status = std::move(status)] { (*cb)(status); });
}

void FakeWatch::CancelFromHandle() {
  {
    base::MutexLock lock(&mu_);
    cancelled_ = true;
  }
  End(absl::CancelledError("watch cancelled"));
}

bool FakeWatch::cancelled() const {
  base::MutexLock lock(&mu_);
  return cancelled_;
}

bool FakeWatch::ended() const {
  base::MutexLock lock(&mu_);
  return ended_;
}

FakeHttpClient::Responder FakeHttpClient::JsonAnswer(int status, std::string body) {
  return [status, body = std::move(body)](const Request&) -> absl::StatusOr<Response> {
    Response response;
    response.status = status;
    response.headers = {{"content-type", "application/json"}};
    response.body = body;
    return response;
  };
}

void FakeHttpClient::SetResponder(Responder responder) {
  base::MutexLock lock(&mu_);
  responder_ = std::move(responder);
}

void FakeHttpClient::Hold(bool hold) {
  base::MutexLock lock(&mu_);
  hold_ = hold;
}

int FakeHttpClient::Release() {
  std::deque<Call> answerable;
  {
    base::MutexLock lock(&mu_);
    std::deque<Call> unanswerable;
    for (Call& call : held_) {
      if (call.responder) {
        answerable.push_back(std::move(call));
      } else {
        unanswerable.push_back(std::move(call));
      }
    }
    held_.swap(unanswerable);
  }
  const int released = static_cast<int>(answerable.size());
  for (Call& call : answerable) Respond(std::move(call));
  return released;
}

void FakeHttpClient::Respond(Call call) {
  base::Executor* executor = call.executor;
  executor->Post([call = std::move(call)]() mutable { call.done(call.responder(call.request)); });
}

bool FakeHttpClient::Answer(absl::StatusOr<Response> response) {
  Call call;
  {
    base::MutexLock lock(&mu_);
    if (held_.empty()) return false;
    call = std::move(held_.front());
    held_.pop_front();
  }
  Post(call.executor, std::move(call.done), std::move(response));
  return true;
}

int FakeHttpClient::calls() const {
  base::MutexLock lock(&mu_);
  return static_cast<int>(requests_.size());
}

std::vector<Request> FakeHttpClient::requests() const {
  base::MutexLock lock(&mu_);
  return requests_;
}

size_t FakeHttpClient::held() const {
  base::MutexLock lock(&mu_);
  return held_.size();
}

std::string FakeHttpClient::NextHeldPath() const {
  base::MutexLock lock(&mu_);
  return held_.empty() ? "" : held_.front().request.path;
}

std::vector<std::shared_ptr<FakeWatch>> FakeHttpClient::Watches() const {
  base::MutexLock lock(&mu_);
  return watches_;
}

void FakeHttpClient::Do(Request request, base::Executor* executor, ResponseCallback done) {
  base::MutexLock lock(&mu_);
  requests_.push_back(request);
  Call call{std::move(request), executor, std::move(done), responder_};
  if (hold_ || !call.responder) {
    held_.push_back(std::move(call));
    return;
  }
  Respond(std::move(call));
}

std::unique_ptr<WatchHandle> FakeHttpClient::Watch(Request request, base::Executor* executor,
                                                   absl::AnyInvocable<void(const Response&)> on_headers,
                                                   absl::AnyInvocable<void(absl::string_view)> on_data,
                                                   absl::AnyInvocable<void(absl::Status)> done) {
  auto watch = std::make_shared<FakeWatch>();
  watch->request = std::move(request);
  watch->executor_ = executor;
  watch->on_headers_ = std::make_shared<absl::AnyInvocable<void(const Response&)>>(std::move(on_headers));
  watch->on_data_ = std::make_shared<absl::AnyInvocable<void(absl::string_view)>>(std::move(on_data));
  watch->done_ = std::make_shared<absl::AnyInvocable<void(absl::Status)>>(std::move(done));
  {
    base::MutexLock lock(&mu_);
    watches_.push_back(watch);
  }
  return std::make_unique<FakeWatchHandle>(watch, [](FakeWatch* w) { w->CancelFromHandle(); });
}

}  // namespace apiserve::client
