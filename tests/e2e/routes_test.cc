// Every demo route over both protocols, request bodies up to and over the limit, streaming, asynchronous answers,
// the end of the chain, the index and OpenAPI with ETag/304, and the health endpoints' exact bodies.
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/apiserver_process.h"

namespace apiserve::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class RoutesTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    server_ = new ApiserverProcess({"--max-request-body-bytes=1048576"});
    ASSERT_TRUE(server_->Start().ok()) << server_->Log();
  }
  static void TearDownTestSuite() {
    server_->Signal(SIGTERM);
    EXPECT_EQ(server_->Wait(), 0);
    delete server_;
  }
  // The protocol flag of this instance: --http2 or --http1.1.
  CurlResult Get(const std::string& path, std::vector<std::string> extra = {}) {
    extra.insert(extra.begin(), GetParam());
    return Curl(*server_, path, extra);
  }
  std::string Version() const { return GetParam() == "--http2" ? "2" : "1.1"; }

  static ApiserverProcess* server_;
};

ApiserverProcess* RoutesTest::server_ = nullptr;

TEST_P(RoutesTest, DiscoveryGeneratedFromWhatIsInstalled) {
  for (const char* path : {"/apis", "/apis/demo.apiserve.io", "/apis/demo.apiserve.io/v1", "/version"}) {
    CurlResult r = Get(path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.http_version, Version()) << path;
    EXPECT_THAT(r.headers, HasSubstr("application/json")) << path;
    EXPECT_THAT(absl::AsciiStrToLower(r.headers), HasSubstr("cache-control: no-cache, private")) << path;
  }
  EXPECT_THAT(Get("/version").body, HasSubstr("\"gitVersion\""));
  // Only what is served is advertised: no core group, no apiextensions or apiregistration resources.
  EXPECT_EQ(Get("/apis").body,
            "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[{\"name\":\"demo.apiserve.io\",\"versions\":"
            "[{\"groupVersion\":\"demo.apiserve.io/v1\",\"version\":\"v1\"}],\"preferredVersion\":{\"groupVersion\":"
            "\"demo.apiserve.io/v1\",\"version\":\"v1\"}}]}\n");
  EXPECT_EQ(Get("/api").status, 404);
  EXPECT_EQ(Get("/api/v1/pods").status, 404);
  const std::string resources = Get("/apis/demo.apiserve.io/v1").body;
  EXPECT_THAT(resources, HasSubstr(R"({"name":"delay","singularName":"delay","namespaced":false,"kind":"Delay",)"
                                   R"("verbs":["list"]})"));
  EXPECT_THAT(resources, HasSubstr(R"({"name":"echo","singularName":"echo","namespaced":false,"kind":"Echo",)"
                                   R"("verbs":["create"]})"));
  EXPECT_THAT(resources, HasSubstr(R"({"name":"ticks","singularName":"tick","namespaced":false,"kind":"Tick",)"
                                   R"("verbs":["list"]})"));
  CurlResult unknown = Get("/apis/demo.apiserve.io/v1/pods");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_THAT(unknown.body, HasSubstr(R"("message":"the server could not find the requested resource")"));
}

TEST_P(RoutesTest, AggregatedDiscoveryWithETag) {
  const std::string accept =
      "Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
  CurlResult r = Get("/apis", {"-H", accept});
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.headers, HasSubstr("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"));
  EXPECT_THAT(r.body, StartsWith(R"({"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2",)"));
  EXPECT_THAT(r.body, HasSubstr(R"({"resource":"ticks","responseKind":{"group":"demo.apiserve.io","version":"v1",)"
                                R"("kind":"Tick"},"scope":"Cluster","singularResource":"tick","verbs":["list"]})"));
  const std::string lower = absl::AsciiStrToLower(r.headers);
  const size_t at = lower.find("etag: ");
  ASSERT_NE(at, std::string::npos);
  const std::string etag = r.headers.substr(at + 6, r.headers.find('\r', at) - at - 6);
  CurlResult not_modified = Get("/apis", {"-H", accept, "-H", "If-None-Match: " + etag});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.body, "");
}

