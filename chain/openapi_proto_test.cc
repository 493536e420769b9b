#include "chain/openapi_proto.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "chain/openapi.h"
#include "chain/testing_groups.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/json_value.h"

namespace apiserve::chain {
namespace {

using ::testing::HasSubstr;

http::JsonValue Json(absl::string_view text) {
  absl::StatusOr<http::JsonValue> value = http::ParseJson(text);
  EXPECT_TRUE(value.ok()) << value.status();
  return value.ok() ? *std::move(value) : http::JsonValue();
}

// Protoc runs Debian's protoc on `bytes` with `args` ("--decode_raw", or "--decode=openapi.v2.Document" with the
// test's copy of gnostic's schema) and returns its output, or fails the test.
std::string Protoc(const std::string& bytes, const std::string& args) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = tmp != nullptr ? tmp : "/tmp";
  const std::string in = dir + "/openapi_v2.pb";
  const std::string out = dir + "/protoc.out";
  std::ofstream(in, std::ios::binary) << bytes;
  const std::string command = absl::StrCat("protoc ", args, " <", in, " >", out, " 2>&1");
  const int rc = std::system(command.c_str());
  std::ifstream file(out);
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rc, 0) << command << " (install protobuf-compiler: tools/bootstrap.sh)\n" << text;
  return text;
}

const char kDecode[] = "-I chain/testdata --decode=openapi.v2.Document openapiv2.proto";

TEST(YamlOfTest, ScalarsAndBlocks) {
  EXPECT_EQ(YamlOf(Json(R"("list")")), "list\n");
  EXPECT_EQ(YamlOf(Json(R"("list Note")")), "list Note\n");
  EXPECT_EQ(YamlOf(Json(R"("")")), "\"\"\n");
  EXPECT_EQ(YamlOf(Json(R"("true")")), "\"true\"\n");  // would read back as a bool
  EXPECT_EQ(YamlOf(Json(R"("No")")), "\"No\"\n");
  EXPECT_EQ(YamlOf(Json(R"("1.5")")), "\"1.5\"\n");  // would read back as a number
  EXPECT_EQ(YamlOf(Json(R"("a: b")")), "\"a: b\"\n");
  EXPECT_EQ(YamlOf(Json(R"("two\nlines")")), "\"two\\nlines\"\n");
  EXPECT_EQ(YamlOf(Json("1.5e3")), "1.5e3\n");
  EXPECT_EQ(YamlOf(Json("false")), "false\n");
  EXPECT_EQ(YamlOf(Json("null")), "null\n");
  EXPECT_EQ(YamlOf(Json("[]")), "[]\n");
  EXPECT_EQ(YamlOf(Json("{}")), "{}\n");
  EXPECT_EQ(YamlOf(Json(R"([{"group":"","kind":"Note","version":"v1"}])")),
            "- group: \"\"\n  kind: Note\n  version: v1\n");
  EXPECT_EQ(YamlOf(Json(R"({"a":{"b":[1,[2,3],{"c":"d","e":{}}]},"f":"g"})")),
            "a:\n    b:\n        - 1\n        - - 2\n          - 3\n        - c: d\n          e: {}\nf: g\n");
}

TEST(OpenApiProtoTest, ExactBytesOfASmallDocument) {
  absl::StatusOr<std::string> pb = OpenApiV2ToProtobuf(R"({"swagger":"2.0","info":{"title":"t","version":"v"}})");
  ASSERT_TRUE(pb.ok()) << pb.status();
  EXPECT_EQ(*pb, std::string("\x0a\x03"
                             "2.0"
                             "\x12\x06"
                             "\x0a\x01t\x12\x01v",
                             13));
  EXPECT_EQ(OpenApiV2ToProtobuf("[1]").status().message(), "OpenAPI v2 document is not a JSON object");
  EXPECT_FALSE(OpenApiV2ToProtobuf("{").ok());
}

std::vector<std::shared_ptr<const APIGroupInfo>> InstalledNotes() {
  APIGroupInfo notes = testing::NotesGroup();
  NormalizeAPIGroupInfo(&notes);
  return {std::make_shared<const APIGroupInfo>(std::move(notes))};
}

