// ConfigMapAuthentication over a fake client and a fake executor: kube's start-up semantics
// (--authentication-skip-lookup, --authentication-tolerate-lookup-failure), updates through the watch into the TLS
// client CAs and the request-header authenticator, and the informer's re-list/re-watch with backoff.
#include "authconfig/configmap_authentication.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/fake_executor.h"
#include "base/status_matchers.h"
#include "client/fake_http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/json_writer.h"
#include "http/testing.h"
#include "tls/test_certs.h"

namespace apiserve::authconfig {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::HasSubstr;

constexpr char kGetPath[] = "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication";

std::string ConfigMapJson(const std::string& rv, const std::map<std::string, std::string>& data) {
  http::JsonWriter w;
  w.BeginObject();
  w.Key("kind");
  w.String("ConfigMap");
  w.Key("apiVersion");
  w.String("v1");
  w.Key("metadata");
  w.BeginObject();
  w.Key("name");
  w.String("extension-apiserver-authentication");
  w.Key("namespace");
  w.String("kube-system");
  w.Key("resourceVersion");
  w.String(rv);
  w.EndObject();
  w.Key("data");
  w.BeginObject();
  for (const auto& [k, v] : data) {
    w.Key(k);
    w.String(v);
  }
  w.EndObject();
  w.EndObject();
  return w.Take();
}

template <typename F>
ConfigMapAuthenticationOptions With(F set) {
  ConfigMapAuthenticationOptions options;
  set(options);
  return options;
}

std::string Event(const std::string& type, const std::string& object) {
  return absl::StrCat("{\"type\":\"", type, "\",\"object\":", object, "}\n");
}

constexpr char kForbidden[] =
    R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \"extension-apiserver-authentication\" is forbidden: User \"system:serviceaccount:default:sample\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"kube-system\"","reason":"Forbidden","details":{"name":"extension-apiserver-authentication","kind":"configmaps"},"code":403})";

class ConfigMapAuthenticationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto one = tls::testing::MakeCa("client-ca-one");
    auto two = tls::testing::MakeCa("client-ca-two");
    auto proxy = tls::testing::MakeCa("front-proxy-ca");
    ASSERT_THAT(one, IsOk());
    ASSERT_THAT(two, IsOk());
    ASSERT_THAT(proxy, IsOk());
    ca_one_ = one->cert_pem;
    ca_two_ = two->cert_pem;
    proxy_ca_ = proxy->cert_pem;
    tls::DynamicCertificates::Options options;
    options.watch = false;
    auto certs = tls::DynamicCertificates::Create(options);
    ASSERT_THAT(certs, IsOk());
    certs_ = *std::move(certs);
    client_ = std::make_shared<client::FakeHttpClient>();
  }

  std::map<std::string, std::string> Data(const std::string& client_ca) {
    return {{"client-ca-file", client_ca},
            {"requestheader-client-ca-file", proxy_ca_},
            {"requestheader-allowed-names", R"(["front-proxy-client"])"},
            {"requestheader-username-headers", R"(["X-Remote-User"])"},
            {"requestheader-group-headers", R"(["X-Remote-Group"])"},
            {"requestheader-extra-headers-prefix", R"(["X-Remote-Extra-"])"}};
  }

  std::unique_ptr<ConfigMapAuthentication> New(ConfigMapAuthenticationOptions options = {}) {
    return ConfigMapAuthentication::New(std::move(options), client_, &executor_);
  }

  // StartAndAnswer starts `cm` and answers its first GET with `status`/`body`; returns Start's outcome.
  absl::Status StartAndAnswer(ConfigMapAuthentication* cm, int status, const std::string& body) {
    std::optional<absl::Status> outcome;
    cm->StartAsync(certs_.get(), [&](absl::Status s) { outcome = s; });
    executor_.RunUntilIdle();
    EXPECT_EQ(client_->NextHeldPath(), kGetPath);
    client_->Answer(status, body);
    executor_.RunUntilIdle();
    EXPECT_TRUE(outcome.has_value());
    return outcome.value_or(absl::UnknownError("no outcome"));
  }

  std::string ClientCaPem() const {
    auto ca = certs_->Current()->client_ca();
    return ca != nullptr ? ca->pem : "";
  }

  base::FakeExecutor executor_;
  std::shared_ptr<client::FakeHttpClient> client_;
  std::unique_ptr<tls::DynamicCertificates> certs_;
  std::string ca_one_, ca_two_, proxy_ca_;
};

