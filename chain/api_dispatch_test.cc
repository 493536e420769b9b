#include "chain/api_dispatch.h"

#include <memory>
#include <string>

#include "chain/testing_groups.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/response.h"
#include "http/testing.h"

namespace apiserve::chain {
namespace {

constexpr char kNotFound[] =
    R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the )"
    R"(requested resource","reason":"NotFound","details":{},"code":404})"
    "\n";
constexpr char kNotAllowed[] =
    R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server does not allow this )"
    R"(method on the requested resource","reason":"MethodNotAllowed","details":{},"code":405})"
    "\n";

class ApiDispatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    APIGroupInfo notes = testing::NotesGroup();
    NormalizeAPIGroupInfo(&notes);
    APIGroupInfo core = testing::CoreGroup();
    NormalizeAPIGroupInfo(&core);
    notes_ = GroupVersionHandler(std::make_shared<const APIGroupInfo>(std::move(notes)), 0);
    core_ = GroupVersionHandler(std::make_shared<const APIGroupInfo>(std::move(core)), 0);
  }

  http::RecordedResponse Serve(const std::string& method, const std::string& target) {
    http::Handler& handler = target.rfind("/api/", 0) == 0 ? *core_ : *notes_;
    return http::ServeForTest(handler, http::NewRequest(method, target));
  }
  // Answer returns the body of a 200, or "<status> <reason>" for the Status bodies (checked exactly).
  std::string Answer(const std::string& method, const std::string& target) {
    http::RecordedResponse r = Serve(method, target);
    if (r.status == 200) return r.body;
    if (r.status == 404 && r.body == kNotFound) return "404";
    if (r.status == 405 && r.body == kNotAllowed) return "405";
    return "unexpected " + std::to_string(r.status) + " " + r.body;
  }

  http::HandlerPtr notes_;
  http::HandlerPtr core_;
};

TEST_F(ApiDispatchTest, NamespacedResourceVerbsOnTheirPaths) {
  const std::string ns = "/apis/notes.example.io/v1/namespaces/default/notes";
  EXPECT_EQ(Answer("GET", ns), "list notes");
  EXPECT_EQ(Answer("GET", ns + "?watch=true"), "watch notes");
  EXPECT_EQ(Answer("POST", ns), "create notes");
  EXPECT_EQ(Answer("DELETE", ns), "deletecollection notes");
  EXPECT_EQ(Answer("GET", ns + "/a"), "get notes");
  EXPECT_EQ(Answer("HEAD", ns + "/a"), "get notes");
  EXPECT_EQ(Answer("PUT", ns + "/a"), "update notes");
  EXPECT_EQ(Answer("PATCH", ns + "/a"), "patch notes");
  EXPECT_EQ(Answer("DELETE", ns + "/a"), "delete notes");
  EXPECT_EQ(Answer("GET", "/apis/notes.example.io/v1/watch/namespaces/default/notes"), "watch notes");
  EXPECT_EQ(Answer("GET", ns + "/a/status"), "get notes/status");
  EXPECT_EQ(Answer("PUT", ns + "/a/status"), "update notes/status");
}

TEST_F(ApiDispatchTest, AVerbThatDoesNotBelongOnThePathIs405) {
  const std::string ns = "/apis/notes.example.io/v1/namespaces/default/notes";
  EXPECT_EQ(Answer("POST", ns + "/a"), "405");          // create on an object
  EXPECT_EQ(Answer("PUT", ns), "405");                  // update on the collection
  EXPECT_EQ(Answer("PATCH", ns + "/a/status"), "405");  // the subresource has no patch handler
  EXPECT_EQ(Answer("OPTIONS", ns), "405");
  EXPECT_EQ(Answer("POST", "/apis/notes.example.io/v1/shelves"), "405");  // shelves: get and list only
  EXPECT_EQ(Answer("DELETE", "/apis/notes.example.io/v1/shelves/top"), "405");
}