// The document /openapi/v2 serves for the Notes group and one plain route, decoded by protoc's own parser.
TEST(OpenApiProtoTest, ServedDocumentDecodesWithProtoc) {
  OpenApiDocuments docs =
      BuildOpenApi({{"/version", {"GET"}, "version", "application/json", false, false}}, InstalledNotes(), "test");
  ASSERT_TRUE(docs.v2_protobuf.ok()) << docs.v2_protobuf.status();
  // decode_raw needs no schema: the bytes are well-formed protobuf.
  const std::string raw = Protoc(*docs.v2_protobuf, "--decode_raw");
  EXPECT_THAT(raw, ::testing::StartsWith("1: \"2.0\"\n2 {\n  1: \"test\"\n  2: \"unversioned\"\n}\n8 {\n  2 {\n"));
  // With gnostic's field numbers, the document reads back as it was served.
  const std::string text = Protoc(*docs.v2_protobuf, kDecode);
  EXPECT_THAT(text, ::testing::StartsWith(
                        "swagger: \"2.0\"\ninfo {\n  title: \"test\"\n  version: \"unversioned\"\n}\n"
                        "paths {\n  path {\n    name: \"/apis/notes.example.io/v1/namespaces/{namespace}/notes\"\n"
                        "    value {\n      get {\n        description: \"list Note\"\n"
                        "        operation_id: \"listNotesExampleIoV1NamespacedNote\"\n"
                        "        produces: \"application/json\"\n        responses {\n"
                        "          response_code {\n            name: \"200\"\n            value {\n"
                        "              response {\n                description: \"OK\"\n"
                        "                schema {\n                  schema {\n"
                        "                    _ref: \"#/definitions/io.example.notes.v1.NoteList\"\n"));
  // Vendor extensions: NamedAny with the value as YAML.
  EXPECT_THAT(
      text,
      HasSubstr("        vendor_extension {\n          name: \"x-kubernetes-action\"\n"
                "          value {\n            yaml: \"list\\n\"\n          }\n        }\n"
                "        vendor_extension {\n          name: \"x-kubernetes-group-version-kind\"\n"
                "          value {\n            yaml: \"group: notes.example.io\\nkind: Note\\nversion: v1\\n\"\n"));
  // Parameters: query (fieldValidation on writes) and path ones, each in its NonBodyParameter sub-schema.
  EXPECT_THAT(text, HasSubstr("query_parameter_sub_schema {\n                in: \"query\"\n"
                              "                name: \"fieldValidation\"\n                type: \"string\"\n"
                              "                unique_items: true\n"));
  EXPECT_THAT(text, HasSubstr("path_parameter_sub_schema {\n              required: true\n              in: \"path\"\n"
                              "              name: \"namespace\"\n              type: \"string\"\n"));
  EXPECT_THAT(text, HasSubstr("  path {\n    name: \"/version\"\n    value {\n      get {\n"
                              "        description: \"version\"\n        operation_id: \"get/version\"\n"));
  // Definitions: the kind's schema, its list kind, and the list-form group-version-kind extension kubectl explain
  // looks a kind up by.
  EXPECT_THAT(text, HasSubstr("definitions {\n  additional_properties {\n    name: \"io.example.notes.v1.Note\"\n"
                              "    value {\n      type {\n        value: \"object\"\n      }\n      properties {\n"
                              "        additional_properties {\n          name: \"spec\"\n"));
  EXPECT_THAT(
      text,
      HasSubstr("      vendor_extension {\n        name: \"x-kubernetes-group-version-kind\"\n"
                "        value {\n          yaml: \"- group: notes.example.io\\n  kind: Note\\n  version: v1\\n\"\n"));
  EXPECT_THAT(text, HasSubstr("            items {\n              schema {\n"
                              "                _ref: \"#/definitions/io.example.notes.v1.Note\"\n"));
}