TEST_F(ConfigMapAuthenticationTest, ReadsAtStartAndFollowsTheWatch) {
  auto cm = New();
  EXPECT_TRUE(cm->reads_client_ca());
  EXPECT_TRUE(cm->reads_request_header());
  tls::TlsOptions tls;
  cm->ApplyTo(&tls);
  EXPECT_TRUE(tls.dynamic_client_cas);

  ASSERT_THAT(StartAndAnswer(cm.get(), 200, ConfigMapJson("7", Data(ca_one_))), IsOk());
  EXPECT_EQ(ClientCaPem(), ca_one_);
  ASSERT_NE(certs_->Current()->requestheader_client_ca(), nullptr);
  EXPECT_EQ(certs_->Current()->requestheader_client_ca()->pem, proxy_ca_);
  auto rh = cm->dynamic_request_header()->Current();
  ASSERT_NE(rh, nullptr);
  EXPECT_EQ(rh->allowed_names, std::vector<std::string>{"front-proxy-client"});

  // The request-header authenticator trusts a verified front proxy.
  http::RequestPtr request = http::NewRequest("GET", "/apis/notes.example.io/v1/notes");
  auto connection = std::make_shared<http::ConnectionInfo>();
  connection->requestheader_client_certificate = http::ClientCertificate{"front-proxy-client", {}, {}, {}, {}, {}};
  request->connection = connection;
  request->headers.Add("X-Remote-User", "alice");
  request->headers.Add("X-Remote-Group", "dev");
  auto user = cm->request_header_authenticator()->Authenticate(*request);
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ((*user)->name, "alice");

  // Then a watch from resourceVersion 7.
  auto watches = client_->Watches();
  ASSERT_EQ(watches.size(), 1u);
  EXPECT_EQ(watches[0]->request.path,
            "/api/v1/namespaces/kube-system/configmaps?allowWatchBookmarks=true&fieldSelector=metadata.name%3D"
            "extension-apiserver-authentication&resourceVersion=7&timeoutSeconds=300&watch=true");
  watches[0]->Headers(200);
  // A change of the client CA, split across two chunks, takes effect.
  std::string event = Event("MODIFIED", ConfigMapJson("8", Data(ca_two_)));
  watches[0]->Data(event.substr(0, 40));
  watches[0]->Data(event.substr(40));
  executor_.RunUntilIdle();
  EXPECT_EQ(ClientCaPem(), ca_two_);
  EXPECT_EQ(cm->updates(), 2);

  // Allowed names change: a CN no longer allowed is refused.
  std::map<std::string, std::string> data = Data(ca_two_);
  data["requestheader-allowed-names"] = R"(["another-proxy"])";
  watches[0]->Data(Event("MODIFIED", ConfigMapJson("9", data)));
  executor_.RunUntilIdle();
  EXPECT_THAT(cm->request_header_authenticator()->Authenticate(*request),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("front-proxy-client")));

  // A broken list keeps what is in force; an unchanged version changes nothing.
  data["requestheader-allowed-names"] = "[oops";
  watches[0]->Data(Event("MODIFIED", ConfigMapJson("10", data)));
  executor_.RunUntilIdle();
  EXPECT_EQ(cm->dynamic_request_header()->Current()->allowed_names, std::vector<std::string>{"another-proxy"});
  const int64_t updates = cm->updates();
  watches[0]->Data(Event("BOOKMARK", R"({"kind":"ConfigMap","metadata":{"resourceVersion":"11"}})"));
  executor_.RunUntilIdle();
  EXPECT_EQ(cm->updates(), updates);

  // DELETED keeps the configuration (kube keeps its last good content).
  watches[0]->Data(Event("DELETED", ConfigMapJson("12", data)));
  executor_.RunUntilIdle();
  EXPECT_EQ(ClientCaPem(), ca_two_);

  // The server ends the watch after a while: re-watched at once from the last version.
  executor_.AdvanceTime(absl::Seconds(300));
  watches[0]->End(absl::OkStatus());
  executor_.RunUntilIdle();
  watches = client_->Watches();
  ASSERT_EQ(watches.size(), 2u);
  EXPECT_THAT(watches[1]->request.path, HasSubstr("&resourceVersion=12&"));
  EXPECT_EQ(client_->calls(), 1);

  cm->Stop();
  executor_.RunUntilIdle();
  EXPECT_TRUE(watches[1]->cancelled());
}

