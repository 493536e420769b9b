#include "auth/authorizers.h"

#include "base/status_matchers.h"
#include "chain/request_info.h"
#include "gtest/gtest.h"
#include "http/testing.h"

namespace apiserve::auth {
namespace {

using ::apiserve::base::StatusIs;
using chain::Decision;

const chain::UserInfo kAnonymous{"system:anonymous", "", {"system:unauthenticated"}};
const chain::UserInfo kAlice{"alice", "", {"dev", "system:authenticated"}};
const chain::UserInfo kAdmin{"admin", "", {"system:masters"}};

chain::RequestInfo Info(absl::string_view method, absl::string_view target) {
  return chain::ParseRequestInfo(*http::NewRequest(method, target));
}

TEST(BootstrapTest, EveryoneGetsExactlyThePublicInfoPaths) {
  auto bootstrap = BootstrapAuthorizer();
  for (const char* path : {"/healthz", "/livez", "/readyz", "/version", "/version/", "/readyz?verbose"}) {
    EXPECT_EQ(bootstrap->Authorize(kAnonymous, Info("GET", path)), Decision::kAllow) << path;
    EXPECT_EQ(bootstrap->Authorize(kAlice, Info("GET", path)), Decision::kAllow) << path;
  }
  for (const char* path : {"/readyz/etcd", "/healthz/ping", "/livez/", "/versions", "/api", "/apis", "/metrics", "/",
                           "/api/v1/namespaces/default/pods"}) {
    EXPECT_EQ(bootstrap->Authorize(kAnonymous, Info("GET", path)), Decision::kNoOpinion) << path;
  }
  EXPECT_EQ(bootstrap->Authorize(kAnonymous, Info("HEAD", "/healthz")), Decision::kNoOpinion);
  EXPECT_EQ(bootstrap->Authorize(kAnonymous, Info("POST", "/healthz")), Decision::kNoOpinion);
}

TEST(BootstrapTest, AuthenticatedReachTheRestAndMastersEverything) {
  auto bootstrap = BootstrapAuthorizer();
  EXPECT_EQ(bootstrap->Authorize(kAlice, Info("GET", "/api")), Decision::kAllow);
  EXPECT_EQ(bootstrap->Authorize(kAlice, Info("GET", "/readyz/etcd")), Decision::kAllow);
  EXPECT_EQ(bootstrap->Authorize(kAlice, Info("POST", "/apis/demo.apiserve.io/v1/echo")), Decision::kAllow);
  EXPECT_EQ(bootstrap->Authorize(kAdmin, Info("DELETE", "/api/v1/namespaces/x/pods/y")), Decision::kAllow);
  // A user in no group (not built by BuildFromFlags, which adds system:authenticated) gets public info only.
  const chain::UserInfo groupless{"bare", "", {}};
  EXPECT_EQ(bootstrap->Authorize(groupless, Info("GET", "/api")), Decision::kNoOpinion);
}

TEST(NewAuthorizerTest, ModesInOrderFirstDecisionWins) {
  auto allow_first = NewAuthorizer({"AlwaysAllow", "AlwaysDeny"});
  ASSERT_TRUE(allow_first.ok());
  EXPECT_EQ((*allow_first)->Authorize(kAnonymous, Info("GET", "/api")), Decision::kAllow);

  auto deny_first = NewAuthorizer({"AlwaysDeny", "AlwaysAllow"});
  ASSERT_TRUE(deny_first.ok());
  EXPECT_EQ((*deny_first)->Authorize(kAdmin, Info("GET", "/healthz")), Decision::kDeny);

  // Bootstrap has no opinion on /api for anonymous: the next mode decides.
  auto bootstrap_then_allow = NewAuthorizer({"Bootstrap", "AlwaysAllow"});
  ASSERT_TRUE(bootstrap_then_allow.ok());
  EXPECT_EQ((*bootstrap_then_allow)->Authorize(kAnonymous, Info("GET", "/api")), Decision::kAllow);
  auto bootstrap_then_deny = NewAuthorizer({"Bootstrap", "AlwaysDeny"});
  ASSERT_TRUE(bootstrap_then_deny.ok());
  EXPECT_EQ((*bootstrap_then_deny)->Authorize(kAnonymous, Info("GET", "/readyz")), Decision::kAllow);
  EXPECT_EQ((*bootstrap_then_deny)->Authorize(kAnonymous, Info("GET", "/api")), Decision::kDeny);

  // Bootstrap alone: no opinion, which WithAuthorization turns into 403.
  auto bootstrap = NewAuthorizer({"Bootstrap"});
  ASSERT_TRUE(bootstrap.ok());
  EXPECT_EQ((*bootstrap)->Authorize(kAnonymous, Info("GET", "/api")), Decision::kNoOpinion);
}

TEST(NewAuthorizerTest, UnknownOrNoMode) {
  EXPECT_THAT(NewAuthorizer({"RBAC"}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "unknown authorization mode \"RBAC\""));
  EXPECT_THAT(NewAuthorizer({}).status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace apiserve::auth
