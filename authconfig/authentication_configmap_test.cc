#include "authconfig/authentication_configmap.h"

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::authconfig {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(DeserializeStringsTest, KubeSemantics) {
  EXPECT_THAT(DeserializeStrings(""), IsOk());
  EXPECT_THAT(*DeserializeStrings(""), IsEmpty());
  EXPECT_THAT(*DeserializeStrings("null"), IsEmpty());
  EXPECT_THAT(*DeserializeStrings("[]"), IsEmpty());
  EXPECT_THAT(*DeserializeStrings(R"(["X-Remote-User","X-User"])"), ElementsAre("X-Remote-User", "X-User"));
  EXPECT_THAT(DeserializeStrings("X-Remote-User"),
              StatusIs(absl::StatusCode::kInvalidArgument, "invalid character 'X' looking for beginning of value"));
  EXPECT_THAT(
      DeserializeStrings(R"("X-Remote-User")"),
      StatusIs(absl::StatusCode::kInvalidArgument, "json: cannot unmarshal string into Go value of type []string"));
  EXPECT_THAT(DeserializeStrings("[1]"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                  "json: cannot unmarshal number into Go value of type string"));
}

TEST(RequestHeaderBundleTest, FromData) {
  auto bundle = RequestHeaderBundleFromData({{"requestheader-client-ca-file", "PEM"},
                                             {"requestheader-allowed-names", R"(["front-proxy-client"])"},
                                             {"requestheader-username-headers", R"(["X-Remote-User"])"},
                                             {"requestheader-group-headers", R"(["X-Remote-Group"])"},
                                             {"requestheader-extra-headers-prefix", R"(["X-Remote-Extra-"])"},
                                             {"client-ca-file", "other"}});
  ASSERT_THAT(bundle, IsOk());
  EXPECT_EQ(bundle->ca_pem, "PEM");
  EXPECT_THAT(bundle->allowed_names, ElementsAre("front-proxy-client"));
  EXPECT_THAT(bundle->username_headers, ElementsAre("X-Remote-User"));
  EXPECT_THAT(bundle->uid_headers, IsEmpty());
  EXPECT_THAT(bundle->group_headers, ElementsAre("X-Remote-Group"));
  EXPECT_THAT(bundle->extra_headers_prefix, ElementsAre("X-Remote-Extra-"));
  EXPECT_THAT(RequestHeaderBundleFromData({{"requestheader-group-headers", "[oops"}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseConfigMapObjectTest, ReadsVersionAndData) {
  auto object = ParseConfigMapObject(
      R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"extension-apiserver-authentication","resourceVersion":"42"},"data":{"client-ca-file":"PEM"}})");
  ASSERT_THAT(object, IsOk());
  EXPECT_EQ(object->resource_version, "42");
  EXPECT_EQ(object->data.at("client-ca-file"), "PEM");
  EXPECT_THAT(ParseConfigMapObject(R"({"kind":"Status"})"),
              StatusIs(absl::StatusCode::kInvalidArgument, "not a ConfigMap"));
  EXPECT_THAT(ParseConfigMapObject("{"), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace apiserve::authconfig