TEST_F(ApiDispatchTest, NamespacedResourcesAcrossNamespacesOnlyListAndWatch) {
  EXPECT_EQ(Answer("GET", "/apis/notes.example.io/v1/notes"), "list notes");
  EXPECT_EQ(Answer("GET", "/apis/notes.example.io/v1/notes?watch=1"), "watch notes");
  EXPECT_EQ(Answer("POST", "/apis/notes.example.io/v1/notes"), "405");
  EXPECT_EQ(Answer("GET", "/apis/notes.example.io/v1/notes/a"), "404");  // an object needs its namespace
  EXPECT_EQ(Answer("GET", "/apis/notes.example.io/v1/notes/a/status"), "404");
}

TEST_F(ApiDispatchTest, UnknownPathsAre404) {
  EXPECT_EQ(Answer("GET", "/apis/notes.example.io/v1/pods"), "404");
  EXPECT_EQ(Answer("GET", "/apis/notes.example.io/v1/namespaces/default/notes/a/scale"), "404");
  EXPECT_EQ(Answer("GET", "/apis/notes.example.io/v1/namespaces/default/shelves"), "404");  // cluster-scoped
  EXPECT_EQ(Answer("GET", "/apis/notes.example.io/v1/namespaces/default"), "404");
  EXPECT_EQ(Answer("GET", "/apis/notes.example.io/v1/shelves"), "list shelves");
  EXPECT_EQ(Answer("GET", "/apis/notes.example.io/v1/shelves/top"), "get shelves");
}

TEST_F(ApiDispatchTest, CoreGroupAndTheNamespaceObject) {
  EXPECT_EQ(Answer("GET", "/api/v1/namespaces"), "list namespaces");
  EXPECT_EQ(Answer("GET", "/api/v1/namespaces/default"), "get namespaces");
  EXPECT_EQ(Answer("GET", "/api/v1/namespaces/default/pods"), "list pods");
  EXPECT_EQ(Answer("GET", "/api/v1/namespaces/default/pods/web"), "get pods");
  EXPECT_EQ(Answer("GET", "/api/v1/pods"), "list pods");
  EXPECT_EQ(Answer("GET", "/api/v1/services"), "404");
}

TEST_F(ApiDispatchTest, ResponsesAreJsonStatus) {
  http::RecordedResponse r = Serve("POST", "/apis/notes.example.io/v1/shelves");
  EXPECT_EQ(r.headers.Get("Content-Type"), "application/json");
}

TEST_F(ApiDispatchTest, VerbHandlersFindTheRequestInfo) {
  APIGroupInfo group = testing::NotesGroup();
  group.versions[0].resources[1].handlers["get"] =
      http::HandlerFunc([](http::RequestPtr request, http::ResponseWriter writer) {
        const RequestInfo* info = request->Context<RequestInfo>();
        writer.Send(http::TextResponse(200, info == nullptr ? "none" : info->namespace_name + "/" + info->name))
            .IgnoreError();
      });
  NormalizeAPIGroupInfo(&group);
  http::HandlerPtr handler = GroupVersionHandler(std::make_shared<const APIGroupInfo>(std::move(group)), 0);
  EXPECT_EQ(
      http::ServeForTest(*handler, http::NewRequest("GET", "/apis/notes.example.io/v1/namespaces/ns/notes/a")).body,
      "ns/a");
}

TEST(RouteResourceRequestTest, LongRunningFlagsComeFromTheResource) {
  APIGroupVersion version{"v1", {}};
  APIResource ticks;
  ticks.name = "ticks";
  ticks.kind = "Tick";
  ticks.namespaced = false;
  ticks.long_running = true;
  ticks.handlers = testing::Verbs("ticks", {"list"});
  version.resources.push_back(ticks);
  RequestInfo info = ParseRequestInfo(*http::NewRequest("GET", "/apis/demo.apiserve.io/v1/ticks"));
  ResourceRoute route = RouteResourceRequest(version, info);
  EXPECT_EQ(route.error_status, 0);
  EXPECT_TRUE(route.long_running);
  ASSERT_NE(route.handler, nullptr);
}

}  // namespace
}  // namespace apiserve::chain
