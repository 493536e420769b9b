// Request-header authentication: header parsing (kube's headerrequest tests), trust (kube's x509 verifier), header
// removal, options.
#include "auth/request_header.h"

#include <memory>
#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/testing.h"

namespace apiserve::auth {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

RequestHeaderConfig Config() {
  RequestHeaderConfig config = RequestHeaderConfig::DelegatingDefaults();
  config.client_ca_file = "front-proxy-ca.crt";
  config.uid_headers = {"X-Remote-Uid"};
  config.allowed_names = {"front-proxy-client"};
  return config;
}

// Request returns a request on a connection whose certificate verified against the request-header CA with `cn`.
http::RequestPtr Request(const std::string& cn = "front-proxy-client") {
  http::RequestPtr request = http::NewRequest("GET", "/apis/example.io/v1/things");
  auto connection = std::make_shared<http::ConnectionInfo>();
  connection->requestheader_client_certificate = http::ClientCertificate{cn, {}, {}, {}, {}, {}};
  request->connection = std::move(connection);
  return request;
}

absl::StatusOr<UserPtr> Authenticate(const RequestHeaderConfig& config, const http::Request& request) {
  return NewRequestHeaderAuthenticator(config)->Authenticate(request);
}

TEST(RequestHeaderTest, UserUidGroupsAndExtra) {
  http::RequestPtr request = Request();
  request->headers.Add("X-Remote-User", "alice");
  request->headers.Add("x-remote-uid", "1001");  // HTTP/2 names arrive lower-cased
  request->headers.Add("X-Remote-Group", "dev");
  request->headers.Add("X-Remote-Group", "");  // empty values are skipped
  request->headers.Add("X-REMOTE-GROUP", "ops");
  request->headers.Add("X-Remote-Extra-Scopes", "view");
  request->headers.Add("x-remote-extra-scopes", "edit");
  request->headers.Add("X-Remote-Extra-Example.com%2FTeam", "blue");
  request->headers.Add("Accept", "application/json");
  absl::StatusOr<UserPtr> user = Authenticate(Config(), *request);
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ((*user)->name, "alice");
  EXPECT_EQ((*user)->uid, "1001");
  EXPECT_THAT((*user)->groups, ElementsAre("dev", "ops"));
  EXPECT_THAT((*user)->extra, UnorderedElementsAre(Pair("scopes", ElementsAre("view", "edit")),
                                                   Pair("example.com/team", ElementsAre("blue"))));
  // The authenticator itself leaves the request alone: the filter removes the headers.
  EXPECT_EQ(request->headers.size(), 9u);
}

TEST(RequestHeaderTest, UsernameIsTheFirstNonEmptyFirstValue) {
  RequestHeaderConfig config = Config();
  config.username_headers = {"X-Remote-User", "A-Second-X-Remote-User", "Another-X-Remote-User"};
  http::RequestPtr request = Request();
  request->headers.Add("X-Remote-User", "");
  request->headers.Add("X-Remote-User", "First header, second value");
  request->headers.Add("A-Second-X-Remote-User", "Second header, first value");
  request->headers.Add("A-Second-X-Remote-User", "Second header, second value");
  request->headers.Add("Another-X-Remote-User", "Third header, first value");
  absl::StatusOr<UserPtr> user = Authenticate(config, *request);
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ((*user)->name, "Second header, first value");
  EXPECT_EQ((*user)->uid, "");
  EXPECT_THAT((*user)->groups, IsEmpty());
  EXPECT_THAT((*user)->extra, IsEmpty());
}

TEST(RequestHeaderTest, ConfiguredNamesMatchCaseInsensitivelyAndExactly) {
  RequestHeaderConfig config = Config();
  config.username_headers = {" x-REMOTE-user "};  // trimmed, as kube's trimHeaders
  config.uid_headers = {"X-Remote-Uid-1", "X-Remote-Uid-2"};
  http::RequestPtr request = Request();
  request->headers.Add("X-Remote-User-With-Suffix", "mallory");
  request->headers.Add("Prefixed-X-Remote-User", "mallory");
  EXPECT_THAT(Authenticate(config, *request), StatusIs(absl::StatusCode::kNotFound));
  request->headers.Add("X-Remote-User", "bob");
  request->headers.Add("X-Remote-Uid-2", "second");
  request->headers.Add("X-Remote-Uid-1", "first");
  absl::StatusOr<UserPtr> user = Authenticate(config, *request);
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ((*user)->name, "bob");
  EXPECT_EQ((*user)->uid, "first");  // the order of the configured headers, not of the request
}

TEST(RequestHeaderTest, ExtraKeysAreLowerCasedThenPercentDecoded) {
  RequestHeaderConfig config = Config();
  config.extra_headers_prefix = {"X-Remote-Extra-1-", "X-Remote-Extra-2-"};
  http::RequestPtr request = Request();
  request->headers.Add("X-Remote-User", "bob");
  request->headers.Add("X-Remote-extra-1-key1", "alfa");
  request->headers.Add("X-Remote-Extra-2-Key1", "echo");  // the second prefix's values come after the first's
  request->headers.Add("X-Remote-Extra-1-KEY1", "bravo");
  request->headers.Add("X-Remote-Extra-1-", "india");
  request->headers.Add("X-Remote-Extra-1-Percent%20encoded", "percent encoded");
  request->headers.Add("X-Remote-Extra-1-Almost%zzpercent%xxencoded", "not quite");
  request->headers.Add("X-Remote-Extra-1-Example.com%2fpercent%2520encoded", "double");
  request->headers.Add("X-Remote-Extra-1-Example.com%2F%E4%BB%8A%E6%97%A5%E3%81%AF", "unicode");
  request->headers.Add("X-Remote-Extra-1-Abc123!#$+.-_*\\^`~|'", "legal characters");
  absl::StatusOr<UserPtr> user = Authenticate(config, *request);
  ASSERT_THAT(user, IsOk());
  EXPECT_THAT((*user)->extra,
              UnorderedElementsAre(Pair("key1", ElementsAre("alfa", "bravo", "echo")), Pair("", ElementsAre("india")),
                                   Pair("percent encoded", ElementsAre("percent encoded")),
                                   Pair("almost%zzpercent%xxencoded", ElementsAre("not quite")),
                                   Pair("example.com/percent%20encoded", ElementsAre("double")),
                                   Pair("example.com/\xE4\xBB\x8A\xE6\x97\xA5\xE3\x81\xAF", ElementsAre("unicode")),
                                   Pair("abc123!#$+.-_*\\^`~|'", ElementsAre("legal characters"))));
}

TEST(RequestHeaderTest, UnescapeExtraKey) {
  EXPECT_EQ(UnescapeExtraKey("a%2Fb%2fc"), "a/b/c");
  EXPECT_EQ(UnescapeExtraKey("a+b"), "a+b");  // path unescaping: '+' is not a space
  EXPECT_EQ(UnescapeExtraKey("bad%2"), "bad%2");
  EXPECT_EQ(UnescapeExtraKey("bad%"), "bad%");
  EXPECT_EQ(UnescapeExtraKey("%41%zz"), "%41%zz");  // one malformed escape keeps the whole key
  EXPECT_EQ(UnescapeExtraKey(""), "");
}

TEST(RequestHeaderTest, HeadersFromAnUntrustedClientAreNotCredentials) {
  const RequestHeaderConfig config = Config();
  auto with_headers = [](http::RequestPtr request) {
    request->headers.Add("X-Remote-User", "admin");
    request->headers.Add("X-Remote-Group", "system:masters");
    return request;
  };
  // No connection information, or no certificate (or no request-header CA): nothing to say.
  EXPECT_THAT(Authenticate(config, *with_headers(http::NewRequest("GET", "/"))), StatusIs(absl::StatusCode::kNotFound));
  http::RequestPtr no_certificate = with_headers(http::NewRequest("GET", "/"));
  no_certificate->connection = std::make_shared<http::ConnectionInfo>();
  EXPECT_THAT(Authenticate(config, *no_certificate), StatusIs(absl::StatusCode::kNotFound));

  // A certificate from another CA (e.g. the --client-ca-file one): an error, which the union reports only if no
  // other authenticator accepts the request.
  http::RequestPtr other_ca = with_headers(http::NewRequest("GET", "/"));
  auto connection = std::make_shared<http::ConnectionInfo>();
  connection->client_certificate = http::ClientCertificate{"alice", {}, {}, {}, {}, {}};
  connection->requestheader_client_certificate_error =
      "verifying certificate CN=\"alice\" failed: unable to get local issuer certificate";
  other_ca->connection = std::move(connection);
  EXPECT_THAT(Authenticate(config, *other_ca),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       "verifying certificate CN=\"alice\" failed: unable to get local issuer certificate"));

