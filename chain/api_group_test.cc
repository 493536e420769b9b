#include "chain/api_group.h"

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/response.h"

namespace apiserve::chain {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

http::HandlerPtr Ok() { return http::StaticHandler(http::Shared(http::TextResponse(200, "ok"))); }

APIResource Widgets() {
  APIResource widgets;
  widgets.name = "widgets";
  widgets.kind = "Widget";
  widgets.handlers = {{"get", Ok()}, {"list", Ok()}};
  return widgets;
}

TEST(APIGroupTest, AValidGroupPasses) {
  EXPECT_THAT(ValidateAPIGroupInfo({"widgets.example.io", {{"v1", {Widgets()}}}}, /*legacy=*/false), IsOk());
  EXPECT_THAT(ValidateAPIGroupInfo({"", {{"v1", {Widgets()}}}}, /*legacy=*/true), IsOk());
}

TEST(APIGroupTest, EveryProblemIsNamed) {
  APIResource bad = Widgets();
  bad.name = "Widgets";
  bad.kind = "";
  bad.handlers = {{"list", Ok()}, {"frobnicate", Ok()}, {"get", nullptr}};
  bad.openapi_schema = "[1]";
  bad.subresources.push_back(APISubresource{"status", "", "", "", {}, false});
  APIResource empty = Widgets();
  empty.name = "empties";
  empty.handlers.clear();
  APIGroupInfo group{"Bad_Group", {{"v1", {bad, empty, empty}}, {"v1", {}}}};
  EXPECT_THAT(
      ValidateAPIGroupInfo(group, /*legacy=*/false),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("group name \"Bad_Group\" must be a lowercase DNS subdomain"),
                     HasSubstr("resource \"Widgets\" of Bad_Group/v1: the name must be a lowercase plural"),
                     HasSubstr("resource \"Widgets\" of Bad_Group/v1 has no kind"),
                     HasSubstr("resource \"Widgets\" of Bad_Group/v1: the OpenAPI schema is not a JSON object"),
                     HasSubstr("resource \"Widgets\" of Bad_Group/v1: unknown verb \"frobnicate\" (want one of create, "
                               "delete, deletecollection, get, list, patch, update, watch)"),
                     HasSubstr("resource \"Widgets\" of Bad_Group/v1: the handler for verb \"get\" is null"),
                     HasSubstr("subresource \"Widgets/status\" of Bad_Group/v1 has no handlers"),
                     HasSubstr("resource \"empties\" of Bad_Group/v1 has no handlers"),
                     HasSubstr("resource \"empties\" of Bad_Group/v1 is installed twice"),
                     HasSubstr("Bad_Group/v1 is installed twice"), HasSubstr("Bad_Group/v1 has no resources"))));
  EXPECT_THAT(ValidateAPIGroupInfo({"core", {{"v1", {Widgets()}}}}, /*legacy=*/true),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("the legacy core group must be named \"\", not \"core\"")));
  EXPECT_THAT(ValidateAPIGroupInfo({"g.io", {}}, /*legacy=*/false),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("group \"g.io\" has no versions")));
  EXPECT_THAT(ValidateAPIGroupInfo({"g.io", {{"v1.2", {Widgets()}}}}, /*legacy=*/false),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("version \"v1.2\" of group \"g.io\" must be a lowercase DNS label")));
}

TEST(APIGroupTest, NormalizeSortsAndDefaultsTheSingularName) {
  APIResource zebras = Widgets();
  zebras.name = "zebras";
  zebras.kind = "Zebra";
  zebras.subresources = {APISubresource{"status", "", "", "", {{"get", Ok()}}, false},
                         APISubresource{"scale", "", "", "", {{"get", Ok()}}, false}};
  APIGroupInfo group{"g.io", {{"v1", {zebras, Widgets()}}}};
  NormalizeAPIGroupInfo(&group);
  ASSERT_EQ(group.versions[0].resources.size(), 2u);
  EXPECT_EQ(group.versions[0].resources[0].name, "widgets");
  EXPECT_EQ(group.versions[0].resources[0].singular_name, "widget");
  EXPECT_EQ(group.versions[0].resources[1].subresources[0].name, "scale");
  EXPECT_EQ(FindResource(group.versions[0], "zebras")->kind, "Zebra");
  EXPECT_EQ(FindResource(group.versions[0], "lions"), nullptr);
  EXPECT_EQ(GroupVersionString("", "v1"), "v1");
  EXPECT_EQ(GroupVersionPath("g.io", "v1"), "/apis/g.io/v1");
  EXPECT_EQ(GroupVersionPath("", "v1"), "/api/v1");
}

}  // namespace
}  // namespace apiserve::chain
