// API groups installed on different servers of a delegation chain: discovery merged across the chain, requests
// routed through the muxes to the server that installed the group, 404/405 Status bodies, long-running resources,
// the index and OpenAPI after PrepareRun.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/fake_executor.h"
#include "base/status_matchers.h"
#include "chain/filters/not_found.h"
#include "chain/generic_server.h"
#include "chain/testing_groups.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/testing.h"

namespace apiserve::chain {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAcceptV2[] = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

APIGroupInfo DemoGroup(http::HandlerPtr ticks_handler) {
  APIResource ticks;
  ticks.name = "ticks";
  ticks.kind = "Tick";
  ticks.namespaced = false;
  ticks.long_running = true;
  ticks.handlers = {{"list", std::move(ticks_handler)}};
  return APIGroupInfo{"demo.apiserve.io", {APIGroupVersion{"v1", {ticks}}}};
}

class ApiGroupsInChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.request_timeout = absl::Seconds(1);
    config.name = "apiextensions";
    ASSERT_THAT(Make(config, &end_, &inner_), IsOk());
    config.name = "kube";
    ASSERT_THAT(Make(config, inner_.get(), &middle_), IsOk());
    config.name = "aggregator";
    ASSERT_THAT(Make(config, middle_.get(), &outer_), IsOk());
    ASSERT_THAT(inner_->InstallAPIGroup(testing::NotesGroup()), IsOk());
    ASSERT_THAT(middle_->InstallLegacyAPIGroup(testing::CoreGroup()), IsOk());
    auto hold = http::HandlerFunc([this](http::RequestPtr, http::ResponseWriter w) { held_.push_back(std::move(w)); });
    ASSERT_THAT(outer_->InstallAPIGroup(DemoGroup(hold)), IsOk());
  }
  void TearDown() override { held_.clear(); }

  static absl::Status Make(const ServerConfig& config, DelegationTarget* delegate,
                           std::unique_ptr<GenericServer>* out) {
    auto server = GenericServer::New(config, delegate);
    if (!server.ok()) return server.status();
    *out = *std::move(server);
    return absl::OkStatus();
  }

  http::RecordedResponse Send(const std::string& method, const std::string& target, const std::string& accept = "") {
    http::RequestPtr request = http::NewRequest(method, target, &loop_);
    if (!accept.empty()) request->headers.Add("Accept", accept);
    return http::ServeForTest(*outer_->Handler(), std::move(request), &loop_);
  }

  base::FakeExecutor loop_;
  EmptyDelegate end_{TerminalNotFoundHandler()};
  std::unique_ptr<GenericServer> inner_, middle_, outer_;
  std::vector<http::ResponseWriter> held_;
};

TEST_F(ApiGroupsInChainTest, OutermostDiscoveryListsEveryServersGroups) {
  http::RecordedResponse apis = Send("GET", "/apis");
  EXPECT_EQ(apis.status, 200);
  EXPECT_EQ(apis.body,
            R"({"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"demo.apiserve.io","versions":[)"
            R"({"groupVersion":"demo.apiserve.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":)"
            R"("demo.apiserve.io/v1","version":"v1"}},{"name":"notes.example.io","versions":[{"groupVersion":)"
            R"("notes.example.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"notes.example.io/v1",)"
            R"("version":"v1"}}]})"
            "\n");
  http::RecordedResponse aggregated = Send("GET", "/apis", kAcceptV2);
  EXPECT_EQ(aggregated.headers.Get("Content-Type"),
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
  EXPECT_THAT(aggregated.body, HasSubstr(R"({"metadata":{"name":"demo.apiserve.io","creationTimestamp":null})"));
  EXPECT_THAT(aggregated.body, HasSubstr(R"({"metadata":{"name":"notes.example.io","creationTimestamp":null})"));
  // The chain's filters leave the discovery cache headers alone.
  EXPECT_EQ(aggregated.headers.Get("Cache-Control"), "public");

  http::RecordedResponse api = Send("GET", "/api", kAcceptV2);
  EXPECT_EQ(api.status, 200);
  EXPECT_THAT(api.body, HasSubstr(R"("resource":"pods")"));
  EXPECT_THAT(Send("GET", "/api").body, HasSubstr(R"({"kind":"APIVersions","versions":["v1"])"));
  EXPECT_THAT(Send("GET", "/api/v1").body, HasSubstr(R"({"kind":"APIResourceList","groupVersion":"v1",)"));
  EXPECT_THAT(Send("GET", "/apis/notes.example.io").body, HasSubstr(R"({"kind":"APIGroup","apiVersion":"v1",)"));
  EXPECT_THAT(Send("GET", "/apis/notes.example.io/v1").body, HasSubstr(R"("groupVersion":"notes.example.io/v1")"));
}

