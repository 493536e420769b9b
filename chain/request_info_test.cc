#include "chain/request_info.h"

#include "gtest/gtest.h"
#include "http/testing.h"

namespace apiserve::chain {
namespace {

RequestInfo Parse(const std::string& method, const std::string& target) {
  return ParseRequestInfo(*http::NewRequest(method, target));
}

TEST(RequestInfoTest, NonResourcePaths) {
  RequestInfo info = Parse("GET", "/healthz");
  EXPECT_FALSE(info.is_resource_request);
  EXPECT_EQ(info.verb, "get");
  EXPECT_FALSE(info.long_running);
  EXPECT_EQ(Parse("POST", "/apis/demo.apiserve.io").verb, "post");
  EXPECT_TRUE(Parse("GET", "/debug/pprof/profile").long_running);
}

TEST(RequestInfoTest, ResourcePaths) {
  RequestInfo info = Parse("GET", "/api/v1/namespaces/default/pods/web/log");
  EXPECT_TRUE(info.is_resource_request);
  EXPECT_EQ(info.api_prefix, "api");
  EXPECT_EQ(info.api_group, "");
  EXPECT_EQ(info.api_version, "v1");
  EXPECT_EQ(info.namespace_name, "default");
  EXPECT_EQ(info.resource, "pods");
  EXPECT_EQ(info.name, "web");
  EXPECT_EQ(info.subresource, "log");
  EXPECT_EQ(info.verb, "get");
  EXPECT_TRUE(info.long_running);

  info = Parse("GET", "/apis/apps/v1/deployments?watch=true");
  EXPECT_EQ(info.api_group, "apps");
  EXPECT_EQ(info.verb, "watch");
  EXPECT_TRUE(info.long_running);

  EXPECT_EQ(Parse("GET", "/apis/apps/v1/deployments").verb, "list");
  // kube's bool query decoding: anything but "0" and "false" (any case) watches.
  for (const char* yes : {"?watch=True", "?watch=1", "?watch=yes", "?watch="}) {
    EXPECT_EQ(Parse("GET", std::string("/api/v1/pods") + yes).verb, "watch") << yes;
  }
  for (const char* no : {"?watch=false", "?watch=FALSE", "?watch=0"}) {
    EXPECT_EQ(Parse("GET", std::string("/api/v1/pods") + no).verb, "list") << no;
  }
  EXPECT_EQ(Parse("POST", "/apis/apps/v1/namespaces/x/deployments").verb, "create");
  EXPECT_EQ(Parse("DELETE", "/apis/apps/v1/namespaces/x/deployments").verb, "deletecollection");
  EXPECT_EQ(Parse("DELETE", "/apis/apps/v1/namespaces/x/deployments/d").verb, "delete");
  EXPECT_EQ(Parse("PATCH", "/api/v1/nodes/n").verb, "patch");
  EXPECT_EQ(Parse("PUT", "/api/v1/namespaces/x/status").resource, "namespaces");
  EXPECT_TRUE(Parse("POST", "/api/v1/namespaces/x/pods/p/exec").long_running);
  EXPECT_FALSE(Parse("GET", "/api/v1/namespaces/x/pods").long_running);
}

TEST(RequestInfoTest, LongPathsAndReuse) {
  // More segments than kube's rules look at: the subresource is still one segment.
  RequestInfo info = Parse("GET", "/apis/g/v1/watch/namespaces/ns/pods/p/log/extra/more");
  EXPECT_EQ(info.verb, "watch");
  EXPECT_EQ(info.namespace_name, "ns");
  EXPECT_EQ(info.resource, "pods");
  EXPECT_EQ(info.name, "p");
  EXPECT_EQ(info.subresource, "log");
  EXPECT_TRUE(info.long_running);

  // Parsing into a used RequestInfo overwrites every field.
  ParseRequestInfoInto(*http::NewRequest("GET", "/version"), &info);
  EXPECT_FALSE(info.is_resource_request);
  EXPECT_EQ(info.path, "/version");
  EXPECT_EQ(info.verb, "get");
  for (const std::string* field : {&info.api_prefix, &info.api_group, &info.api_version, &info.namespace_name,
                                   &info.resource, &info.subresource, &info.name}) {
    EXPECT_EQ(*field, "");
  }
  EXPECT_FALSE(info.long_running);
}

TEST(RequestInfoTest, MutatingClassification) {
  EXPECT_TRUE(IsMutating(Parse("POST", "/api/v1/namespaces/x/pods")));
  EXPECT_FALSE(IsMutating(Parse("GET", "/api/v1/namespaces/x/pods")));
  EXPECT_TRUE(IsMutating(Parse("POST", "/apis/demo.apiserve.io/v1/echo")));  // 3 segments: resource "echo"
  EXPECT_FALSE(IsMutating(Parse("GET", "/healthz")));
  EXPECT_TRUE(IsMutating(Parse("PUT", "/debug/flags/v")));
}

}  // namespace
}  // namespace apiserve::chain
