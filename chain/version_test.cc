#include "chain/version.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/testing.h"

namespace apiserve::chain {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST(VersionTest, DefaultsAreApiservesOwn) {
  const std::string json = VersionJson(VersionInfo{});
  EXPECT_THAT(json, HasSubstr("\"major\": \"0\""));
  EXPECT_THAT(json, HasSubstr("\"minor\": \"1\""));
  EXPECT_THAT(json, HasSubstr("\"gitVersion\": \"v0.1.0\""));
  EXPECT_THAT(json, HasSubstr("\"gitCommit\": \"unknown\""));
  EXPECT_THAT(json, HasSubstr("\"compiler\": \"gcc\""));
  EXPECT_THAT(json, MatchesRegex("(.|\n)*\"goVersion\": \"g\\+\\+ [0-9]+\\.(.|\n)*"));
  EXPECT_THAT(json, HasSubstr("\"platform\": \"linux/"));
}

TEST(VersionTest, EmbedderSetsEveryField) {
  VersionInfo info;
  info.major = "1";
  info.minor = "32";
  info.git_version = "v1.32.0-apiserve+0123456789ab";
  info.git_commit = "0123456789abcdef0123456789abcdef01234567";
  info.git_tree_state = "clean";
  info.build_date = "2026-12-06T00:00:00Z";
  const std::string json = VersionJson(info);
  EXPECT_THAT(json, HasSubstr("{\n  \"major\": \"1\",\n  \"minor\": \"32\",\n  \"gitVersion\": "
                              "\"v1.32.0-apiserve+0123456789ab\",\n  \"gitCommit\": "
                              "\"0123456789abcdef0123456789abcdef01234567\",\n  \"gitTreeState\": \"clean\",\n  "
                              "\"buildDate\": \"2026-12-06T00:00:00Z\""));
}

TEST(VersionTest, OnlyGetAndHeadAreAllowed) {
  auto handler = VersionHandler(VersionInfo{});
  EXPECT_EQ(http::ServeForTest(*handler, http::NewRequest("GET", "/version")).status, 200);
  EXPECT_EQ(http::ServeForTest(*handler, http::NewRequest("HEAD", "/version")).status, 200);
  http::RecordedResponse post = http::ServeForTest(*handler, http::NewRequest("POST", "/version"));
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.body, "405: Method Not Allowed");
}

}  // namespace
}  // namespace apiserve::chain
