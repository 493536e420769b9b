#include "chain/discovery.h"

#include <memory>
#include <vector>

#include "chain/testing_groups.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::chain {
namespace {

std::shared_ptr<const APIGroupInfo> Installed(APIGroupInfo group) {
  NormalizeAPIGroupInfo(&group);
  return std::make_shared<const APIGroupInfo>(std::move(group));
}

TEST(DiscoveryTest, LegacyResourceListOfANamedGroup) {
  auto notes = Installed(testing::NotesGroup());
  EXPECT_EQ(APIResourceListJson(notes->name, notes->versions[0]),
            R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":"notes.example.io/v1","resources":[)"
            R"({"name":"notes","singularName":"note","namespaced":true,"kind":"Note","verbs":["create","delete",)"
            R"("deletecollection","get","list","patch","update","watch"],"shortNames":["nt"],"categories":["all"]},)"
            R"({"name":"notes/status","singularName":"","namespaced":true,"kind":"Note","verbs":["get","update"]},)"
            R"({"name":"shelves","singularName":"shelf","namespaced":false,"kind":"Shelf","verbs":["get","list"]}]})"
            "\n");
}

TEST(DiscoveryTest, LegacyCoreResourceListHasNoApiVersion) {
  auto core = Installed(testing::CoreGroup());
  EXPECT_EQ(APIResourceListJson("", core->versions[0]),
            R"({"kind":"APIResourceList","groupVersion":"v1","resources":[)"
            R"({"name":"namespaces","singularName":"namespace","namespaced":false,"kind":"Namespace",)"
            R"("verbs":["get","list"]},)"
            R"({"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","verbs":["get","list"],)"
            R"("shortNames":["po"]}]})"
            "\n");
}

TEST(DiscoveryTest, SubresourceOfAnotherGroupVersionNamesIt) {
  APIGroupInfo apps = testing::NotesGroup();
  apps.versions[0].resources[1].subresources.push_back(
      APISubresource{"scale", "Scale", "autoscaling", "v1", testing::Verbs("scale", {"get"}), false});
  auto installed = Installed(apps);
  EXPECT_THAT(APIResourceListJson(installed->name, installed->versions[0]),
              ::testing::HasSubstr(R"({"name":"notes/scale","singularName":"","namespaced":true,"group":"autoscaling",)"
                                   R"("version":"v1","kind":"Scale","verbs":["get"]})"));
  EXPECT_THAT(APIGroupDiscoveryListJson(MergeDiscoveryGroups({installed}, false), AggregatedVersion::kV2),
              ::testing::HasSubstr(R"({"subresource":"scale","responseKind":{"group":"autoscaling","version":"v1",)"
                                   R"("kind":"Scale"},"verbs":["get"]})"));
}

TEST(DiscoveryTest, GroupListGroupAndVersions) {
  APIGroupInfo v2 = testing::NotesGroup();
  v2.versions[0].version = "v2";
  // The outer server has v2 (preferred), a delegate v1: merged in chain order, one group.
  const std::vector<std::shared_ptr<const APIGroupInfo>> installed = {Installed(v2), Installed(testing::CoreGroup()),
                                                                      Installed(testing::NotesGroup())};
  std::vector<DiscoveryGroup> groups = MergeDiscoveryGroups(installed, /*legacy=*/false);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(APIGroupListJson(groups),
            R"({"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"notes.example.io","versions":[)"
            R"({"groupVersion":"notes.example.io/v2","version":"v2"},{"groupVersion":"notes.example.io/v1",)"
            R"("version":"v1"}],"preferredVersion":{"groupVersion":"notes.example.io/v2","version":"v2"}}]})"
            "\n");
  EXPECT_EQ(APIGroupJson(groups[0]),
            R"({"kind":"APIGroup","apiVersion":"v1","name":"notes.example.io","versions":[)"
            R"({"groupVersion":"notes.example.io/v2","version":"v2"},{"groupVersion":"notes.example.io/v1",)"
            R"("version":"v1"}],"preferredVersion":{"groupVersion":"notes.example.io/v2","version":"v2"}})"
            "\n");
  EXPECT_EQ(APIGroupListJson({}), "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[]}\n");
}

TEST(DiscoveryTest, ApiVersions) {
  const auto installed = Installed(testing::CoreGroup());
  std::vector<DiscoveryGroup> core = MergeDiscoveryGroups({installed}, /*legacy=*/true);
  ASSERT_EQ(core.size(), 1u);
  EXPECT_EQ(APIVersionsJson(core[0], "10.0.0.1:6443"),
            R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0",)"
            R"("serverAddress":"10.0.0.1:6443"}]})"
            "\n");
}

TEST(DiscoveryTest, AggregatedNamedGroups) {
  const auto installed = Installed(testing::NotesGroup());
  std::vector<DiscoveryGroup> groups = MergeDiscoveryGroups({installed}, /*legacy=*/false);
  EXPECT_EQ(
      APIGroupDiscoveryListJson(groups, AggregatedVersion::kV2),
      R"({"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","metadata":{},"items":[{"metadata":)"
      R"({"name":"notes.example.io","creationTimestamp":null},"versions":[{"version":"v1","resources":[)"
      R"({"resource":"notes","responseKind":{"group":"notes.example.io","version":"v1","kind":"Note"},)"
      R"("scope":"Namespaced","singularResource":"note","verbs":["create","delete","deletecollection","get","list",)"
      R"("patch","update","watch"],"shortNames":["nt"],"categories":["all"],"subresources":[{"subresource":"status",)"
      R"("responseKind":{"group":"notes.example.io","version":"v1","kind":"Note"},"verbs":["get","update"]}]},)"
      R"({"resource":"shelves","responseKind":{"group":"notes.example.io","version":"v1","kind":"Shelf"},)"
      R"("scope":"Cluster","singularResource":"shelf","verbs":["get","list"]}],"freshness":"Current"}]}]})"
      "\n");
}

TEST(DiscoveryTest, AggregatedCoreGroupV2Beta1) {
  const auto installed = Installed(testing::CoreGroup());
  std::vector<DiscoveryGroup> core = MergeDiscoveryGroups({installed}, /*legacy=*/true);
  EXPECT_EQ(APIGroupDiscoveryListJson(core, AggregatedVersion::kV2Beta1),
            R"({"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2beta1","metadata":{},"items":[)"
            R"({"metadata":{"creationTimestamp":null},"versions":[{"version":"v1","resources":[)"
            R"({"resource":"namespaces","responseKind":{"group":"","version":"v1","kind":"Namespace"},)"
            R"("scope":"Cluster","singularResource":"namespace","verbs":["get","list"]},)"
            R"({"resource":"pods","responseKind":{"group":"","version":"v1","kind":"Pod"},"scope":"Namespaced",)"
            R"("singularResource":"pod","verbs":["get","list"],"shortNames":["po"]}],"freshness":"Current"}]}]})"
            "\n");
  EXPECT_EQ(AggregatedContentType(AggregatedVersion::kV2),
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
  EXPECT_EQ(AggregatedContentType(AggregatedVersion::kV2Beta1),
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList");
}

}  // namespace
}  // namespace apiserve::chain
