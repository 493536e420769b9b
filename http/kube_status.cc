#include "http/kube_status.h"

#include "absl/strings/str_cat.h"
#include "http/json_writer.h"

namespace apiserve::http {

std::string EncodeKubeStatus(const KubeStatus& status, const StatusDetails* details) {
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
  if (details != nullptr) {
    json.Key("details");
    json.BeginObject();
    for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"name", &details->name},
                                     {"group", &details->group},
                                     {"kind", &details->kind}}) {
      if (value->empty()) continue;
      json.Key(key);
      json.String(*value);
    }
    if (status.details_retry_after_seconds.value_or(0) > 0) {
      json.Key("retryAfterSeconds");
      json.Int(*status.details_retry_after_seconds);
    }
    json.EndObject();
  } else if (status.details_retry_after_seconds.has_value()) {
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

Response ForbiddenResponse(const ForbiddenRequest& r) {
  // responsewriters.forbiddenMessage (Go's %q matches JSON quoting for printable ASCII).
  std::string what = "User ";
  AppendJsonString(&what, r.user);
  absl::StrAppend(&what, " cannot ", r.verb, " ");
  KubeStatus status;
  status.reason = "Forbidden";
  status.code = 403;
  status.details_retry_after_seconds = 0;  // details {} when nothing names the resource
  if (!r.resource_request) {
    absl::StrAppend(&what, "path ");
    AppendJsonString(&what, r.path);
  } else {
    std::string resource(r.resource);
    if (!r.subresource.empty()) absl::StrAppend(&resource, "/", r.subresource);
    absl::StrAppend(&what, "resource ");
    AppendJsonString(&what, resource);
    absl::StrAppend(&what, " in API group ");
    AppendJsonString(&what, r.api_group);
    if (!r.namespace_name.empty()) {
      absl::StrAppend(&what, " in the namespace ");
      AppendJsonString(&what, r.namespace_name);
    } else {
      absl::StrAppend(&what, " at the cluster scope");
    }
  }
  if (!r.reason.empty()) absl::StrAppend(&what, ": ", r.reason);
  // errors.NewForbidden: qualified resource "<resource>[.<group>]", then the name if any.
  StatusDetails details;
  const bool named = r.resource_request && !r.resource.empty();
  if (!named) {
    status.message = absl::StrCat("forbidden: ", what);
  } else {
    const std::string qualified =
        r.api_group.empty() ? std::string(r.resource) : absl::StrCat(r.resource, ".", r.api_group);
    if (r.name.empty()) {
      status.message = absl::StrCat(qualified, " is forbidden: ", what);
    } else {
      status.message = qualified + " ";
      AppendJsonString(&status.message, r.name);
      absl::StrAppend(&status.message, " is forbidden: ", what);
    }
    details = {std::string(r.name), std::string(r.api_group), std::string(r.resource)};
  }
  Response response = JsonResponse(403, EncodeKubeStatus(status, named ? &details : nullptr));
  response.headers.Add("X-Content-Type-Options", "nosniff");
  return response;
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
