#include "tls/sni_cert_key.h"

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::tls {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(SniCertKeyTest, PathsOnly) {
  auto parsed = ParseSniCertKey(" foo.crt , foo.key ");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->cert_file, "foo.crt");
  EXPECT_EQ(parsed->key_file, "foo.key");
  EXPECT_THAT(parsed->names, IsEmpty());
}

TEST(SniCertKeyTest, WithNames) {
  auto parsed = ParseSniCertKey("foo.crt,foo.key:abc, *.abc ,127.0.0.1");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->cert_file, "foo.crt");
  EXPECT_EQ(parsed->key_file, "foo.key");
  EXPECT_THAT(parsed->names, ElementsAre("abc", "*.abc", "127.0.0.1"));
  EXPECT_EQ(FormatSniCertKey(*parsed), "foo.crt,foo.key:abc,*.abc,127.0.0.1");
}

TEST(SniCertKeyTest, Errors) {
  EXPECT_THAT(ParseSniCertKey("foo.crt,foo.key:"),
              StatusIs(absl::StatusCode::kInvalidArgument, "empty names list is not allowed"));
  EXPECT_THAT(ParseSniCertKey("foo.crt,foo.key:  "),
              StatusIs(absl::StatusCode::kInvalidArgument, "empty names list is not allowed"));
  EXPECT_THAT(ParseSniCertKey("foo.crt"),
              StatusIs(absl::StatusCode::kInvalidArgument, "expected comma separated certificate and key file paths"));
  EXPECT_THAT(ParseSniCertKey("a,b,c"),
              StatusIs(absl::StatusCode::kInvalidArgument, "expected comma separated certificate and key file paths"));
  EXPECT_THAT(ParseSniCertKey(""),
              StatusIs(absl::StatusCode::kInvalidArgument, "expected comma separated certificate and key file paths"));
}

}  // namespace
}  // namespace apiserve::tls
