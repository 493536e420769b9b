#include "chain/openapi.h"

#include <memory>
#include <string>
#include <vector>

#include "chain/openapi_kinds.h"
#include "chain/path_mux.h"
#include "chain/testing_groups.h"
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

namespace apiserve::chain {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::shared_ptr<const APIGroupInfo>> InstalledNotes() {
  APIGroupInfo notes = testing::NotesGroup();
  NormalizeAPIGroupInfo(&notes);
  return {std::make_shared<const APIGroupInfo>(std::move(notes))};
}

// kube-openapi's caching rules, through the mux InstallOpenApi fills.
TEST(OpenApiCachingTest, V3HashIsImmutableStaleHashRedirectsV2VariesOnAccept) {
  OpenApiDocuments docs = BuildOpenApi({}, InstalledNotes(), "test");
  PathMux mux("test");
  ASSERT_TRUE(InstallOpenApi(&mux, docs).ok());
  const std::string& document = docs.v3_groups[0].second;
  const std::string etag = ETagOf(document);
  const std::string hash = etag.substr(1, etag.size() - 2);
  EXPECT_THAT(docs.v3_discovery, HasSubstr("/openapi/v3/apis/notes.example.io/v1?hash=" + hash));

  http::RecordedResponse current =
      http::ServeForTest(mux, http::NewRequest("GET", "/openapi/v3/apis/notes.example.io/v1?hash=" + hash));
  EXPECT_EQ(current.status, 200);
  EXPECT_EQ(current.headers.Get("Cache-Control"), "public, immutable");
  EXPECT_THAT(std::string(current.headers.Get("Expires").value_or("")), ::testing::EndsWith(" GMT"));
  EXPECT_EQ(current.body, document);

  http::RecordedResponse stale =
      http::ServeForTest(mux, http::NewRequest("GET", "/openapi/v3/apis/notes.example.io/v1?hash=0123"));
  EXPECT_EQ(stale.status, 301);
  EXPECT_EQ(stale.headers.Get("Location"), "/openapi/v3/apis/notes.example.io/v1?hash=" + hash);

  http::RecordedResponse unhashed =
      http::ServeForTest(mux, http::NewRequest("GET", "/openapi/v3/apis/notes.example.io/v1"));
  EXPECT_EQ(unhashed.status, 200);
  EXPECT_FALSE(unhashed.headers.Has("Cache-Control"));  // the chain's no-cache, private applies
  EXPECT_EQ(unhashed.headers.Get("ETag"), etag);

  http::RecordedResponse v2 = http::ServeForTest(mux, http::NewRequest("GET", "/openapi/v2"));
  EXPECT_EQ(v2.status, 200);
  EXPECT_THAT(v2.headers.GetAll("Vary"), ::testing::ElementsAre("Accept-Encoding", "Accept"));
  EXPECT_THAT(std::string(v2.headers.Get("Last-Modified").value_or("")), ::testing::EndsWith(" GMT"));
  EXPECT_EQ(v2.headers.Get("Content-Type"), "application/json");
  EXPECT_EQ(v2.body, docs.v2);
}

// client-go's OpenAPISchema() asks for the deprecated protobuf subtype only and has no JSON fallback.
TEST(OpenApiV2ProtobufTest, ProtobufFormByAcceptWithTheJsonETagVaryAndLastModified) {
  OpenApiDocuments docs = BuildOpenApi({}, InstalledNotes(), "test");
  ASSERT_TRUE(docs.v2_protobuf.ok());
  PathMux mux("test");
  ASSERT_TRUE(InstallOpenApi(&mux, docs).ok());
  http::RecordedResponse json = http::ServeForTest(mux, http::NewRequest("GET", "/openapi/v2"));
  for (const char* accept : {"application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
                             "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
                             "application/json;q=0.5, application/com.github.proto-openapi.spec.v2.v1.0+protobuf"}) {
    SCOPED_TRACE(accept);
    http::RequestPtr request = http::NewRequest("GET", "/openapi/v2");
    request->headers.Add("Accept", accept);
    http::RecordedResponse pb = http::ServeForTest(mux, request);
    EXPECT_EQ(pb.status, 200);
    EXPECT_EQ(pb.headers.Get("Content-Type"), "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    EXPECT_EQ(pb.body, *docs.v2_protobuf);
    EXPECT_EQ(pb.headers.Get("ETag"), json.headers.Get("ETag"));  // kube-openapi: the JSON's tag for both
    EXPECT_THAT(pb.headers.GetAll("Vary"), ::testing::ElementsAre("Accept-Encoding", "Accept"));
    EXPECT_EQ(pb.headers.Get("Last-Modified"), json.headers.Get("Last-Modified"));
  }
  // If-None-Match with the tag: 304 for the protobuf form too.
  http::RequestPtr cached = http::NewRequest("GET", "/openapi/v2");
  cached->headers.Add("Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
  cached->headers.Add("If-None-Match", std::string(*json.headers.Get("ETag")));
  http::RecordedResponse not_modified = http::ServeForTest(mux, cached);
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.headers.Get("Vary"), "Accept");
  // If-Modified-Since at or after Last-Modified: 304 (Go's http.ServeContent); earlier: 200.
  http::RequestPtr since = http::NewRequest("GET", "/openapi/v2");
  since->headers.Add("If-Modified-Since", std::string(*json.headers.Get("Last-Modified")));
  EXPECT_EQ(http::ServeForTest(mux, since).status, 304);
  http::RequestPtr before = http::NewRequest("GET", "/openapi/v2");
  before->headers.Add("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT");
  EXPECT_EQ(http::ServeForTest(mux, before).status, 200);
  // gzip applies to the protobuf form as to the JSON.
  http::RequestPtr gzip = http::NewRequest("GET", "/openapi/v2");
  gzip->headers.Add("Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
  gzip->headers.Add("Accept-Encoding", "gzip");
  http::RecordedResponse gz = http::ServeForTest(mux, gzip);
  EXPECT_EQ(gz.headers.Get("Content-Encoding"), "gzip");
  EXPECT_EQ(gz.headers.Get("Content-Type"), "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
  // Nothing acceptable: 406, empty, still Vary: Accept.
  http::RequestPtr html = http::NewRequest("GET", "/openapi/v2");
  html->headers.Add("Accept", "text/html");
  http::RecordedResponse refused = http::ServeForTest(mux, html);
  EXPECT_EQ(refused.status, 406);
  EXPECT_EQ(refused.body, "");
  EXPECT_EQ(refused.headers.Get("Vary"), "Accept");
}

TEST(OpenApiV2ProtobufTest, NegotiationFollowsKubeOpenApi) {
  const std::string pb = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
  EXPECT_EQ(NegotiateOpenApiV2(""), OpenApiV2Format::kJson);
  EXPECT_EQ(NegotiateOpenApiV2("*/*"), OpenApiV2Format::kJson);
  EXPECT_EQ(NegotiateOpenApiV2("*"), OpenApiV2Format::kJson);
  EXPECT_EQ(NegotiateOpenApiV2("application/*"), OpenApiV2Format::kJson);
  EXPECT_EQ(NegotiateOpenApiV2("application/json"), OpenApiV2Format::kJson);
  EXPECT_EQ(NegotiateOpenApiV2("Application/JSON"), OpenApiV2Format::kJson);
  EXPECT_EQ(NegotiateOpenApiV2(pb), OpenApiV2Format::kProtobuf);
  EXPECT_EQ(NegotiateOpenApiV2(pb + ", application/json"), OpenApiV2Format::kProtobuf);  // header order at equal q
  EXPECT_EQ(NegotiateOpenApiV2("application/json, " + pb), OpenApiV2Format::kJson);
  EXPECT_EQ(NegotiateOpenApiV2(pb + ";q=0.9, application/json"), OpenApiV2Format::kJson);  // higher q first
  EXPECT_EQ(NegotiateOpenApiV2("*/*, " + pb), OpenApiV2Format::kProtobuf);                 // a concrete type before */*
  EXPECT_EQ(NegotiateOpenApiV2("application/json;q=0, " + pb + ";q=0.1"), OpenApiV2Format::kProtobuf);
  EXPECT_EQ(NegotiateOpenApiV2("application/json;q=0"), OpenApiV2Format::kNone);
  EXPECT_EQ(NegotiateOpenApiV2("text/html, text/plain;q=0.5"), OpenApiV2Format::kNone);
  EXPECT_EQ(NegotiateOpenApiV2("application/com.github.proto-openapi.spec.v2.v1.0+protobuf;charset=x"),
            OpenApiV2Format::kProtobuf);
  EXPECT_EQ(NegotiateOpenApiV2("garbage"), OpenApiV2Format::kNone);
}

TEST(OpenApiKindsTest, DefinitionNamesAndTheGroupVersionKindExtension) {
  EXPECT_EQ(OpenApiDefinitionName("notes.example.io", "v1", "Note"), "io.example.notes.v1.Note");
  EXPECT_EQ(OpenApiDefinitionName("", "v1", "Pod"), "io.k8s.api.core.v1.Pod");
  EXPECT_EQ(WithGroupVersionKind(R"( {"type":"object"} )", "g.io", "v1", "K"),
            R"({"type":"object","x-kubernetes-group-version-kind":[{"group":"g.io","kind":"K","version":"v1"}]})");
  EXPECT_EQ(WithGroupVersionKind("{}", "", "v1", "K"),
            R"({"x-kubernetes-group-version-kind":[{"group":"","kind":"K","version":"v1"}]})");
}

TEST(OpenApiKindsTest, InstalledKindsAreInBothDocuments) {
  OpenApiDocuments docs = BuildOpenApi({}, InstalledNotes(), "test");
  EXPECT_THAT(docs.v2,
              HasSubstr(R"("definitions":{"io.example.notes.v1.Note":{"type":"object","properties":{"spec":)"));
  EXPECT_THAT(docs.v2, HasSubstr(R"("io.example.notes.v1.NoteList":{"description":"NoteList is a list of Note",)"));
  EXPECT_THAT(docs.v2,
              HasSubstr(R"("items":{"type":"array","items":{"$ref":"#/definitions/io.example.notes.v1.Note"}})"));
  ASSERT_EQ(docs.v3_groups.size(), 1u);
  EXPECT_EQ(docs.v3_groups[0].first, "apis/notes.example.io/v1");
  const std::string& v3 = docs.v3_groups[0].second;
  EXPECT_THAT(v3, HasSubstr(R"("components":{"schemas":{"io.example.notes.v1.Note":)"));
  // Operations: kube's ids and actions; the item kind in x-kubernetes-group-version-kind, also on lists.
  EXPECT_THAT(v3, HasSubstr(R"("/apis/notes.example.io/v1/namespaces/{namespace}/notes":{"get":{"description":)"
                            R"("list Note","operationId":"listNotesExampleIoV1NamespacedNote","responses":{"200":)"
                            R"({"description":"OK","content":{"application/json":{"schema":{"$ref":)"
                            R"("#/components/schemas/io.example.notes.v1.NoteList"}}}}},"x-kubernetes-action":"list",)"
                            R"("x-kubernetes-group-version-kind":{"group":"notes.example.io","kind":"Note",)"
                            R"("version":"v1"}},"post":)"));
  EXPECT_THAT(v3, HasSubstr(R"("operationId":"listNotesExampleIoV1NoteForAllNamespaces")"));
  EXPECT_THAT(v3, HasSubstr(R"("operationId":"replaceNotesExampleIoV1NamespacedNoteStatus")"));
  EXPECT_THAT(v3, HasSubstr(R"("parameters":[{"name":"namespace","in":"path","required":true,"schema":)"
                            R"({"type":"string"}},{"name":"name","in":"path","required":true,"schema":)"));
  EXPECT_THAT(v3, HasSubstr(R"("/apis/notes.example.io/v1/shelves/{name}":{"get":)"));
  EXPECT_THAT(v3, Not(HasSubstr(R"("/apis/notes.example.io/v1/shelves/{name}":{"get":{"description":"get Shelf",)"
                                R"("operationId":"readNotesExampleIoV1Shelf","responses":{"200":{"description":"OK",)"
                                R"("content")")));  // no schema for Shelf: no $ref
  EXPECT_THAT(docs.v3_discovery, HasSubstr(R"("apis/notes.example.io/v1":{"serverRelativeURL":)"));
  // Writes list kube's fieldManager and fieldValidation query parameters: kubectl validates on the server when the
  // kind's PATCH operation has fieldValidation (and would otherwise want the protobuf v2 document).
  EXPECT_THAT(v3,
              HasSubstr(R"("patch":{"description":"patch Note","operationId":"patchNotesExampleIoV1NamespacedNote",)"
                        R"("parameters":[{"name":"fieldManager","in":"query","schema":{"type":"string",)"
                        R"("uniqueItems":true}},{"name":"fieldValidation","in":"query","schema":{"type":"string",)"
                        R"("uniqueItems":true}}])"));
  EXPECT_THAT(docs.v2, HasSubstr(R"({"name":"fieldValidation","in":"query","type":"string","uniqueItems":true})"));
}

}  // namespace
}  // namespace apiserve::chain
