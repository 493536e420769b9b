#include "chain/filters/shutdown_filters.h"

#include "absl/strings/match.h"
#include "chain/request_info.h"
#include "http/kube_status.h"

namespace apiserve::chain {
namespace {

const http::ResponsePtr& RetryAfterResponse() {
  static const http::ResponsePtr* const response =
      new http::ResponsePtr(http::Shared(http::RetryAfterShutdownResponse()));
  return *response;
}

const http::ResponsePtr& ShuttingDown() {
  static const http::ResponsePtr* const response = new http::ResponsePtr(http::Shared(http::ShuttingDownResponse()));
  return *response;
}

}  // namespace

bool IsExemptFromShutdownRejection(const http::Request& request) {
  for (absl::string_view prefix : {"/readyz", "/livez", "/healthz", "/metrics"}) {
    if (absl::StartsWith(request.path, prefix)) return true;
  }
  const auto agent = request.headers.Get("User-Agent");
  return agent.has_value() && absl::StartsWith(*agent, "kube-apiserver/");
}

http::HandlerPtr WithRetryAfter(http::HandlerPtr next, const lifecycle::Signal* not_accepting) {
  return http::HandlerFunc(
      [next = std::move(next), not_accepting](http::RequestPtr&& request, http::ResponseWriter&& writer) {
        if (not_accepting != nullptr && not_accepting->HasFired() && !IsExemptFromShutdownRejection(*request)) {
          writer.Send(RetryAfterResponse()).IgnoreError();
          return;
        }
        next->Serve(std::move(request), std::move(writer));
      });
}

http::HandlerPtr WithWaitGroup(http::HandlerPtr next, SafeWaitGroup* wait_group) {
  return http::HandlerFunc(
      [next = std::move(next), wait_group](http::RequestPtr&& request, http::ResponseWriter&& writer) {
        const RequestInfo* info = request->Context<RequestInfo>();
        if (info != nullptr && info->long_running) {
          next->Serve(std::move(request), std::move(writer));
          return;
        }
        if (!wait_group->Add().ok()) {
          if (IsExemptFromShutdownRejection(*request)) {
            next->Serve(std::move(request), std::move(writer));  // served, untracked
          } else {
            writer.Send(ShuttingDown()).IgnoreError();
          }
          return;
        }
        writer.OnComplete([wait_group](const http::Completion&) { wait_group->Done(); });
        next->Serve(std::move(request), std::move(writer));
      });
}

http::HandlerPtr WithWatchTerminationDuringShutdown(http::HandlerPtr next, WatchTracker* watches) {
  return http::HandlerFunc(
      [next = std::move(next), watches](http::RequestPtr&& request, http::ResponseWriter&& writer) {
        const RequestInfo* info = request->Context<RequestInfo>();
        if (info == nullptr || info->verb != "watch") {
          next->Serve(std::move(request), std::move(writer));
          return;
        }
        std::shared_ptr<lifecycle::Signal> shutting_down = watches->Add();
        if (!shutting_down) {
          writer.Send(ShuttingDown()).IgnoreError();
          return;
        }
        request->shutting_down = shutting_down.get();
        request->SetContext(std::move(shutting_down));  // owned by the request for as long as the handler keeps it
        writer.OnComplete([watches](const http::Completion&) { watches->Done(); });
        next->Serve(std::move(request), std::move(writer));
      });
}

}  // namespace apiserve::chain