TEST_P(RoutesTest, UnknownPathIs404AtTheEndOfTheChain) {
  CurlResult r = Get("/no/such/path");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "404 page not found\n");
}

TEST_P(RoutesTest, EchoUpToAndOverTheLimit) {
  const std::string dir = TempDir("echo");
  const std::string small = dir + "/small";
  const std::string big = dir + "/big";
  RunCommand({"sh", "-c",
              absl::StrCat("head -c 1048576 /dev/zero | tr '\\0' x > ", small,
                           "; head -c 1048577 /dev/zero | tr '\\0' y > ", big)});
  CurlResult ok =
      Get("/apis/demo.apiserve.io/v1/echo", {"--data-binary", "@" + small, "-H", "Content-Type: text/plain"});
  EXPECT_EQ(ok.status, 200) << "curl exit " << ok.exit_code << ": " << ok.err;
  EXPECT_EQ(ok.body.size(), 1048576u);
  EXPECT_EQ(ok.body.find_first_not_of('x'), std::string::npos);
  if (Version() == "2") {
    // curl 7.88 reports the 413 as a stream error because the server resets the unfinished upload (RST_STREAM
    // NO_ERROR after the response, as Go does); nghttp shows the frames.
    CommandResult over = RunCommand({"nghttp", "-v", "-d", big, server_->Url("/apis/demo.apiserve.io/v1/echo")});
    EXPECT_THAT(over.out, HasSubstr(":status: 413"));
    EXPECT_THAT(over.out, HasSubstr("Request entity too large: limit is 1048576"));
  } else {
    CurlResult over = Get("/apis/demo.apiserve.io/v1/echo", {"--data-binary", "@" + big});
    EXPECT_EQ(over.status, 413);
    EXPECT_THAT(over.body, HasSubstr(R"("reason":"RequestEntityTooLarge","code":413)"));
  }
  CurlResult get = Get("/apis/demo.apiserve.io/v1/echo");
  EXPECT_EQ(get.status, 405);
  EXPECT_THAT(get.body, HasSubstr(R"("reason":"MethodNotAllowed","details":{},"code":405})"));
}

TEST_P(RoutesTest, TicksStreamOneLinePerTick) {
  CurlResult r = Get("/apis/demo.apiserve.io/v1/ticks?count=5&interval=20ms", {"-N"});
  EXPECT_EQ(r.status, 200);
  std::vector<std::string> lines = absl::StrSplit(r.body, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 5u) << r.body;
  EXPECT_THAT(lines[0], StartsWith("{\"tick\":1,"));
  EXPECT_THAT(lines[4], StartsWith("{\"tick\":5,"));
  if (Version() == "1.1") {
    EXPECT_THAT(r.headers, HasSubstr("Transfer-Encoding: chunked"));
  }
  EXPECT_EQ(Get("/apis/demo.apiserve.io/v1/ticks?count=0").status, 400);
}

TEST_P(RoutesTest, DelayAnswersAsynchronously) {
  CurlResult r = Get("/apis/demo.apiserve.io/v1/delay?duration=150ms");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"delayed\":\"150ms\"}\n");
  CurlResult bad = Get("/apis/demo.apiserve.io/v1/delay?duration=soon");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, "invalid duration \"soon\": time: invalid duration \"soon\"\n");
}

