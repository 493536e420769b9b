#include "client/https_client.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "client/call.h"
#include "client/core.h"
#include "client/io_thread.h"
#include "client/request_check.h"
#include "client/ssl_context.h"
#include "client/target.h"
#include "tls/file_util.h"

namespace apiserve::client {
namespace {

using internal::Call;
using internal::CallPtr;
using internal::Core;
using internal::ValidateRequest;

class HttpsWatch : public WatchHandle {
 public:
  HttpsWatch(std::weak_ptr<IoThread> io, Core* core, CallPtr call)
      : io_(std::move(io)), core_(core), call_(std::move(call)) {}
  void Cancel() override {
    std::shared_ptr<IoThread> io = io_.lock();
    if (io == nullptr) return;
    // The task runs only while the I/O thread (and so the Core) is alive: Post refuses once Stop began.
    io->Post([core = core_, call = call_] { core->Finish(call.get(), absl::CancelledError("watch cancelled")); });
  }

 private:
  std::weak_ptr<IoThread> io_;
  Core* const core_;
  CallPtr call_;
};

class HttpsClient : public HttpClient {
 public:
  HttpsClient(std::unique_ptr<Core> core, std::shared_ptr<IoThread> io) : core_(std::move(core)), io_(std::move(io)) {}
  ~HttpsClient() override {
    io_->Stop([core = core_.get()] { core->Shutdown(); });
  }

  void Do(Request request, base::Executor* executor, ResponseCallback done) override {
    auto call = NewCall(std::move(request), executor);
    call->done = std::move(done);
    Submit(std::move(call));
  }

  std::unique_ptr<WatchHandle> Watch(Request request, base::Executor* executor,
                                     absl::AnyInvocable<void(const Response&)> on_headers,
                                     absl::AnyInvocable<void(absl::string_view)> on_data,
                                     absl::AnyInvocable<void(absl::Status)> done) override {
    auto call = NewCall(std::move(request), executor);
    call->watch = std::make_shared<Call::WatchSinks>();
    call->watch->on_headers = std::move(on_headers);
    call->watch->on_data = std::move(on_data);
    call->watch->done = std::move(done);
    auto handle = std::make_unique<HttpsWatch>(io_, core_.get(), call);
    Submit(std::move(call));
    return handle;
  }

 private:
  CallPtr NewCall(Request request, base::Executor* executor) {
    auto call = std::make_shared<Call>();
    call->description = absl::StrCat(request.method, " https://", core_->target().authority, request.path);
    call->request = std::move(request);
    call->executor = executor;
    call->core = core_.get();
    return call;
  }

  void Submit(CallPtr call) {
    if (absl::Status status = ValidateRequest(call->request); !status.ok()) {
      PostFailure(*call, status);
      return;
    }
    Core* core = core_.get();
    CallPtr copy = call;
    if (!io_->Post([core, call = std::move(copy)] { core->Start(call); })) {
      PostFailure(*call, absl::CancelledError("the client is shutting down"));
    }
  }

  static void PostFailure(Call& call, absl::Status status) {
    if (call.watch != nullptr) {
      call.executor->Post([sinks = call.watch, status = std::move(status)]() mutable {
        if (sinks->done) sinks->done(std::move(status));
      });
    } else {
      call.executor->Post(
          [done = std::move(call.done), status = std::move(status)]() mutable { done(std::move(status)); });
    }
  }

  std::unique_ptr<Core> core_;
  std::shared_ptr<IoThread> io_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<HttpClient>> NewHttpClient(const ClientConfig& config) {
  ASSIGN_OR_RETURN(internal::Target target, internal::ParseHost(config.host));
  if (config.default_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("default_timeout must be positive");
  }
  if (config.max_http1_connections < 1) return absl::InvalidArgumentError("max_http1_connections must be at least 1");
  ASSIGN_OR_RETURN(bssl::UniquePtr<SSL_CTX> ctx, internal::NewSslCtx(config));
  std::string token;
  if (config.bearer_token.empty() && !config.bearer_token_file.empty()) {
    ASSIGN_OR_RETURN(std::string content, tls::ReadFileToString(config.bearer_token_file));
    token = std::string(absl::StripAsciiWhitespace(content));
  }
  auto core = std::make_unique<Core>(config, std::move(target), std::move(ctx), std::move(token));
  auto io = std::make_shared<IoThread>();
  core->set_io(io.get());
  RETURN_IF_ERROR(io->Start());
  return std::unique_ptr<HttpClient>(new HttpsClient(std::move(core), std::move(io)));
}

}  // namespace apiserve::client
