#ifndef APISERVE_AUTHCONFIG_FAKE_HTTP_CLIENT_H_
#define APISERVE_AUTHCONFIG_FAKE_HTTP_CLIENT_H_

// FakeHttpClient: a client::HttpClient for unit tests. Calls are recorded; the test answers them, and every answer
// is posted to the call's executor, as the real client does. Thread-safe.

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "client/http_client.h"

namespace apiserve::authconfig::testing {

// FakeWatch is one Watch call; the test drives it.
class FakeWatch {
 public:
  client::Request request;
  // Headers, Data and End post the callbacks (End at most once; nothing after Cancel).
  void Headers(int status);
  void Data(std::string data);
  void End(absl::Status status);
  bool cancelled() const;
  bool ended() const;

 private:
  friend class FakeHttpClient;
  base::Executor* executor_ = nullptr;
  mutable base::Mutex mu_;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  std::shared_ptr<absl::AnyInvocable<void(const client::Response&)>> on_headers_;
  std::shared_ptr<absl::AnyInvocable<void(absl::string_view)>> on_data_;
  std::shared_ptr<absl::AnyInvocable<void(absl::Status)>> done_;
  void CancelFromHandle();
};

class FakeHttpClient : public client::HttpClient {
 public:
  void Do(client::Request request, base::Executor* executor, client::ResponseCallback done) override;
  std::unique_ptr<client::WatchHandle> Watch(client::Request request, base::Executor* executor,
                                             absl::AnyInvocable<void(const client::Response&)> on_headers,
                                             absl::AnyInvocable<void(absl::string_view)> on_data,
                                             absl::AnyInvocable<void(absl::Status)> done) override;

  // PendingDo is how many Do calls wait for an answer; NextDoPath the oldest one's path ("" if none).
  size_t PendingDo() const;
  std::string NextDoPath() const;
  // Answer answers the oldest pending Do (false if none).
  bool Answer(absl::StatusOr<client::Response> response);
  bool Answer(int status, std::string body) { return Answer(client::Response{status, {}, std::move(body)}); }
  // Watches lists every Watch call so far, oldest first.
  std::vector<std::shared_ptr<FakeWatch>> Watches() const;
  int DoCount() const;

 private:
  struct PendingCall {
    client::Request request;
    base::Executor* executor;
    client::ResponseCallback done;
  };
  mutable base::Mutex mu_;
  std::deque<PendingCall> pending_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<FakeWatch>> watches_ ABSL_GUARDED_BY(mu_);
  int do_count_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace apiserve::authconfig::testing

#endif  // APISERVE_AUTHCONFIG_FAKE_HTTP_CLIENT_H_
