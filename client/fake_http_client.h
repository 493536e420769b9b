#ifndef APISERVE_CLIENT_FAKE_HTTP_CLIENT_H_
#define APISERVE_CLIENT_FAKE_HTTP_CLIENT_H_

// client::FakeHttpClient: a client::HttpClient for unit tests (testonly). It records every call; a Do call is answered
// by the test's responder, or held until the test answers it (no responder, or Hold(true): a slow cluster); a Watch
// call becomes a FakeWatch the test drives. Every answer and watch callback is posted to the call's executor, as the
// real client does. Thread-safe.
//
//   auto client = std::make_shared<client::FakeHttpClient>(client::FakeHttpClient::JsonAnswer(201, "{}"));
//   auto manual = std::make_shared<client::FakeHttpClient>();  // manual->Answer(200, body) answers the oldest call

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/executor.h"
#include "base/mutex.h"
#include "client/http_client.h"

namespace apiserve::client {

// FakeWatch is one Watch call of a FakeHttpClient; the test drives it.
class FakeWatch {
 public:
  Request request;
  // Headers, Data and End post the watch's callbacks to its executor (End at most once; nothing after End or
  // Cancel).
  void Headers(int status);
  void Data(std::string data);
  void End(absl::Status status);
  // cancelled: the caller cancelled the watch through its WatchHandle (which ends it with Cancelled).
  bool cancelled() const;
  bool ended() const;

 private:
  friend class FakeHttpClient;
  void CancelFromHandle();

  base::Executor* executor_ = nullptr;
  mutable base::Mutex mu_;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  std::shared_ptr<absl::AnyInvocable<void(const Response&)>> on_headers_;
  std::shared_ptr<absl::AnyInvocable<void(absl::string_view)>> on_data_;
  std::shared_ptr<absl::AnyInvocable<void(absl::Status)>> done_;
};

class FakeHttpClient : public HttpClient {
 public:
  // Responder answers a Do call; it runs on the call's executor.
  using Responder = std::function<absl::StatusOr<Response>(const Request&)>;

  // A client without a responder: every Do call is held until Answer.
  FakeHttpClient() = default;
  explicit FakeHttpClient(Responder responder) : responder_(std::move(responder)) {}

  // JsonAnswer returns a responder answering `status` with `body` (content-type application/json).
  static Responder JsonAnswer(int status, std::string body);

  // SetResponder answers the Do calls made from now on with `responder`.
  void SetResponder(Responder responder);
  // With Hold(true), Do calls are held until Release() or Answer().
  void Hold(bool hold);
  // Release answers every held call that has a responder (the one in force when it was made), each posted to its
  // executor, and returns how many there were. Calls held for want of a responder stay held.
  int Release();
  // Answer answers the oldest held call with `response` (false if none is held).
  bool Answer(absl::StatusOr<Response> response);
  bool Answer(int status, std::string body) { return Answer(Response{status, {}, std::move(body)}); }

  // calls counts every Do call so far; requests lists them, oldest first.
  int calls() const;
  std::vector<Request> requests() const;
  // held counts the Do calls waiting for an answer; NextHeldPath is the oldest one's path ("" if none).
  size_t held() const;
  std::string NextHeldPath() const;
  // Watches lists every Watch call so far, oldest first.
  std::vector<std::shared_ptr<FakeWatch>> Watches() const;

  void Do(Request request, base::Executor* executor, ResponseCallback done) override;
  std::unique_ptr<WatchHandle> Watch(Request request, base::Executor* executor,
                                     absl::AnyInvocable<void(const Response&)> on_headers,
                                     absl::AnyInvocable<void(absl::string_view)> on_data,
                                     absl::AnyInvocable<void(absl::Status)> done) override;

 private:
  struct Call {
    Request request;
    base::Executor* executor;
    ResponseCallback done;
    Responder responder;  // null: answered by Answer()
  };
  // Respond posts `call`'s responder's answer to its executor.
  static void Respond(Call call);

  mutable base::Mutex mu_;
  Responder responder_ ABSL_GUARDED_BY(mu_);
  bool hold_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<Call> held_ ABSL_GUARDED_BY(mu_);
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<FakeWatch>> watches_ ABSL_GUARDED_BY(mu_);
};

}  // namespace apiserve::client

#endif  // APISERVE_CLIENT_FAKE_HTTP_CLIENT_H_
