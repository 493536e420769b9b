#include "auth/webhook.h"

#include "absl/strings/str_cat.h"

namespace apiserve::auth {

client::Request ReviewRequest(absl::string_view path, std::string body, absl::Duration timeout) {
  client::Request request;
  request.method = "POST";
  request.path = std::string(path);
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json, */*"}};
  request.body = std::move(body);
  request.timeout = timeout;
  return request;
}

absl::StatusOr<http::JsonValue> DecodeReviewResponse(const absl::StatusOr<client::Response>& response,
                                                     absl::string_view resource) {
  if (!response.ok()) return response.status();
  absl::StatusOr<http::JsonValue> doc = http::ParseJson(response->body);
  if (response->status != 200 && response->status != 201) {
    if (doc.ok() && StringField(&*doc, "kind") == "Status") {
      const std::string message = StringField(&*doc, "message");
      if (!message.empty()) return absl::UnavailableError(message);
    }
    return absl::UnavailableError(absl::StrCat("an error on the server (\"", response->body,
                                               "\") has prevented the request from succeeding (post ", resource, ")"));
  }
  if (!doc.ok())
    return absl::InternalError(absl::StrCat("decoding the ", resource, " answer: ", doc.status().message()));
  if (!doc->is_object()) return absl::InternalError(absl::StrCat("decoding the ", resource, " answer: not an object"));
  return doc;
}

std::string StringField(const http::JsonValue* object, absl::string_view key) {
  if (object == nullptr) return "";
  const http::JsonValue* value = object->Find(key);
  return value != nullptr && value->is_string() ? value->string_value() : "";
}

bool BoolField(const http::JsonValue* object, absl::string_view key) {
  if (object == nullptr) return false;
  const http::JsonValue* value = object->Find(key);
  return value != nullptr && value->is_bool() && value->bool_value();
}

}  // namespace apiserve::auth