TEST_F(ApiGroupsInChainTest, DelegatesAnswerForTheirGroupsWithoutTheOuterServersHelp) {
  // The middle server's own /apis sees itself and what is behind it only.
  http::RecordedResponse middle = http::ServeForTest(*middle_->Handler(), http::NewRequest("GET", "/apis", &loop_));
  EXPECT_THAT(middle.body, HasSubstr("notes.example.io"));
  EXPECT_THAT(middle.body, Not(HasSubstr("demo.apiserve.io")));
}

TEST_F(ApiGroupsInChainTest, ResourceRequestsReachTheInstallingServer) {
  EXPECT_EQ(Send("GET", "/apis/notes.example.io/v1/namespaces/default/notes/a").body, "get notes");
  EXPECT_EQ(Send("GET", "/api/v1/namespaces/default/pods").body, "list pods");
  http::RecordedResponse unknown = Send("GET", "/apis/notes.example.io/v1/namespaces/default/widgets");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_THAT(unknown.body, HasSubstr(R"("message":"the server could not find the requested resource","reason":)"
                                      R"("NotFound","details":{},"code":404})"));
  http::RecordedResponse not_allowed = Send("POST", "/apis/notes.example.io/v1/shelves");
  EXPECT_EQ(not_allowed.status, 405);
  EXPECT_THAT(not_allowed.body, HasSubstr(R"("reason":"MethodNotAllowed","details":{},"code":405})"));
  // A group nobody installed ends at the end of the chain, as in kube (here before MuxAndDiscoveryComplete: 503).
  EXPECT_EQ(Send("GET", "/apis/nobody.example.io/v1/things").status, 503);
}

TEST_F(ApiGroupsInChainTest, AGroupVersionIsInstalledOnOneServerOnly) {
  EXPECT_THAT(outer_->InstallAPIGroup(testing::NotesGroup()),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("API group version notes.example.io/v1 is already installed on aggregator or a "
                                 "server it delegates to")));
  APIGroupInfo v2 = testing::NotesGroup();
  v2.versions[0].version = "v2";
  ASSERT_THAT(outer_->InstallAPIGroup(v2), IsOk());
  // One group, the outer server's version first (preferred).
  EXPECT_THAT(Send("GET", "/apis/notes.example.io").body,
              HasSubstr(R"("versions":[{"groupVersion":"notes.example.io/v2","version":"v2"},{"groupVersion":)"
                        R"("notes.example.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":)"
                        R"("notes.example.io/v2")"));
  EXPECT_THAT(outer_->InstallAPIGroup(APIGroupInfo{"bad", {}}), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ApiGroupsInChainTest, LongRunningResourcesAndWatchesEscapeTheRequestTimeout) {
  http::RecordingSink ticks, watch, slow;
  outer_->Handler()->Serve(http::NewRequest("GET", "/apis/demo.apiserve.io/v1/ticks", &loop_),
                           http::ResponseWriter(http::NewExchange(&loop_, &ticks)));
  ASSERT_THAT(
      inner_->InstallAPIGroup(APIGroupInfo{
          "slow.example.io",
          {APIGroupVersion{"v1",
                           {APIResource{"slows",
                                        "",
                                        "Slow",
                                        false,
                                        {},
                                        {},
                                        {{"list", http::HandlerFunc([this](http::RequestPtr, http::ResponseWriter w) {
                                            held_.push_back(std::move(w));
                                          })},
                                         {"watch", http::HandlerFunc([this](http::RequestPtr, http::ResponseWriter w) {
                                            held_.push_back(std::move(w));
                                          })}},
                                        {},
                                        false,
                                        "",
                                        ""}}}}}),
      IsOk());
  outer_->Handler()->Serve(http::NewRequest("GET", "/apis/slow.example.io/v1/slows?watch=true", &loop_),
                           http::ResponseWriter(http::NewExchange(&loop_, &watch)));
  outer_->Handler()->Serve(http::NewRequest("GET", "/apis/slow.example.io/v1/slows", &loop_),
                           http::ResponseWriter(http::NewExchange(&loop_, &slow)));
  loop_.AdvanceTime(absl::Seconds(2));
  EXPECT_EQ(slow.recorded.status, 504);
  EXPECT_FALSE(ticks.recorded.head_received);
  EXPECT_FALSE(watch.recorded.head_received);
  EXPECT_TRUE(outer_->IsLongRunning(*http::NewRequest("GET", "/apis/demo.apiserve.io/v1/ticks"),
                                    ParseRequestInfo(*http::NewRequest("GET", "/apis/demo.apiserve.io/v1/ticks"))));
  held_.clear();  // before the sinks go
}

