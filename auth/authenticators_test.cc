// Tests of the x509 authenticator, the union, the authenticated-group adder and the anonymous fallback.
#include <memory>

#include "auth/anonymous.h"
#include "auth/union.h"
#include "auth/x509.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/testing.h"

namespace apiserve::auth {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;

http::RequestPtr WithConnection(std::shared_ptr<http::ConnectionInfo> connection) {
  http::RequestPtr request = http::NewRequest("GET", "/api");
  request->connection = std::move(connection);
  return request;
}

http::RequestPtr VerifiedCert(std::string cn, std::vector<std::string> orgs) {
  auto connection = std::make_shared<http::ConnectionInfo>();
  connection->client_certificate = http::ClientCertificate{std::move(cn), std::move(orgs), {}, {}, {}, {}};
  return WithConnection(std::move(connection));
}

http::RequestPtr BadCert() {
  auto connection = std::make_shared<http::ConnectionInfo>();
  connection->client_certificate_error = "x509: certificate signed by unknown authority";
  return WithConnection(std::move(connection));
}

// Fixed answers keyed by the request's Authorization header, standing in for the token authenticator.
class FakeToken : public Authenticator {
 public:
  absl::StatusOr<UserPtr> Authenticate(const http::Request& request) const override {
    std::optional<absl::string_view> header = request.headers.Get("Authorization");
    if (!header.has_value()) return absl::NotFoundError("no token");
    if (*header == "Bearer good") return std::make_shared<const UserInfo>(UserInfo{"tok", "7", {"g"}});
    return absl::UnauthenticatedError("invalid bearer token");
  }
};

TEST(X509AuthenticatorTest, CommonNameAndOrganizations) {
  auto x509 = NewX509Authenticator();
  absl::StatusOr<UserPtr> user = x509->Authenticate(*VerifiedCert("alice", {"dev", "ops"}));
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ((*user)->name, "alice");
  EXPECT_THAT((*user)->groups, ElementsAre("dev", "ops"));
  EXPECT_THAT(x509->Authenticate(*BadCert()),
              StatusIs(absl::StatusCode::kUnauthenticated, "x509: certificate signed by unknown authority"));
  EXPECT_THAT(x509->Authenticate(*VerifiedCert("", {"dev"})), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(x509->Authenticate(*WithConnection(std::make_shared<http::ConnectionInfo>())),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(x509->Authenticate(*http::NewRequest("GET", "/")), StatusIs(absl::StatusCode::kNotFound));
}

// The kube-apiserver composition: anonymous(authenticated-group(union(x509, token))).
std::shared_ptr<const Authenticator> Kube(bool anonymous) {
  auto authenticator = WithAuthenticatedGroup(Union({NewX509Authenticator(), std::make_shared<FakeToken>()}));
  return anonymous ? WithAnonymous(authenticator) : authenticator;
}

TEST(UnionTest, CertificateOk) {
  absl::StatusOr<UserPtr> user = Kube(true)->Authenticate(*VerifiedCert("alice", {"dev"}));
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ((*user)->name, "alice");
  EXPECT_THAT((*user)->groups, ElementsAre("dev", "system:authenticated"));
}

TEST(UnionTest, BadCertificateIsAnErrorNeverAnonymous) {
  EXPECT_THAT(Kube(true)->Authenticate(*BadCert()),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::HasSubstr("unknown authority")));
}

TEST(UnionTest, BadCertificateWithAGoodTokenAuthenticatesByTheToken) {
  http::RequestPtr request = BadCert();
  request->headers.Add("Authorization", "Bearer good");
  absl::StatusOr<UserPtr> user = Kube(true)->Authenticate(*request);
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ((*user)->name, "tok");
}

TEST(UnionTest, TokenOkAndBad) {
  http::RequestPtr good = http::NewRequest("GET", "/");
  good->headers.Add("Authorization", "Bearer good");
  absl::StatusOr<UserPtr> user = Kube(true)->Authenticate(*good);
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ((*user)->uid, "7");
  EXPECT_THAT((*user)->groups, ElementsAre("g", "system:authenticated"));

  http::RequestPtr bad = http::NewRequest("GET", "/");
  bad->headers.Add("Authorization", "Bearer nope");
  EXPECT_THAT(Kube(true)->Authenticate(*bad), StatusIs(absl::StatusCode::kUnauthenticated, "invalid bearer token"));
}

TEST(UnionTest, BothBadJoinsTheErrors) {
  http::RequestPtr request = BadCert();
  request->headers.Add("Authorization", "Bearer nope");
  EXPECT_THAT(Kube(false)->Authenticate(*request),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       "x509: certificate signed by unknown authority; invalid bearer token"));
}

TEST(UnionTest, NoCredentialsIsAnonymousOrNotFound) {
  absl::StatusOr<UserPtr> user = Kube(true)->Authenticate(*http::NewRequest("GET", "/"));
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ((*user)->name, "system:anonymous");
  EXPECT_THAT((*user)->groups, ElementsAre("system:unauthenticated"));
  EXPECT_TRUE(IsAnonymous(**user));
  EXPECT_THAT(Kube(false)->Authenticate(*http::NewRequest("GET", "/")),
              StatusIs(absl::StatusCode::kNotFound, "no credentials"));
}

TEST(UnionTest, AuthenticatedGroupNotDuplicated) {
  auto authenticator = WithAuthenticatedGroup(NewX509Authenticator());
  absl::StatusOr<UserPtr> user =
      authenticator->Authenticate(*VerifiedCert("bob", {"system:authenticated", "system:masters"}));
  ASSERT_THAT(user, IsOk());
  EXPECT_THAT((*user)->groups, ElementsAre("system:authenticated", "system:masters"));
}

TEST(AnonymousTest, AloneAuthenticatesEveryone) {
  absl::StatusOr<UserPtr> user = WithAnonymous(nullptr)->Authenticate(*BadCert());
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ((*user)->name, "system:anonymous");
}

}  // namespace
}  // namespace apiserve::auth
