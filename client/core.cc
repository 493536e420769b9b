#include "client/core.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "tls/file_util.h"

namespace apiserve::client::internal {

void Core::Start(const CallPtr& call) {
  if (shut_down_) {
    call->finished = false;
    live_[call.get()] = call;
    Finish(call.get(), absl::CancelledError("the client is shutting down"));
    return;
  }
  live_[call.get()] = call;
  auto* timer = new uv_timer_t;
  if (const int rc = uv_timer_init(loop(), timer); rc != 0) {
    delete timer;
    Finish(call.get(), absl::InternalError(absl::StrCat("uv_timer_init: ", uv_strerror(rc))));
    return;
  }
  timer->data = call.get();
  call->timer = timer;
  const absl::Duration timeout =
      call->request.timeout > absl::ZeroDuration() ? call->request.timeout : config_.default_timeout;
  const uint64_t ms = static_cast<uint64_t>(std::max<int64_t>(1, absl::ToInt64Milliseconds(timeout)));
  if (const int rc = uv_timer_start(timer, &Core::OnTimeout, ms, 0); rc != 0) {
    Finish(call.get(), absl::InternalError(absl::StrCat("uv_timer_start: ", uv_strerror(rc))));
    return;
  }
  call->queued = true;
  pending_.push_back(call);
  Dispatch();
}

void Core::OnTimeout(uv_timer_t* timer) {
  auto* call = static_cast<Call*>(timer->data);
  Core* core = call->core;
  const absl::Duration timeout =
      call->request.timeout > absl::ZeroDuration() ? call->request.timeout : core->config_.default_timeout;
  core->Finish(call, absl::DeadlineExceededError(absl::StrCat(call->description, ": timed out after ",
                                                              absl::FormatDuration(timeout),
                                                              call->head_seen ? "" : " waiting for the response")));
}

void Core::StopTimer(Call* call) {
  if (call->timer == nullptr) return;
  uv_timer_stop(call->timer);
  uv_close(reinterpret_cast<uv_handle_t*>(call->timer),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
  call->timer = nullptr;
}

void Core::Finish(Call* call, absl::StatusOr<Response> result) {
  if (call->finished) return;
  // A watch's head: deliver the headers, stop the timer (it bounds only the head), keep the call open.
  const bool watch_head = call->watch != nullptr && result.ok() && !call->watch_head_delivered;
  if (watch_head) {
    call->watch_head_delivered = true;
    StopTimer(call);
    call->executor->Post([sinks = call->watch, response = *std::move(result)] {
      if (sinks->on_headers) sinks->on_headers(response);
    });
    return;
  }
  call->finished = true;
  StopTimer(call);
  if (call->queued) {
    call->queued = false;
    pending_.erase(
        std::remove_if(pending_.begin(), pending_.end(), [call](const CallPtr& c) { return c.get() == call; }),
        pending_.end());
  }
  CallPtr keep;
  if (auto it = live_.find(call); it != live_.end()) {
    keep = std::move(it->second);
    live_.erase(it);
  }
  if (call->connection != nullptr) call->connection->Detach(call);
  if (call->watch != nullptr) {
    absl::Status status = result.ok() ? absl::OkStatus() : result.status();
    call->executor->Post([sinks = call->watch, status = std::move(status)]() mutable {
      if (sinks->done) sinks->done(std::move(status));
      // Release the caller's callbacks (and what they capture) on their executor.
      sinks->on_headers = nullptr;
      sinks->on_data = nullptr;
      sinks->done = nullptr;
    });
  } else {
    call->executor->Post(
        [done = std::move(call->done), result = std::move(result)]() mutable { done(std::move(result)); });
  }
}

absl::Status Core::CheckBodyLimit(const Call& call, size_t length) const {
  const size_t limit = config_.max_response_body_bytes;
  if (limit == 0) return absl::OkStatus();
  const size_t held =
      call.watch != nullptr ? call.watch->undelivered.load(std::memory_order_relaxed) : call.response.body.size();
  if (held <= limit && length <= limit - held) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat(call.description, call.watch != nullptr ? ": watch data not yet delivered" : ": response body",
                   " exceeds max_response_body_bytes (", limit, " bytes)"));
}

void Core::AppendBody(Call* call, absl::string_view chunk) {
  if (call->watch == nullptr) {
    call->response.body.append(chunk.data(), chunk.size());
    return;
  }
  call->watch->undelivered.fetch_add(chunk.size(), std::memory_order_relaxed);
  call->executor->Post([sinks = call->watch, chunk = std::string(chunk)] {
    sinks->undelivered.fetch_sub(chunk.size(), std::memory_order_relaxed);
    if (sinks->on_data) sinks->on_data(chunk);
  });
}

void Core::Retry(const CallPtr& call) {
  if (call->finished) return;
  call->retried = true;
  call->connection = nullptr;
  call->stream_id = -1;
  call->body_offset = 0;
  call->any_response = false;
  call->response = Response();
  call->queued = true;
  pending_.push_front(call);
}

void Core::Dispatch() {
  if (shut_down_) return;
  while (!pending_.empty()) {
    Connection* target = nullptr;
    for (const auto& connection : connections_) {
      if (connection->protocol() == Connection::Protocol::kHttp2 && connection->Usable()) {
        target = connection.get();
        break;
      }
      if (connection->protocol() == Connection::Protocol::kHttp1 && connection->Idle()) target = connection.get();
    }
    if (target == nullptr) break;
    CallPtr call = std::move(pending_.front());
    pending_.pop_front();
    call->queued = false;
    target->Submit(call);
  }
  if (pending_.empty()) return;
  size_t connecting = 0;
  size_t open = 0;
  for (const auto& connection : connections_) {
    const Connection::State state = connection->state();
    if (state == Connection::State::kClosed) continue;
    ++open;
    if (state != Connection::State::kReady) ++connecting;
  }
  if (last_protocol_ != Connection::Protocol::kHttp1) {
    // Unknown or HTTP/2: one connection carries everything.
    if (connecting > 0) return;
    for (const auto& connection : connections_) {
      if (connection->protocol() == Connection::Protocol::kHttp2 && connection->Usable()) return;
    }
    connecting = 0;
    open = 0;
  }
  const size_t max_open = static_cast<size_t>(std::max(1, config_.max_http1_connections));
  while (connecting < pending_.size() && open < max_open) {
    connections_.push_back(std::make_unique<Connection>(this, next_connection_id_++));
    ++connecting;
    ++open;
    connections_.back()->Open();
    if (last_protocol_ != Connection::Protocol::kHttp1) break;
  }
}

void Core::ConnectionFailed(const absl::Status& status) {
  std::deque<CallPtr> pending;
  pending.swap(pending_);
  for (const CallPtr& call : pending) {
    call->queued = false;
    Finish(call.get(), status);
  }
}

void Core::ReapConnections() {
  connections_.remove_if([](const std::unique_ptr<Connection>& connection) { return connection->Deletable(); });
}

void Core::Shutdown() {
  shut_down_ = true;
  const absl::Status cancelled = absl::CancelledError("the client was destroyed");
  std::vector<CallPtr> calls;
  for (auto& [call, ptr] : live_) calls.push_back(ptr);
  for (const CallPtr& call : calls) Finish(call.get(), cancelled);
  for (const auto& connection : connections_) connection->Close(absl::OkStatus());
}

std::string Core::Token() {
  if (!config_.bearer_token.empty()) return config_.bearer_token;
  if (config_.bearer_token_file.empty()) return "";
  const absl::Time now = absl::Now();
  if (now - file_token_read_ >= config_.token_file_refresh) {
    // client-go's cachingTokenSource: a failed re-read keeps the token we have.
    absl::StatusOr<std::string> token = tls::ReadFileToString(config_.bearer_token_file);
    if (token.ok()) {
      file_token_ = std::string(absl::StripAsciiWhitespace(*token));
      file_token_read_ = now;
    }
  }
  return file_token_;
}

}  // namespace apiserve::client::internal