TEST_F(ApiGroupsInChainTest, IndexListsGroupRootsAndOpenApiHasTheKinds) {
  ASSERT_THAT(outer_->PrepareRun(), IsOk());
  const std::vector<std::string> paths = outer_->ListedPaths();
  for (const char* path : {"/api", "/api/v1", "/apis", "/apis/demo.apiserve.io", "/apis/demo.apiserve.io/v1",
                           "/apis/notes.example.io", "/apis/notes.example.io/v1"}) {
    EXPECT_THAT(paths, Contains(path));
  }
  EXPECT_THAT(paths, Not(Contains("/apis/notes.example.io/v1/")));
  http::RecordedResponse v3 = Send("GET", "/openapi/v3/apis/notes.example.io/v1");
  EXPECT_EQ(v3.status, 200);
  EXPECT_THAT(v3.body, HasSubstr(R"("components":{"schemas":{"io.example.notes.v1.Note":{"type":"object",)"));
  EXPECT_THAT(v3.body, HasSubstr(R"("x-kubernetes-group-version-kind":[{"group":"notes.example.io","kind":"Note",)"
                                 R"("version":"v1"}])"));
  EXPECT_THAT(v3.body, HasSubstr(R"("/apis/notes.example.io/v1/namespaces/{namespace}/notes/{name}":{"get":)"));
  EXPECT_THAT(Send("GET", "/openapi/v3").body, HasSubstr(R"("api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=)"));
  http::RecordedResponse v2 = Send("GET", "/openapi/v2");
  EXPECT_THAT(v2.body, HasSubstr(R"("definitions":{"io.example.notes.v1.Note":{"type":"object")"));
  EXPECT_THAT(v2.body, HasSubstr(R"("$ref":"#/definitions/io.example.notes.v1.NoteList")"));
}

TEST_F(ApiGroupsInChainTest, InstallingWhileServingDiscovery) {
  constexpr int kGroups = 40;
  std::thread installer([this] {
    for (int i = 0; i < kGroups; ++i) {
      APIGroupInfo group = testing::NotesGroup();
      group.name = absl::StrCat("g", i, ".example.io");
      EXPECT_THAT(outer_->InstallAPIGroup(std::move(group)), IsOk());
    }
  });
  const http::RequestPtr watch = http::NewRequest("GET", "/apis/g1.example.io/v1/notes?watch=true");
  const RequestInfo info = ParseRequestInfo(*watch);
  for (int i = 0; i < 200; ++i) {
    http::RequestPtr request = http::NewRequest("GET", "/apis");
    request->headers.Add("Accept", kAcceptV2);
    EXPECT_EQ(http::ServeForTest(*outer_->UnprotectedHandler(), std::move(request)).status, 200);
    outer_->IsLongRunning(*watch, info);
  }
  installer.join();
  http::RecordedResponse all = Send("GET", "/apis", kAcceptV2);
  EXPECT_THAT(all.body, HasSubstr(absl::StrCat("\"name\":\"g", kGroups - 1, ".example.io\"")));
}

}  // namespace
}  // namespace apiserve::chain
