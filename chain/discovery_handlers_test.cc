#include "chain/discovery_handlers.h"

#include <memory>
#include <string>
#include <vector>

#include "chain/discovery.h"
#include "chain/testing_groups.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/testing.h"

namespace apiserve::chain {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kAcceptV2[] = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

class DiscoveryHandlersTest : public ::testing::Test {
 protected:
  void Install(APIGroupInfo group) {
    NormalizeAPIGroupInfo(&group);
    installed_.push_back(std::make_shared<const APIGroupInfo>(std::move(group)));
  }
  APIGroupsSource Source() {
    return [this] { return installed_; };
  }
  static http::RecordedResponse Get(http::Handler& handler, const std::string& path, const std::string& accept = "",
                                    const std::string& if_none_match = "") {
    http::RequestPtr request = http::NewRequest("GET", path);
    if (!accept.empty()) request->headers.Add("Accept", accept);
    if (!if_none_match.empty()) request->headers.Add("If-None-Match", if_none_match);
    auto connection = std::make_shared<http::ConnectionInfo>();
    connection->local_address = "127.0.0.1:6443";
    request->connection = connection;
    return http::ServeForTest(handler, std::move(request));
  }

  std::vector<std::shared_ptr<const APIGroupInfo>> installed_;
};

TEST_F(DiscoveryHandlersTest, ApisLegacyAndAggregated) {
  Install(testing::NotesGroup());
  Install(testing::CoreGroup());
  http::HandlerPtr apis = RootDiscoveryHandler(Source(), /*legacy=*/false);
  http::RecordedResponse legacy = Get(*apis, "/apis");
  EXPECT_EQ(legacy.status, 200);
  EXPECT_EQ(legacy.headers.Get("Content-Type"), "application/json");
  EXPECT_EQ(legacy.body, APIGroupListJson(MergeDiscoveryGroups(installed_, false)));
  EXPECT_FALSE(legacy.headers.Has("ETag"));

  http::RecordedResponse aggregated = Get(*apis, "/apis", kAcceptV2);
  EXPECT_EQ(aggregated.status, 200);
  EXPECT_EQ(aggregated.headers.Get("Content-Type"),
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
  EXPECT_EQ(aggregated.body,
            APIGroupDiscoveryListJson(MergeDiscoveryGroups(installed_, false), AggregatedVersion::kV2));
  EXPECT_THAT(aggregated.body, ::testing::Not(HasSubstr("\"pods\"")));  // the core group is under /api
  const std::string etag = std::string(aggregated.headers.Get("ETag").value_or(""));
  EXPECT_EQ(etag, DiscoveryETag(aggregated.body));
  EXPECT_THAT(etag, StartsWith("\""));
  EXPECT_EQ(etag.size(), 18u);
  EXPECT_EQ(aggregated.headers.Get("Vary"), "Accept");
  EXPECT_EQ(aggregated.headers.Get("Cache-Control"), "public");

  http::RecordedResponse not_modified = Get(*apis, "/apis", kAcceptV2, etag);
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.body, "");
  EXPECT_EQ(not_modified.headers.Get("ETag"), etag);
  EXPECT_EQ(Get(*apis, "/apis", kAcceptV2, "\"0000000000000000\"").status, 200);

  http::RecordedResponse beta =
      Get(*apis, "/apis", "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList");
  EXPECT_EQ(beta.headers.Get("Content-Type"),
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList");
  EXPECT_THAT(beta.body, HasSubstr("\"apiVersion\":\"apidiscovery.k8s.io/v2beta1\""));
  EXPECT_NE(beta.headers.Get("ETag"), etag);
}

TEST_F(DiscoveryHandlersTest, GroupsInstalledLaterAppearWithANewETag) {
  Install(testing::CoreGroup());
  http::HandlerPtr apis = RootDiscoveryHandler(Source(), /*legacy=*/false);
  http::RecordedResponse before = Get(*apis, "/apis", kAcceptV2);
  EXPECT_THAT(before.body, HasSubstr("\"items\":[]"));
  Install(testing::NotesGroup());
  http::RecordedResponse after = Get(*apis, "/apis", kAcceptV2);
  EXPECT_THAT(after.body, HasSubstr("\"name\":\"notes.example.io\""));
  EXPECT_NE(before.headers.Get("ETag"), after.headers.Get("ETag"));
  EXPECT_EQ(Get(*apis, "/apis", kAcceptV2, std::string(*before.headers.Get("ETag"))).status, 200);
}

TEST_F(DiscoveryHandlersTest, Api) {
  http::HandlerPtr api = RootDiscoveryHandler(Source(), /*legacy=*/true);
  EXPECT_EQ(Get(*api, "/api").status, 404);  // no core group installed
  Install(testing::NotesGroup());
  Install(testing::CoreGroup());
  http::RecordedResponse legacy = Get(*api, "/api");
  EXPECT_EQ(legacy.status, 200);
  EXPECT_EQ(legacy.body,
            R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0",)"
            R"("serverAddress":"127.0.0.1:6443"}]})"
            "\n");
  http::RecordedResponse aggregated = Get(*api, "/api", kAcceptV2);
  EXPECT_THAT(aggregated.body, HasSubstr(R"("items":[{"metadata":{"creationTimestamp":null},"versions":)"));
  EXPECT_THAT(aggregated.body, ::testing::Not(HasSubstr("notes")));
}

TEST_F(DiscoveryHandlersTest, GroupAndResourceList) {
  Install(testing::NotesGroup());
  http::HandlerPtr group = GroupDiscoveryHandler(Source(), "notes.example.io");
  http::RecordedResponse r = Get(*group, "/apis/notes.example.io");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, StartsWith(R"({"kind":"APIGroup","apiVersion":"v1","name":"notes.example.io",)"));
  installed_.clear();
  r = Get(*group, "/apis/notes.example.io");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("\"reason\":\"NotFound\""));

  APIGroupInfo notes = testing::NotesGroup();
  NormalizeAPIGroupInfo(&notes);
  http::RecordedResponse list = Get(*ResourceListHandler(notes, notes.versions[0]), "/apis/notes.example.io/v1");
  EXPECT_EQ(list.body, APIResourceListJson("notes.example.io", notes.versions[0]));
}

}  // namespace
}  // namespace apiserve::chain
