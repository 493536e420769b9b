// Connection's HTTP/1.1 half: one request at a time, responses parsed by llhttp, kept alive for the next.

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "client/connection.h"
#include "client/core.h"
#include "client/request_check.h"
#include "tls/ssl_error.h"

namespace apiserve::client::internal {

const llhttp_settings_t* Connection::Http1Settings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_header_field = &Connection::OnH1HeaderField;
    s.on_header_value = &Connection::OnH1HeaderValue;
    s.on_header_value_complete = &Connection::OnH1HeaderValueComplete;
    s.on_headers_complete = &Connection::OnH1HeadersComplete;
    s.on_body = &Connection::OnH1Body;
    s.on_message_complete = &Connection::OnH1MessageComplete;
    return s;
  }();
  return &settings;
}

absl::Status Connection::SubmitHttp1(const CallPtr& call) {
  const Request& request = call->request;
  std::string out =
      absl::StrCat(request.method, " ", request.path, " HTTP/1.1\r\nHost: ", core_->target().authority, "\r\n");
  if (!HasHeader(request, "user-agent")) absl::StrAppend(&out, "User-Agent: ", core_->user_agent(), "\r\n");
  if (!HasHeader(request, "authorization")) {
    if (const std::string token = core_->Token(); !token.empty()) {
      absl::StrAppend(&out, "Authorization: Bearer ", token, "\r\n");
    }
  }
  if (MethodHasBody(request)) absl::StrAppend(&out, "Content-Length: ", request.body.size(), "\r\n");
  for (const auto& [name, value] : request.headers) absl::StrAppend(&out, name, ": ", value, "\r\n");
  absl::StrAppend(&out, "\r\n", request.body);
  h1_call_ = call;
  h1_message_done_ = false;
  h1_field_.clear();
  h1_value_.clear();
  if (SSL_write(ssl_.get(), out.data(), static_cast<int>(out.size())) != static_cast<int>(out.size())) {
    return tls::SslError("SSL_write", absl::StatusCode::kUnavailable);
  }
  return absl::OkStatus();
}

absl::Status Connection::ExecuteHttp1(const char* data, size_t len) {
  if (h1_call_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("unsolicited response from ", core_->target().address));
  }
  h1_call_->any_response = true;
  const llhttp_errno_t rc = llhttp_execute(&parser_, data, len);
  if (state_ == State::kClosed) return absl::OkStatus();  // a callback failed the call and closed (body limit)
  if (rc != HPE_OK && rc != HPE_PAUSED) {
    return absl::UnavailableError(absl::StrCat("malformed HTTP/1.1 response from ", core_->target().address, ": ",
                                               llhttp_errno_name(rc), " ", llhttp_get_error_reason(&parser_)));
  }
  if (rc == HPE_PAUSED) {
    // Paused at the end of a message (OnH1MessageComplete): anything after it is unsolicited.
    const char* pos = llhttp_get_error_pos(&parser_);
    llhttp_resume(&parser_);
    if (pos != nullptr && pos < data + len) {
      return absl::UnavailableError(absl::StrCat("unsolicited data after a response from ", core_->target().address));
    }
  }
  if (h1_message_done_) RETURN_IF_ERROR(AfterHttp1Message());
  return absl::OkStatus();
}

absl::Status Connection::AfterHttp1Message() {
  CallPtr call = std::move(h1_call_);
  h1_call_ = nullptr;
  h1_message_done_ = false;
  ++served_;
  if (call != nullptr) {
    call->connection = nullptr;
    core_->Finish(call.get(), std::move(call->response));
  }
  if (!h1_keep_alive_ || peer_closed_) {
    Close(absl::OkStatus());
    return absl::OkStatus();
  }
  core_->Dispatch();
  BecameIdleMaybe();
  return absl::OkStatus();
}

int Connection::OnH1HeaderField(llhttp_t* parser, const char* at, size_t length) {
  static_cast<Connection*>(parser->data)->h1_field_.append(at, length);
  return 0;
}

int Connection::OnH1HeaderValue(llhttp_t* parser, const char* at, size_t length) {
  static_cast<Connection*>(parser->data)->h1_value_.append(at, length);
  return 0;
}

int Connection::OnH1HeaderValueComplete(llhttp_t* parser) {
  auto* self = static_cast<Connection*>(parser->data);
  if (self->h1_call_ != nullptr) {
    self->h1_call_->response.headers.emplace_back(absl::AsciiStrToLower(self->h1_field_),
                                                  std::string(absl::StripAsciiWhitespace(self->h1_value_)));
  }
  self->h1_field_.clear();
  self->h1_value_.clear();
  return 0;
}

int Connection::OnH1HeadersComplete(llhttp_t* parser) {
  auto* self = static_cast<Connection*>(parser->data);
  Call* call = self->h1_call_.get();
  if (call == nullptr) return -1;
  call->response.status = parser->status_code;
  if (parser->status_code >= 200) {
    call->head_seen = true;
    if (call->watch != nullptr) self->core_->Finish(call, call->response);
  }
  return call->request.method == "HEAD" ? 1 : 0;  // 1: no body follows
}

int Connection::OnH1Body(llhttp_t* parser, const char* at, size_t length) {
  auto* self = static_cast<Connection*>(parser->data);
  Call* call = self->h1_call_.get();
  if (call == nullptr) return 0;
  if (absl::Status status = self->core_->CheckBodyLimit(*call, length); !status.ok()) {
    // Finish detaches the call, which closes the connection (HTTP/1.1 cannot skip the rest); stop parsing.
    self->core_->Finish(call, std::move(status));
    return -1;
  }
  self->core_->AppendBody(call, absl::string_view(at, length));
  return 0;
}

int Connection::OnH1MessageComplete(llhttp_t* parser) {
  auto* self = static_cast<Connection*>(parser->data);
  Call* call = self->h1_call_.get();
  if (call == nullptr) return HPE_PAUSED;
  if (parser->status_code < 200) {
    // 1xx: the final response follows.
    call->response.headers.clear();
    return 0;
  }
  self->h1_keep_alive_ = llhttp_should_keep_alive(parser) != 0;
  self->h1_message_done_ = true;
  return HPE_PAUSED;
}

}  // namespace apiserve::client::internal
