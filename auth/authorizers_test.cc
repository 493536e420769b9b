#include "auth/authorizers.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "base/status_matchers.h"
#include "gtest/gtest.h"

namespace apiserve::auth {
namespace {

using ::apiserve::base::StatusIs;

const UserInfo kAnonymous{"system:anonymous", "", {"system:unauthenticated"}};
const UserInfo kAlice{"alice", "", {"dev", "system:authenticated"}};
const UserInfo kAdmin{"admin", "", {"system:masters"}};

// Authorize asks `authorizer` about `user` sending `method target`, with the attributes the chain would fill: the
// query is not part of the path; /api/... and /apis/... are resource requests (verbs are irrelevant to these
// authorizers there), anything else is a non-resource request whose verb is the lower-cased method.
Decision Authorize(const Authorizer& authorizer, const UserInfo& user, absl::string_view method,
                   absl::string_view target, std::string* reason = nullptr) {
  const std::string path(target.substr(0, target.find('?')));
  const std::string verb = absl::AsciiStrToLower(method);
  Attributes attributes;
  attributes.user = &user;
  attributes.verb = verb;
  attributes.path = path;
  attributes.resource_request = absl::StartsWith(path, "/api/") || absl::StartsWith(path, "/apis/");
  std::string ignored;
  return authorizer.Authorize(attributes, reason != nullptr ? reason : &ignored);
}

TEST(BootstrapTest, EveryoneGetsExactlyThePublicInfoPaths) {
  auto bootstrap = BootstrapAuthorizer();
  for (const char* path : {"/healthz", "/livez", "/readyz", "/version", "/version/", "/readyz?verbose"}) {
    EXPECT_EQ(Authorize(*bootstrap, kAnonymous, "GET", path), Decision::kAllow) << path;
    EXPECT_EQ(Authorize(*bootstrap, kAlice, "GET", path), Decision::kAllow) << path;
  }
  for (const char* path : {"/readyz/etcd", "/healthz/ping", "/livez/", "/versions", "/api", "/apis", "/metrics", "/",
                           "/api/v1/namespaces/default/pods"}) {
    EXPECT_EQ(Authorize(*bootstrap, kAnonymous, "GET", path), Decision::kNoOpinion) << path;
  }
  EXPECT_EQ(Authorize(*bootstrap, kAnonymous, "HEAD", "/healthz"), Decision::kNoOpinion);
  EXPECT_EQ(Authorize(*bootstrap, kAnonymous, "POST", "/healthz"), Decision::kNoOpinion);
}

TEST(BootstrapTest, AuthenticatedReachTheRestAndMastersEverything) {
  auto bootstrap = BootstrapAuthorizer();
  EXPECT_EQ(Authorize(*bootstrap, kAlice, "GET", "/api"), Decision::kAllow);
  EXPECT_EQ(Authorize(*bootstrap, kAlice, "GET", "/readyz/etcd"), Decision::kAllow);
  EXPECT_EQ(Authorize(*bootstrap, kAlice, "POST", "/apis/demo.apiserve.io/v1/echo"), Decision::kAllow);
  EXPECT_EQ(Authorize(*bootstrap, kAdmin, "DELETE", "/api/v1/namespaces/x/pods/y"), Decision::kAllow);
  // A user in no group (not built by BuildFromFlags, which adds system:authenticated) gets public info only.
  const UserInfo groupless{"bare", "", {}};
  EXPECT_EQ(Authorize(*bootstrap, groupless, "GET", "/api"), Decision::kNoOpinion);
}

TEST(NewAuthorizerTest, ModesInOrderFirstDecisionWins) {
  auto allow_first = NewAuthorizer({"AlwaysAllow", "AlwaysDeny"});
  ASSERT_TRUE(allow_first.ok());
  EXPECT_EQ(Authorize(**allow_first, kAnonymous, "GET", "/api"), Decision::kAllow);

  // AlwaysDeny has no opinion (kube's), with a reason: the next mode decides.
  auto deny_first = NewAuthorizer({"AlwaysDeny", "AlwaysAllow"});
  ASSERT_TRUE(deny_first.ok());
  EXPECT_EQ(Authorize(**deny_first, kAlice, "GET", "/healthz"), Decision::kAllow);

  // Bootstrap has no opinion on /api for anonymous: the next mode decides.
  auto bootstrap_then_allow = NewAuthorizer({"Bootstrap", "AlwaysAllow"});
  ASSERT_TRUE(bootstrap_then_allow.ok());
  EXPECT_EQ(Authorize(**bootstrap_then_allow, kAnonymous, "GET", "/api"), Decision::kAllow);
  auto bootstrap_then_deny = NewAuthorizer({"Bootstrap", "AlwaysDeny"});
  ASSERT_TRUE(bootstrap_then_deny.ok());
  EXPECT_EQ(Authorize(**bootstrap_then_deny, kAnonymous, "GET", "/readyz"), Decision::kAllow);
  std::string reason;
  EXPECT_EQ(Authorize(**bootstrap_then_deny, kAnonymous, "GET", "/api", &reason), Decision::kNoOpinion);
  EXPECT_EQ(reason, "Everything is forbidden.");

  // Bootstrap alone: no opinion, which WithAuthorization turns into 403.
  auto bootstrap = NewAuthorizer({"Bootstrap"});
  ASSERT_TRUE(bootstrap.ok());
  EXPECT_EQ(Authorize(**bootstrap, kAnonymous, "GET", "/api"), Decision::kNoOpinion);
}

// kube-apiserver's privileged-groups authorizer comes first whatever the modes: system:masters is allowed under
// AlwaysDeny too; others get AlwaysDeny's reason.
TEST(NewAuthorizerTest, SystemMastersIsAlwaysAllowed) {
  auto deny = NewAuthorizer({"AlwaysDeny"});
  ASSERT_TRUE(deny.ok());
  EXPECT_EQ(Authorize(**deny, kAdmin, "GET", "/version"), Decision::kAllow);
  std::string reason;
  EXPECT_EQ(Authorize(**deny, kAlice, "GET", "/version", &reason), Decision::kNoOpinion);
  EXPECT_EQ(reason, "Everything is forbidden.");
}

TEST(NewAuthorizerTest, UnknownOrNoMode) {
  EXPECT_THAT(NewAuthorizer({"RBAC"}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "unknown authorization mode \"RBAC\""));
  EXPECT_THAT(NewAuthorizer({}).status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace apiserve::auth