  // Verified by the request-header CA, but a CN that may not assert identities.
  EXPECT_THAT(
      Authenticate(config, *with_headers(Request("someone-else"))),
      StatusIs(absl::StatusCode::kUnauthenticated, "x509: subject with cn=someone-else is not in the allowed list"));

  // With no allowed names, any certificate the request-header CA verified may.
  RequestHeaderConfig any_name = config;
  any_name.allowed_names.clear();
  absl::StatusOr<UserPtr> user = Authenticate(any_name, *with_headers(Request("someone-else")));
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ((*user)->name, "admin");
  EXPECT_THAT((*user)->groups, ElementsAre("system:masters"));
}

TEST(RequestHeaderTest, ClearAuthenticationHeaders) {
  http::HeaderMap headers{{"X-Remote-User", "alice"},
                          {"x-remote-uid", "1001"},
                          {"X-Remote-Uid-1", "kept: not a configured name"},
                          {"X-Remote-Group", "dev"},
                          {"X-REMOTE-GROUP", "ops"},
                          {"X-Remote-Extra-Scopes", "view"},
                          {"x-remote-extra-", "empty key"},
                          {"X-Group-Remote", "unrelated"},
                          {"Authorization", "Bearer t"}};
  ClearAuthenticationHeaders(&headers, Config());
  std::vector<std::string> left;
  for (const http::HeaderField& field : headers) left.push_back(field.name);
  EXPECT_THAT(left, UnorderedElementsAre("X-Remote-Uid-1", "X-Group-Remote", "Authorization"));

  http::HeaderMap custom{{"X-Proxy-User", "a"}, {"X-Proxy-Extra-K", "v"}, {"X-Remote-User", "b"}};
  RequestHeaderConfig config;
  config.username_headers = {"X-Proxy-User"};
  config.extra_headers_prefix = {"x-proxy-extra-"};
  ClearAuthenticationHeaders(&custom, config);
  ASSERT_EQ(custom.size(), 1u);
  EXPECT_EQ(custom.fields()[0].name, "X-Remote-User");
}

