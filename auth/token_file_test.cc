#include "auth/token_file.h"

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "base/poll_until.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/testing.h"
#include "tls/test_certs.h"

namespace apiserve::auth {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

http::RequestPtr WithAuthorization(absl::string_view value) {
  http::RequestPtr request = http::NewRequest("GET", "/api");
  request->headers.Add("Authorization", value);
  return request;
}

TEST(ParseTokenFileTest, KubeCsvColumnsQuotingAndBlankLines) {
  absl::StatusOr<TokenMap> tokens = ParseTokenFile(
      "t1,alice,1001,\"dev,ops\"\r\n"
      "\n"
      "t2,bob,1002\n"
      "t3,\"carol \"\"c\"\"\",1003,,extra\n"
      "\"t4\",dave,1004,\"multi\nline\"",
      "tokens.csv");
  ASSERT_THAT(tokens, IsOk());
  ASSERT_EQ(tokens->size(), 4u);
  EXPECT_EQ(tokens->at("t1").name, "alice");
  EXPECT_EQ(tokens->at("t1").uid, "1001");
  EXPECT_THAT(tokens->at("t1").groups, ElementsAre("dev", "ops"));
  EXPECT_THAT(tokens->at("t2").groups, IsEmpty());
  EXPECT_EQ(tokens->at("t3").name, "carol \"c\"");
  EXPECT_THAT(tokens->at("t3").groups, IsEmpty());
  EXPECT_THAT(tokens->at("t4").groups, ElementsAre("multi\nline"));
}

TEST(ParseTokenFileTest, EmptyTokenSkippedAndDuplicateReplaces) {
  absl::StatusOr<TokenMap> tokens = ParseTokenFile(",nobody,0\nt,first,1\nt,second,2\n", "f");
  ASSERT_THAT(tokens, IsOk());
  ASSERT_EQ(tokens->size(), 1u);
  EXPECT_EQ(tokens->at("t").name, "second");
}

TEST(ParseTokenFileTest, ShortRecordNamesFileAndLine) {
  EXPECT_THAT(ParseTokenFile("t1,alice,1\n\nt2,bob\n", "/etc/tokens.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "token file \"/etc/tokens.csv\" must have at least 3 columns (token, user name, user uid), "
                       "found 2 on line 3"));
  // No comment syntax in kube's CSV: a "#" line is a record like any other.
  EXPECT_THAT(ParseTokenFile("# tokens for the demo\nt,u,1\n", "f"),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("found 1 on line 1")));
}

TEST(ParseTokenFileTest, QuotingErrorsNameLineAndColumn) {
  EXPECT_THAT(ParseTokenFile("t1,al\"ice,1\n", "f"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "token file \"f\": parse error on line 1, column 6: bare \" in non-quoted-field"));
  EXPECT_THAT(ParseTokenFile("ok,a,1\n\"t1\"x,alice,1\n", "f"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("parse error on line 2, column 5: extraneous or missing \" in quoted")));
  EXPECT_THAT(ParseTokenFile("\"unterminated,a,1\n", "f"),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("extraneous or missing")));
}

