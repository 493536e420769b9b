#include "http/kube_status.h"

#include "absl/strings/str_cat.h"
#include "http/json_writer.h"

namespace apiserve::http {

std::string EncodeKubeStatus(const KubeStatus& status) {
  JsonWriter json;
  json.BeginObject();
  if (status.with_type_meta) {
    json.Key("kind");
    json.String("Status");
    json.Key("apiVersion");
    json.String("v1");
  }
  json.Key("metadata");
  json.Raw("{}");
  json.Key("status");
  json.String("Failure");
  if (!status.message.empty()) {
    json.Key("message");
    json.String(status.message);
  }
  if (!status.reason.empty()) {
    json.Key("reason");
    json.String(status.reason);
  }
  if (status.details_retry_after_seconds.has_value()) {
    json.Key("details");
    if (*status.details_retry_after_seconds > 0) {
      json.BeginObject();
      json.Key("retryAfterSeconds");
      json.Int(*status.details_retry_after_seconds);
      json.EndObject();
    } else {
      json.Raw("{}");
    }
  }
  json.Key("code");
  json.Int(status.code);
  json.EndObject();
  std::string body = json.Take();
  body.push_back('\n');
  return body;
}

Response UnauthorizedResponse() {
  return JsonResponse(401, EncodeKubeStatus({"Unauthorized", "Unauthorized", 401, true, std::nullopt}));
}

Response ForbiddenResponse(absl::string_view user, absl::string_view verb, absl::string_view path) {
  std::string message = "forbidden: User ";
  AppendJsonString(&message, user);  // Go's %q for plain strings matches JSON quoting for printable ASCII.
  absl::StrAppend(&message, " cannot ", verb, " path ");
  AppendJsonString(&message, path);
  return JsonResponse(403, EncodeKubeStatus({message, "Forbidden", 403, true, 0}));
}

Response NotFoundStatusResponse() {
  return JsonResponse(404,
                      EncodeKubeStatus({"the server could not find the requested resource", "NotFound", 404, true, 0}));
}

Response NotFoundTextResponse() { return TextResponse(404, "404 page not found\n"); }

Response MuxIncompleteResponse() {
  Response response = JsonResponse(
      503, EncodeKubeStatus({"the request has been made before all known HTTP paths have been installed, please try "
                             "again",
                             "ServiceUnavailable", 503, true, 5}));
  response.headers.Add("Retry-After", "5");
  return response;
}

Response ShuttingDownResponse() {
  Response response;
  response.status = 503;
  response.headers.Add("Retry-After", "1");
  response.headers.Add("Content-Type", "application/json");
  response.headers.Add("X-Content-Type-Options", "nosniff");
  response.body = EncodeKubeStatus({"apiserver is shutting down", "ServiceUnavailable", 503, true, std::nullopt});
  return response;
}

Response TimeoutResponse() {
  // The corrections: a bare Status (no kind/apiVersion), details {}, and a sniffed text/plain content type.
  Response response;
  response.status = 504;
  response.headers.Add("Content-Type", "text/plain; charset=utf-8");
  response.body =
      EncodeKubeStatus({"Timeout: request did not complete within the allotted timeout", "Timeout", 504, false, 0});
  return response;
}

Response RetryAfterShutdownResponse() {
  Response response = TextResponse(429, "The apiserver is shutting down, please try again later.\n");
  response.headers.Add("Retry-After", "5");
  response.headers.Add("Connection", "close");
  return response;
}

Response TooManyRequestsResponse() {
  Response response = TextResponse(429, "Too many requests, please try again later.\n");
  response.headers.Add("Retry-After", "1");
  return response;
}

Response RequestEntityTooLargeResponse(uint64_t limit) {
  return JsonResponse(413, EncodeKubeStatus({absl::StrCat("Request entity too large: limit is ", limit),
                                             "RequestEntityTooLarge", 413, true, std::nullopt}));
}

Response PanicResponse() {
  return TextResponse(500, "This request caused apiserver to panic. Look in the logs for details.\n");
}

}  // namespace apiserve::http
