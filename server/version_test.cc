#include "server/version.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::server {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST(VersionTest, UnstampedSaysUnknown) {
  const std::string json = VersionJson(BuildInfo{});
  EXPECT_THAT(json, HasSubstr("\"major\": \"0\""));
  EXPECT_THAT(json, HasSubstr("\"minor\": \"1\""));
  EXPECT_THAT(json, HasSubstr("\"gitVersion\": \"v0.1.0\""));
  EXPECT_THAT(json, HasSubstr("\"gitCommit\": \"unknown\""));
  EXPECT_THAT(json, HasSubstr("\"gitTreeState\": \"unknown\""));
  EXPECT_THAT(json, HasSubstr("\"buildDate\": \"unknown\""));
  EXPECT_THAT(json, HasSubstr("\"compiler\": \"gcc\""));
  EXPECT_THAT(json, MatchesRegex("(.|\n)*\"goVersion\": \"g\\+\\+ [0-9]+\\.(.|\n)*"));
  EXPECT_THAT(json, HasSubstr("\"platform\": \"linux/"));
}

TEST(VersionTest, StampedCommitJoinsGitVersion) {
  BuildInfo info;
  info.git_commit = "0123456789abcdef0123456789abcdef01234567";
  info.git_tree_state = "dirty";
  info.build_date = "2024-05-01T12:00:00Z";
  SetBuildInfo(info);
  const std::string json = VersionJson();
  EXPECT_THAT(json, HasSubstr("\"gitVersion\": \"v0.1.0+0123456789ab-dirty\""));
  EXPECT_THAT(json, HasSubstr("\"gitCommit\": \"0123456789abcdef0123456789abcdef01234567\""));
  EXPECT_THAT(json, HasSubstr("\"gitTreeState\": \"dirty\""));
  EXPECT_THAT(json, HasSubstr("\"buildDate\": \"2024-05-01T12:00:00Z\""));
}

}  // namespace
}  // namespace apiserve::server