TEST(TokenFileAuthenticatorTest, BearerTokenRules) {
  tls::testing::TempDir dir;
  const std::string path = dir.Write("tokens.csv", "secret,alice,1001,\"dev,ops\"\n");
  auto authenticator = TokenFileAuthenticator::New({path, /*watch=*/false});
  ASSERT_THAT(authenticator, IsOk());

  absl::StatusOr<UserPtr> user = (*authenticator)->Authenticate(*WithAuthorization("Bearer secret"));
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ((*user)->name, "alice");
  EXPECT_EQ((*user)->uid, "1001");
  EXPECT_THAT((*user)->groups, ElementsAre("dev", "ops"));
  EXPECT_THAT((*authenticator)->Authenticate(*WithAuthorization("  bearer secret ")), IsOk());

  EXPECT_THAT((*authenticator)->Authenticate(*WithAuthorization("Bearer wrong")),
              StatusIs(absl::StatusCode::kUnauthenticated, "invalid bearer token"));
  // Not a bearer credential at all: no credentials of this kind.
  EXPECT_THAT((*authenticator)->Authenticate(*http::NewRequest("GET", "/")), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT((*authenticator)->Authenticate(*WithAuthorization("Basic YTpi")), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT((*authenticator)->Authenticate(*WithAuthorization("Bearer")), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT((*authenticator)->Authenticate(*WithAuthorization("Bearer  secret")),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(TokenFileAuthenticatorTest, MissingOrBrokenFileAtStartIsAnError) {
  tls::testing::TempDir dir;
  EXPECT_THAT(TokenFileAuthenticator::New({dir.Join("absent.csv"), false}),
              StatusIs(absl::StatusCode::kNotFound, ::testing::HasSubstr("absent.csv")));
  EXPECT_THAT(TokenFileAuthenticator::New({dir.Write("bad.csv", "a,b\n"), false}),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("bad.csv")));
}

TEST(TokenFileAuthenticatorTest, ReloadSwapsTokensAndKeepsOldOnBrokenFile) {
  tls::testing::TempDir dir;
  const std::string path = dir.Write("tokens.csv", "old,alice,1\n");
  auto authenticator = TokenFileAuthenticator::New({path, false});
  ASSERT_THAT(authenticator, IsOk());
  TokenFileAuthenticator& tokens = **authenticator;

  dir.Write("tokens.csv", "new,bob,2\n");
  ASSERT_THAT(tokens.Reload(), IsOk());
  EXPECT_EQ((*tokens.Authenticate(*WithAuthorization("Bearer new")))->name, "bob");
  EXPECT_THAT(tokens.Authenticate(*WithAuthorization("Bearer old")), StatusIs(absl::StatusCode::kUnauthenticated));

  dir.Write("tokens.csv", "broken,line\n");
  EXPECT_THAT(tokens.Reload(), StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("on line 1")));
  EXPECT_EQ((*tokens.Authenticate(*WithAuthorization("Bearer new")))->name, "bob");

  ASSERT_EQ(std::remove(path.c_str()), 0);
  EXPECT_THAT(tokens.Reload(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ((*tokens.Authenticate(*WithAuthorization("Bearer new")))->name, "bob");
}

TEST(TokenFileAuthenticatorTest, WatcherReloadsWhileRequestsAuthenticate) {
  tls::testing::TempDir dir;
  const std::string path = dir.Write("tokens.csv", "old,alice,1\n");
  auto authenticator = TokenFileAuthenticator::New({path, true, absl::Milliseconds(20)});
  ASSERT_THAT(authenticator, IsOk());
  std::shared_ptr<const Authenticator> tokens = *authenticator;
  http::RequestPtr old_request = WithAuthorization("Bearer old");
  http::RequestPtr new_request = WithAuthorization("Bearer new");

  dir.Write("tokens.csv", "new,bob,2\n");
  EXPECT_TRUE(base::PollUntil([&] { return tokens->Authenticate(*new_request).ok(); }));
  EXPECT_THAT(tokens->Authenticate(*old_request), StatusIs(absl::StatusCode::kUnauthenticated));

  dir.Write("tokens.csv", "\"broken\n");
  absl::SleepFor(absl::Milliseconds(200));  // several polls and the inotify event
  EXPECT_THAT(tokens->Authenticate(*new_request), IsOk());

  dir.Write("tokens.csv", "newer,carol,3\n");
  EXPECT_TRUE(base::PollUntil([&] { return tokens->Authenticate(*WithAuthorization("Bearer newer")).ok(); }));
  EXPECT_THAT(tokens->Authenticate(*new_request), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(TokenFileAuthenticatorTest, ConcurrentAuthenticateAndReload) {
  tls::testing::TempDir dir;
  const std::string path = dir.Write("tokens.csv", "a,alice,1\n");
  auto authenticator = TokenFileAuthenticator::New({path, false});
  ASSERT_THAT(authenticator, IsOk());
  std::shared_ptr<TokenFileAuthenticator> tokens = *authenticator;
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0};
  std::vector<std::thread> loops;
  for (int i = 0; i < 2; ++i) {
    loops.emplace_back([&] {
      http::RequestPtr a = WithAuthorization("Bearer a");
      http::RequestPtr b = WithAuthorization("Bearer b");
      while (!stop.load()) {
        // One of the two tokens is valid at any moment; the table swaps under us.
        if (tokens->Authenticate(*a).ok()) answered++;
        if (tokens->Authenticate(*b).ok()) answered++;
      }
    });
  }
  for (int i = 0; i < 50; ++i) {
    dir.Write("tokens.csv", i % 2 == 0 ? "b,bob,2\n" : "a,alice,1\n");
    EXPECT_THAT(tokens->Reload(), IsOk());
  }
  while (answered.load() == 0) std::this_thread::yield();
  stop = true;
  for (std::thread& loop : loops) loop.join();
  EXPECT_GT(answered.load(), 0);
  EXPECT_EQ(tokens->TokenCount(), 1u);
}

}  // namespace
}  // namespace apiserve::auth
