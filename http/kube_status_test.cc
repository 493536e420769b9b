#include "http/kube_status.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::http {
namespace {

TEST(KubeStatusTest, ExactBodies) {
  Response r = UnauthorizedResponse();
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.headers.Get("Content-Type"), "application/json");
  EXPECT_EQ(r.body,
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
            "\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}\n");

  ForbiddenRequest path_request;
  path_request.user = "system:anonymous";
  path_request.verb = "get";
  path_request.path = "/foo";
  r = ForbiddenResponse(path_request);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.headers.Get("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.body,
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
            "\"forbidden: User \\\"system:anonymous\\\" cannot get path \\\"/foo\\\"\",\"reason\":\"Forbidden\","
            "\"details\":{},\"code\":403}\n");

  // kube's exact strings (responsewriters.forbiddenMessage, errors.NewForbidden), the authorizer's reason appended.
  ForbiddenRequest with_reason = path_request;
  with_reason.user = "alice";
  with_reason.path = "/version";
  with_reason.reason = "Everything is forbidden.";
  EXPECT_THAT(
      ForbiddenResponse(with_reason).body,
      ::testing::HasSubstr(R"("message":"forbidden: User \"alice\" cannot get path \"/version\": Everything is )"
                           R"(forbidden.","reason":"Forbidden","details":{},"code":403})"));
  ForbiddenRequest pod;
  pod.user = "alice";
  pod.verb = "get";
  pod.resource_request = true;
  pod.resource = "pods";
  pod.namespace_name = "default";
  pod.name = "foo";
  EXPECT_EQ(ForbiddenResponse(pod).body,
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"foo\" is )"
            R"(forbidden: User \"alice\" cannot get resource \"pods\" in API group \"\" in the namespace )"
            R"(\"default\"","reason":"Forbidden","details":{"name":"foo","kind":"pods"},"code":403})"
            "\n");
  ForbiddenRequest notes;
  notes.user = "bob";
  notes.verb = "list";
  notes.resource_request = true;
  notes.api_group = "notes.example.io";
  notes.resource = "notes";
  notes.subresource = "status";
  EXPECT_THAT(
      ForbiddenResponse(notes).body,
      ::testing::HasSubstr(R"("message":"notes.notes.example.io is forbidden: User \"bob\" cannot list )"
                           R"(resource \"notes/status\" in API group \"notes.example.io\" at the cluster )"
                           R"(scope","reason":"Forbidden","details":{"group":"notes.example.io","kind":"notes"})"));

  r = NotFoundStatusResponse();
  EXPECT_EQ(r.body,
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"the "
            "server could not find the requested resource\",\"reason\":\"NotFound\",\"details\":{},\"code\":404}\n");

  r = NotFoundTextResponse();
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "404 page not found\n");
  EXPECT_EQ(r.headers.Get("Content-Type"), "text/plain; charset=utf-8");
}

TEST(KubeStatusTest, ShutdownAndOverloadResponses) {
  Response r = MuxIncompleteResponse();
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.headers.Get("Retry-After"), "5");
  EXPECT_EQ(r.body,
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"the "
            "request has been made before all known HTTP paths have been installed, please try again\",\"reason\":"
            "\"ServiceUnavailable\",\"details\":{\"retryAfterSeconds\":5},\"code\":503}\n");

  r = ShuttingDownResponse();
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.headers.Get("Retry-After"), "1");
  EXPECT_EQ(r.headers.Get("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.body,
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
            "\"apiserver is shutting down\",\"reason\":\"ServiceUnavailable\",\"code\":503}\n");

  r = TimeoutResponse();
  EXPECT_EQ(r.status, 504);
  EXPECT_EQ(r.body,
            "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"Timeout: request did not complete within the "
            "allotted timeout\",\"reason\":\"Timeout\",\"details\":{},\"code\":504}\n");

  r = RetryAfterShutdownResponse();
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers.Get("Retry-After"), "5");
  EXPECT_EQ(r.headers.Get("Connection"), "close");
  EXPECT_EQ(r.headers.Get("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.body, "The apiserver is shutting down, please try again later.\n");

  r = TooManyRequestsResponse();
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers.Get("Retry-After"), "1");
  EXPECT_EQ(r.body, "Too many requests, please try again later.\n");

  r = PanicResponse();
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "This request caused apiserver to panic. Look in the logs for details.\n");
}

}  // namespace
}  // namespace apiserve::http