// Every construct the converter maps (chain/testdata/openapiv2_every_construct.txt is protoc's text of it), decoded by
// protoc and compared whole: a wrong field number or wire type shows up as a wrong name or an unknown field here.
TEST(OpenApiProtoTest, EveryConstructDecodesWithProtoc) {
  const char kDocument[] = R"json({
    "swagger": "2.0",
    "info": {"title": "t", "version": "1", "description": "d", "termsOfService": "tos",
             "contact": {"name": "c", "url": "u", "email": "e"}, "license": {"name": "l", "url": "lu"},
             "x-info": true},
    "host": "h", "basePath": "/b", "schemes": ["https"], "consumes": ["application/json"],
    "produces": ["application/yaml"],
    "paths": {
      "x-paths": 1,
      "/p/{id}": {
        "$ref": "#/x",
        "get": {
          "tags": ["t1"], "summary": "s", "externalDocs": {"url": "du"}, "consumes": ["c1"], "schemes": ["http"],
          "deprecated": true, "security": [{"bearer": ["read", "write"]}],
          "parameters": [
            {"name": "b", "in": "body", "required": true, "schema": {"$ref": "#/definitions/D"}},
            {"name": "h", "in": "header", "type": "integer", "format": "int32", "maximum": 10, "minimum": -1.5,
             "exclusiveMaximum": true, "x-h": "v"},
            {"name": "f", "in": "formData", "type": "array", "allowEmptyValue": true, "collectionFormat": "csv",
             "items": {"type": "string", "enum": ["a", "b"]}},
            {"name": "q", "in": "query", "type": "string", "default": "z", "maxLength": 5, "minLength": 1,
             "pattern": "^z", "enum": ["z", "y"], "multipleOf": 2},
            {"$ref": "#/parameters/P"}
          ],
          "responses": {
            "200": {"description": "ok", "headers": {"X-H": {"type": "string", "description": "hd"}},
                    "examples": {"application/json": {"k": "v"}}, "schema": {"type": "file"}},
            "default": {"$ref": "#/responses/R"},
            "x-r": "v"
          }
        },
        "parameters": [{"name": "id", "in": "path", "required": true, "type": "string", "uniqueItems": true}],
        "x-item": [1]
      }
    },
    "definitions": {
      "D": {
        "title": "T", "format": "f", "default": {"a": 1}, "maxItems": 3, "minItems": 1, "uniqueItems": true,
        "maxProperties": 4, "minProperties": 2, "required": ["a"], "discriminator": "a", "readOnly": true,
        "type": ["object", "null"], "additionalProperties": false, "example": "ex",
        "xml": {"name": "x", "namespace": "n", "prefix": "p", "attribute": true, "wrapped": true},
        "allOf": [{"$ref": "#/definitions/E"}],
        "properties": {"a": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]},
                       "m": {"type": "object", "additionalProperties": {"type": "string"}}},
        "x-kubernetes-preserve-unknown-fields": true,
        "nullable": true
      }
    },
    "parameters": {"P": {"name": "p", "in": "query", "type": "boolean"}},
    "responses": {"R": {"description": "r"}},
    "security": [{"basic": []}],
    "tags": [{"name": "tag", "description": "td", "externalDocs": {"url": "tu"}, "x-t": "v"}],
    "externalDocs": {"description": "ed", "url": "eu", "x-e": "v"},
    "x-doc": {"k": ["v"]}
  })json";
  absl::StatusOr<std::string> pb = OpenApiV2ToProtobuf(kDocument);
  ASSERT_TRUE(pb.ok()) << pb.status();
  std::ifstream golden("chain/testdata/openapiv2_every_construct.txt");
  const std::string expected((std::istreambuf_iterator<char>(golden)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(expected.empty());
  // Proto3: zero and empty scalars (none here) are absent; `"nullable"` (not Swagger 2.0) is dropped as gnostic
  // would refuse it; "y" is quoted in YAML (a YAML 1.1 bool); `additionalProperties: false` is written (a oneof).
  EXPECT_EQ(Protoc(*pb, kDecode), expected);
}

}  // namespace
}  // namespace apiserve::chain