TEST(RequestHeaderConfigTest, DefaultsAndStandardHeaders) {
  const RequestHeaderConfig kube = RequestHeaderConfig::KubeApiserverDefaults();
  EXPECT_FALSE(kube.Enabled());
  EXPECT_THAT(kube.username_headers, IsEmpty());
  EXPECT_THAT(kube.uid_headers, IsEmpty());
  EXPECT_THAT(kube.group_headers, IsEmpty());
  EXPECT_THAT(kube.extra_headers_prefix, IsEmpty());
  EXPECT_THAT(kube.allowed_names, IsEmpty());

  const RequestHeaderConfig delegating = RequestHeaderConfig::DelegatingDefaults();
  EXPECT_FALSE(delegating.Enabled());  // until given the front proxy's CA
  EXPECT_THAT(delegating.username_headers, ElementsAre("X-Remote-User"));
  EXPECT_THAT(delegating.uid_headers, IsEmpty());
  EXPECT_THAT(delegating.group_headers, ElementsAre("X-Remote-Group"));
  EXPECT_THAT(delegating.extra_headers_prefix, ElementsAre("X-Remote-Extra-"));

  const RequestHeaderConfig& standard = RequestHeaderConfig::StandardHeaders();
  EXPECT_THAT(standard.username_headers, ElementsAre("X-Remote-User"));
  EXPECT_THAT(standard.uid_headers, ElementsAre("X-Remote-Uid"));
  EXPECT_THAT(standard.group_headers, ElementsAre("X-Remote-Group"));
  EXPECT_THAT(standard.extra_headers_prefix, ElementsAre("X-Remote-Extra-"));
}

TEST(RequestHeaderConfigTest, ValidateAndWarnings) {
  EXPECT_THAT(Config().Validate(), IsOk());
  EXPECT_THAT(Config().Warnings(), IsEmpty());

  RequestHeaderConfig blank = Config();
  blank.username_headers = {"X-Remote-User", "  "};
  EXPECT_THAT(blank.Validate(),
              StatusIs(absl::StatusCode::kInvalidArgument, "empty value in \"requestheader-username-headers\""));
  blank.group_headers = {""};
  blank.allowed_names = {"front-proxy-client", ""};
  EXPECT_THAT(blank.Validate(), StatusIs(absl::StatusCode::kInvalidArgument,
                                         "[empty value in \"requestheader-username-headers\", empty value in "
                                         "\"requestheader-group-headers\", empty value in "
                                         "\"requestheader-allowed-names\"]"));

  RequestHeaderConfig custom = Config();
  custom.username_headers = {"X-Proxy-User"};
  custom.extra_headers_prefix = {"x-remote-extra-"};  // case-insensitive
  custom.uid_headers = {"X-Proxy-Uid"};
  EXPECT_THAT(custom.Warnings(),
              ElementsAre("--requestheader-username-headers is set without specifying the standard X-Remote-User "
                          "header - API aggregation will not work",
                          "--requestheader-uid-headers is set without specifying the standard X-Remote-Uid header - "
                          "API aggregation will not work"));
}

}  // namespace
}  // namespace apiserve::auth
