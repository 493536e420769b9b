#include "chain/openapi.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/testing.h"

namespace apiserve::chain {
namespace {

using ::testing::HasSubstr;

TEST(OpenApiTest, DocumentsListRoutesByGroup) {
  OpenApiDocuments docs =
      BuildOpenApi({{"/api/v1", {"GET"}, "core resources", "application/json", false, false},
                    {"/apis/demo.apiserve.io/v1/echo", {"POST"}, "echo the body", "application/json", false, false},
                    {"/version", {"GET"}, "version", "application/json", false, false}},
                   "test");
  EXPECT_THAT(docs.v2, HasSubstr("\"swagger\":\"2.0\""));
  EXPECT_THAT(docs.v2, HasSubstr("\"/apis/demo.apiserve.io/v1/echo\":{\"post\":{\"description\":\"echo the body\""));
  EXPECT_THAT(docs.v2, HasSubstr("\"/version\""));
  ASSERT_EQ(docs.v3_groups.size(), 2u);
  EXPECT_EQ(docs.v3_groups[0].first, "api/v1");
  EXPECT_EQ(docs.v3_groups[1].first, "apis/demo.apiserve.io/v1");
  EXPECT_THAT(docs.v3_groups[1].second, HasSubstr("\"openapi\":\"3.0.0\""));
  EXPECT_THAT(docs.v3_discovery, HasSubstr("\"apis/demo.apiserve.io/v1\":{\"serverRelativeURL\":\"/openapi/v3/apis/"
                                           "demo.apiserve.io/v1?hash="));
  EXPECT_THAT(docs.v3_discovery, ::testing::Not(HasSubstr("version")));
}

TEST(OpenApiTest, ETagAnd304) {
  auto handler = StaticJsonWithETag("{\"a\":1}");
  http::RecordedResponse first = http::ServeForTest(*handler, http::NewRequest("GET", "/openapi/v2"));
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "{\"a\":1}");
  const std::string etag(*first.headers.Get("ETag"));
  EXPECT_EQ(etag, ETagOf("{\"a\":1}"));
  EXPECT_EQ(etag.front(), '"');
  http::RequestPtr again = http::NewRequest("GET", "/openapi/v2");
  again->headers.Add("If-None-Match", "\"other\", " + etag);
  http::RecordedResponse second = http::ServeForTest(*handler, again);
  EXPECT_EQ(second.status, 304);
  EXPECT_EQ(second.body, "");
  EXPECT_EQ(second.headers.Get("ETag"), etag);
  http::RequestPtr stale = http::NewRequest("GET", "/openapi/v2");
  stale->headers.Add("If-None-Match", "\"stale\"");
  EXPECT_EQ(http::ServeForTest(*handler, stale).status, 200);
}

TEST(OpenApiTest, GzipWhenAccepted) {
  const std::string body(5000, 'a');
  auto handler = StaticJsonWithETag(body);
  http::RequestPtr request = http::NewRequest("GET", "/openapi/v2");
  request->headers.Add("Accept-Encoding", "deflate, gzip");
  http::RecordedResponse gz = http::ServeForTest(*handler, request);
  EXPECT_EQ(gz.headers.Get("Content-Encoding"), "gzip");
  EXPECT_EQ(gz.headers.Get("ETag"), ETagOf(body));
  ASSERT_GE(gz.body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(gz.body[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(gz.body[1]), 0x8b);
  EXPECT_LT(gz.body.size(), 100u);
  http::RequestPtr refused = http::NewRequest("GET", "/openapi/v2");
  refused->headers.Add("Accept-Encoding", "gzip;q=0");
  EXPECT_EQ(http::ServeForTest(*handler, refused).body, body);
  EXPECT_EQ(http::ServeForTest(*handler, http::NewRequest("GET", "/openapi/v2")).body, body);
}

}  // namespace
}  // namespace apiserve::chain