TEST_P(RoutesTest, IndexAndOpenApiWithEtag) {
  CurlResult index = Get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_THAT(index.body, StartsWith("{\n  \"paths\": [\n"));
  for (const char* path : {"\"/apis\"", "\"/healthz\"", "\"/readyz/shutdown\"", "\"/openapi/v2\"", "\"/version\"",
                           "\"/apis/demo.apiserve.io\"", "\"/apis/demo.apiserve.io/v1\""}) {
    EXPECT_THAT(index.body, HasSubstr(path));
  }
  CurlResult v2 = Get("/openapi/v2");
  EXPECT_EQ(v2.status, 200);
  EXPECT_THAT(v2.body, HasSubstr("\"swagger\":\"2.0\""));
  EXPECT_THAT(v2.body, HasSubstr("/apis/demo.apiserve.io/v1/ticks"));
  const std::string lower = absl::AsciiStrToLower(v2.headers);
  const size_t at = lower.find("etag: ");
  ASSERT_NE(at, std::string::npos);
  const std::string etag = v2.headers.substr(at + 6, v2.headers.find('\r', at) - at - 6);
  CurlResult not_modified = Get("/openapi/v2", {"-H", "If-None-Match: " + etag});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.body, "");
  // The protobuf form client-go's OpenAPISchema() asks for: gnostic's Document, field 1 (swagger) first.
  CurlResult pb = Get("/openapi/v2", {"-H", "Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf"});
  EXPECT_EQ(pb.status, 200);
  EXPECT_THAT(absl::AsciiStrToLower(pb.headers),
              HasSubstr("content-type: application/com.github.proto-openapi.spec.v2.v1.0+protobuf\r\n"));
  EXPECT_THAT(pb.headers, HasSubstr(etag));
  EXPECT_THAT(pb.body, StartsWith(std::string("\x0a\x03"
                                              "2.0\x12",
                                              6)));
  CurlResult v3 = Get("/openapi/v3");
  EXPECT_THAT(v3.body, HasSubstr("\"apis/demo.apiserve.io/v1\":{\"serverRelativeURL\":\"/openapi/v3/apis/"));
  EXPECT_EQ(Get("/openapi/v3/apis/demo.apiserve.io/v1").status, 200);
}

TEST_P(RoutesTest, HealthEndpointsExactBodies) {
  CurlResult healthz = Get("/healthz");
  EXPECT_EQ(healthz.status, 200);
  EXPECT_EQ(healthz.body, "ok");
  EXPECT_THAT(absl::AsciiStrToLower(healthz.headers), HasSubstr("content-type: text/plain; charset=utf-8"));
  EXPECT_THAT(absl::AsciiStrToLower(healthz.headers), HasSubstr("x-content-type-options: nosniff"));
  // kube's default post-start hook for the max-in-flight filter (the demo keeps kube's limits, 400 and 200).
  EXPECT_EQ(Get("/healthz?verbose").body,
            "[+]ping ok\n[+]log ok\n[+]poststarthook/max-in-flight-filter ok\nhealthz check passed\n");
  EXPECT_EQ(Get("/livez?verbose").body,
            "[+]ping ok\n[+]log ok\n[+]poststarthook/max-in-flight-filter ok\nlivez check passed\n");
  EXPECT_EQ(Get("/readyz?verbose").body,
            "[+]ping ok\n[+]log ok\n[+]poststarthook/max-in-flight-filter ok\n[+]shutdown ok\nreadyz check passed\n");
  EXPECT_EQ(Get("/readyz?verbose&exclude=log&exclude=nope").body,
            "[+]ping ok\n[+]log excluded: ok\n[+]poststarthook/max-in-flight-filter ok\n[+]shutdown ok\n"
            "warn: some health checks cannot be excluded: no matches for \"nope\"\nreadyz check passed\n");
  EXPECT_EQ(Get("/readyz/poststarthook/max-in-flight-filter").body, "ok");
  EXPECT_EQ(Get("/readyz/shutdown").body, "ok");
  EXPECT_EQ(Get("/healthz/ping").body, "ok");
}

INSTANTIATE_TEST_SUITE_P(Protocols, RoutesTest, ::testing::Values("--http2", "--http1.1"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param == "--http2" ? std::string("h2") : std::string("h1");
                         });

}  // namespace
}  // namespace apiserve::e2e