TEST_F(ConfigMapAuthenticationTest, WatchErrorsReListWithBackoff) {
  auto cm = New();
  ASSERT_THAT(StartAndAnswer(cm.get(), 200, ConfigMapJson("7", Data(ca_one_))), IsOk());
  auto watch = client_->Watches().at(0);
  watch->End(absl::UnavailableError("connection reset"));
  executor_.RunUntilIdle();
  EXPECT_EQ(client_->held(), 0u);  // not before the backoff
  executor_.AdvanceTime(absl::Milliseconds(800));
  ASSERT_EQ(client_->NextHeldPath(), kGetPath);
  client_->Answer(absl::UnavailableError("connect: connection refused"));
  executor_.RunUntilIdle();
  executor_.AdvanceTime(absl::Milliseconds(1599));
  EXPECT_EQ(client_->held(), 0u);  // doubled
  executor_.AdvanceTime(absl::Milliseconds(1));
  ASSERT_EQ(client_->held(), 1u);
  client_->Answer(200, ConfigMapJson("20", Data(ca_two_)));  // the re-list brings the change
  executor_.RunUntilIdle();
  EXPECT_EQ(ClientCaPem(), ca_two_);
  ASSERT_EQ(client_->Watches().size(), 2u);
  watch = client_->Watches().at(1);
  EXPECT_THAT(watch->request.path, HasSubstr("&resourceVersion=20&"));

  // 410 Gone in the stream: re-listed at once.
  watch->Headers(200);
  watch->Data(Event(
      "ERROR",
      R"json({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 20 (25)","reason":"Expired","code":410})json"));
  executor_.RunUntilIdle();
  EXPECT_TRUE(watch->cancelled());
  EXPECT_EQ(client_->NextHeldPath(), kGetPath);

  // A watch refused with 403: re-listed after the backoff.
  client_->Answer(200, ConfigMapJson("25", Data(ca_two_)));
  executor_.RunUntilIdle();
  watch = client_->Watches().at(2);
  watch->Headers(403);
  watch->Data(kForbidden);
  watch->End(absl::OkStatus());
  executor_.RunUntilIdle();
  EXPECT_EQ(client_->held(), 0u);
  executor_.AdvanceTime(absl::Milliseconds(800));
  EXPECT_EQ(client_->held(), 1u);
  EXPECT_EQ(cm->watcher()->lists(), 5);
}

TEST_F(ConfigMapAuthenticationTest, FailedLookupFailsStartWithKubesMessage) {
  auto cm = New();
  EXPECT_THAT(StartAndAnswer(cm.get(), 403, kForbidden),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       "unable to load configmap based request-header-client-ca-file: configmaps "
                       "\"extension-apiserver-authentication\" is forbidden: User "
                       "\"system:serviceaccount:default:sample\" cannot get resource \"configmaps\" in API group \"\" "
                       "in the namespace \"kube-system\""));

  auto unreachable =
      ConfigMapAuthentication::New(With([](auto& o) { o.watch.host = "https://10.0.0.1:443"; }), client_, &executor_);
  std::optional<absl::Status> outcome;
  unreachable->StartAsync(certs_.get(), [&](absl::Status s) { outcome = s; });
  executor_.RunUntilIdle();
  client_->Answer(absl::UnavailableError("dial tcp 10.0.0.1:443: connect: connection refused"));
  executor_.RunUntilIdle();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_THAT(*outcome, StatusIs(absl::StatusCode::kUnavailable,
                                 "unable to load configmap based request-header-client-ca-file: Get "
                                 "\"https://10.0.0.1:443/api/v1/namespaces/kube-system/configmaps/"
                                 "extension-apiserver-authentication\": dial tcp 10.0.0.1:443: connect: connection "
                                 "refused"));
}

