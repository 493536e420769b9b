#include "authconfig/fake_http_client.h"

#include <utility>

namespace apiserve::authconfig::testing {
namespace {

class Handle : public client::WatchHandle {
 public:
  explicit Handle(std::weak_ptr<FakeWatch> watch, absl::AnyInvocable<void(FakeWatch*)> cancel)
      : watch_(std::move(watch)), cancel_(std::move(cancel)) {}
  void Cancel() override {
    if (std::shared_ptr<FakeWatch> w = watch_.lock(); w != nullptr) cancel_(w.get());
  }

 private:
  std::weak_ptr<FakeWatch> watch_;
  absl::AnyInvocable<void(FakeWatch*)> cancel_;
};

}  // namespace

void FakeWatch::Headers(int status) {
  {
    base::MutexLock lock(&mu_);
    if (ended_) return;
  }
  executor_->Post([cb = on_headers_, status] { (*cb)(client::Response{status, {}, ""}); });
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

void FakeHttpClient::Do(client::Request request, base::Executor* executor, client::ResponseCallback done) {
  base::MutexLock lock(&mu_);
  ++do_count_;
  pending_.push_back({std::move(request), executor, std::move(done)});
}

std::unique_ptr<client::WatchHandle> FakeHttpClient::Watch(
    client::Request request, base::Executor* executor, absl::AnyInvocable<void(const client::Response&)> on_headers,
    absl::AnyInvocable<void(absl::string_view)> on_data, absl::AnyInvocable<void(absl::Status)> done) {
  auto watch = std::make_shared<FakeWatch>();
  watch->request = std::move(request);
  watch->executor_ = executor;
  watch->on_headers_ = std::make_shared<absl::AnyInvocable<void(const client::Response&)>>(std::move(on_headers));
  watch->on_data_ = std::make_shared<absl::AnyInvocable<void(absl::string_view)>>(std::move(on_data));
  watch->done_ = std::make_shared<absl::AnyInvocable<void(absl::Status)>>(std::move(done));
  {
    base::MutexLock lock(&mu_);
    watches_.push_back(watch);
  }
  return std::make_unique<Handle>(watch, [](FakeWatch* w) { w->CancelFromHandle(); });
}

size_t FakeHttpClient::PendingDo() const {
  base::MutexLock lock(&mu_);
  return pending_.size();
}

std::string FakeHttpClient::NextDoPath() const {
  base::MutexLock lock(&mu_);
  return pending_.empty() ? "" : pending_.front().request.path;
}

bool FakeHttpClient::Answer(absl::StatusOr<client::Response> response) {
  PendingCall call;
  {
    base::MutexLock lock(&mu_);
    if (pending_.empty()) return false;
    call = std::move(pending_.front());
    pending_.pop_front();
  }
  call.executor->Post([done = std::move(call.done), response = std::move(response)]() mutable {
    done(std::move(response));
  });
  return true;
}

std::vector<std::shared_ptr<FakeWatch>> FakeHttpClient::Watches() const {
  base::MutexLock lock(&mu_);
  return watches_;
}

int FakeHttpClient::DoCount() const {
  base::MutexLock lock(&mu_);
  return do_count_;
}

}  // namespace apiserve::authconfig::testing