TEST_F(ConfigMapAuthenticationTest, ToleratedFailureStartsAndRecoversLater) {
  auto cm = New(With([](auto& o) { o.tolerate_lookup_failure = true; }));
  ASSERT_THAT(StartAndAnswer(cm.get(), 500, "boom"), IsOk());
  EXPECT_EQ(ClientCaPem(), "");
  EXPECT_EQ(cm->dynamic_request_header()->Current(), nullptr);
  executor_.AdvanceTime(absl::Milliseconds(800));
  ASSERT_EQ(client_->held(), 1u);
  client_->Answer(200, ConfigMapJson("3", Data(ca_one_)));
  executor_.RunUntilIdle();
  EXPECT_EQ(ClientCaPem(), ca_one_);
  EXPECT_NE(cm->dynamic_request_header()->Current(), nullptr);
}

TEST_F(ConfigMapAuthenticationTest, AbsentConfigMapIsNoConfiguration) {
  auto cm = New();
  ASSERT_THAT(
      StartAndAnswer(
          cm.get(), 404,
          R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"configmaps \"extension-apiserver-authentication\" not found","reason":"NotFound","code":404})"),
      IsOk());
  EXPECT_EQ(cm->dynamic_request_header()->Current(), nullptr);
  // Watched from no version: the server sends ADDED when it appears.
  auto watch = client_->Watches().at(0);
  EXPECT_THAT(watch->request.path, HasSubstr("&resourceVersion=&"));
  watch->Headers(200);
  watch->Data(Event("ADDED", ConfigMapJson("5", Data(ca_one_))));
  executor_.RunUntilIdle();
  EXPECT_EQ(ClientCaPem(), ca_one_);
}

TEST_F(ConfigMapAuthenticationTest, SkipLookupFlagsAndNoKubeconfig) {
  auto skip = New(With([](auto& o) { o.skip_lookup = true; }));
  EXPECT_FALSE(skip->reads_client_ca());
  EXPECT_FALSE(skip->reads_request_header());
  EXPECT_EQ(skip->request_header_authenticator(), nullptr);
  tls::TlsOptions tls;
  skip->ApplyTo(&tls);
  EXPECT_FALSE(tls.dynamic_client_cas);
  std::optional<absl::Status> outcome;
  skip->StartAsync(certs_.get(), [&](absl::Status s) { outcome = s; });
  executor_.RunUntilIdle();
  EXPECT_THAT(outcome, ::testing::Optional(IsOk()));
  EXPECT_EQ(client_->calls(), 0);

  auto no_client = ConfigMapAuthentication::New({}, nullptr, &executor_);
  EXPECT_FALSE(no_client->reads_client_ca());
  EXPECT_FALSE(no_client->reads_request_header());

  // --client-ca-file given: only the request-header part is read; its failure still fails start-up.
  auto rh_only = New(With([](auto& o) { o.client_ca_file_set = true; }));
  EXPECT_FALSE(rh_only->reads_client_ca());
  EXPECT_TRUE(rh_only->reads_request_header());
  EXPECT_THAT(StartAndAnswer(rh_only.get(), 200, ConfigMapJson("7", Data(ca_one_))), IsOk());
  EXPECT_EQ(ClientCaPem(), "");

  // --requestheader-client-ca-file given: only the client CA, and a failed read does not stop start-up (kube loads
  // the client CA in the background).
  auto ca_only = New(With([](auto& o) { o.requestheader_client_ca_file_set = true; }));
  EXPECT_TRUE(ca_only->reads_client_ca());
  EXPECT_EQ(ca_only->request_header_authenticator(), nullptr);
  EXPECT_THAT(StartAndAnswer(ca_only.get(), 403, kForbidden), IsOk());
}

}  // namespace
}  // namespace apiserve::authconfig
