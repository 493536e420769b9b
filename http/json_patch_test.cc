#include "http/json_patch.h"

#include <string>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::http {
namespace {

using ::apiserve::base::StatusIs;

JsonValue Json(absl::string_view text) {
  absl::StatusOr<JsonValue> value = ParseJson(text);
  EXPECT_TRUE(value.ok()) << text << ": " << value.status();
  return value.ok() ? *std::move(value) : JsonValue();
}

std::string Merge(absl::string_view target, absl::string_view patch) {
  JsonValue doc = Json(target);
  ApplyMergePatch(&doc, Json(patch));
  return doc.Serialize();
}

// The examples of RFC 7386 Appendix A.
TEST(MergePatchTest, Rfc7386Examples) {
  EXPECT_EQ(Merge(R"({"a":"b"})", R"({"a":"c"})"), R"({"a":"c"})");
  EXPECT_EQ(Merge(R"({"a":"b"})", R"({"b":"c"})"), R"({"a":"b","b":"c"})");
  EXPECT_EQ(Merge(R"({"a":"b"})", R"({"a":null})"), R"({})");
  EXPECT_EQ(Merge(R"({"a":"b","b":"c"})", R"({"a":null})"), R"({"b":"c"})");
  EXPECT_EQ(Merge(R"({"a":["b"]})", R"({"a":"c"})"), R"({"a":"c"})");
  EXPECT_EQ(Merge(R"({"a":"c"})", R"({"a":["b"]})"), R"({"a":["b"]})");
  EXPECT_EQ(Merge(R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})"), R"({"a":{"b":"d"}})");
  EXPECT_EQ(Merge(R"({"a":[{"b":"c"}]})", R"({"a":[1]})"), R"({"a":[1]})");
  EXPECT_EQ(Merge(R"(["a","b"])", R"(["c","d"])"), R"(["c","d"])");
  EXPECT_EQ(Merge(R"({"a":"b"})", R"(["c"])"), R"(["c"])");
  EXPECT_EQ(Merge(R"({"a":"foo"})", "null"), "null");
  EXPECT_EQ(Merge(R"({"a":"foo"})", R"("bar")"), R"("bar")");
  EXPECT_EQ(Merge(R"({"e":null})", R"({"a":1})"), R"({"e":null,"a":1})");
  EXPECT_EQ(Merge(R"([1,2])", R"({"a":"b","c":null})"), R"({"a":"b"})");
  EXPECT_EQ(Merge(R"({})", R"({"a":{"bb":{"ccc":null}}})"), R"({"a":{"bb":{}}})");
}

TEST(MergePatchTest, KubectlLabelPatch) {
  EXPECT_EQ(Merge(R"({"metadata":{"name":"n","labels":{"a":"1"}},"spec":{"text":"t"}})",
                  R"({"metadata":{"labels":{"a":null,"k":"v"}}})"),
            R"({"metadata":{"name":"n","labels":{"k":"v"}},"spec":{"text":"t"}})");
}

TEST(MergePatchTest, LargePatchUsesTheIndexAndKeepsOrder) {
  std::string target = "{", patch = "{";
  for (int i = 0; i < 40; ++i) {
    target += (i ? "," : "") + ("\"k" + std::to_string(i)) + "\":" + std::to_string(i);
    patch += (i ? "," : "") + ("\"k" + std::to_string(i * 2)) + "\":" + (i % 2 ? "null" : "0");
  }
  JsonValue doc = Json(target + "}");
  ApplyMergePatch(&doc, Json(patch + "}"));
  EXPECT_EQ(doc.Find("k0")->number_text(), "0");
  EXPECT_EQ(doc.Find("k2"), nullptr);  // i = 1: null
  EXPECT_EQ(doc.Find("k4")->number_text(), "0");
  EXPECT_EQ(doc.Find("k1")->number_text(), "1");
  EXPECT_EQ(doc.Find("k76")->number_text(), "0");  // appended
  EXPECT_EQ(doc.object()[0].first, "k0");
  EXPECT_EQ(doc.object()[1].first, "k1");
}

std::string Patch(absl::string_view target, absl::string_view patch) {
  JsonValue doc = Json(target);
  absl::Status status = ApplyJsonPatch(&doc, Json(patch));
  if (!status.ok()) return std::string(status.message());
  return doc.Serialize();
}

// Examples of RFC 6902 Appendix A.
TEST(JsonPatchTest, Rfc6902Examples) {
  EXPECT_EQ(Patch(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])"), R"({"foo":"bar","baz":"qux"})");
  EXPECT_EQ(Patch(R"({"foo":["bar","baz"]})", R"([{"op":"add","path":"/foo/1","value":"qux"}])"),
            R"({"foo":["bar","qux","baz"]})");
  EXPECT_EQ(Patch(R"({"baz":"qux","foo":"bar"})", R"([{"op":"remove","path":"/baz"}])"), R"({"foo":"bar"})");
  EXPECT_EQ(Patch(R"({"foo":["bar","qux","baz"]})", R"([{"op":"remove","path":"/foo/1"}])"),
            R"({"foo":["bar","baz"]})");
  EXPECT_EQ(Patch(R"({"baz":"qux","foo":"bar"})", R"([{"op":"replace","path":"/baz","value":"boo"}])"),
            R"({"baz":"boo","foo":"bar"})");
  EXPECT_EQ(Patch(R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
                  R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])"),
            R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})");
  EXPECT_EQ(Patch(R"({"foo":["all","grass","cows","eat"]})", R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])"),
            R"({"foo":["all","cows","eat","grass"]})");
  EXPECT_EQ(Patch(R"({"baz":"qux","foo":["a",2,"c"]})",
                  R"([{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}])"),
            R"({"baz":"qux","foo":["a",2,"c"]})");
  EXPECT_EQ(Patch(R"({"baz":"qux"})", R"([{"op":"test","path":"/baz","value":"bar"}])"),
            R"(json patch operation 0 (test): test failed: the value at "/baz" is not "bar")");
  EXPECT_EQ(Patch(R"({"foo":"bar"})", R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])"),
            R"({"foo":"bar","child":{"grandchild":{}}})");
  EXPECT_EQ(Patch(R"({"foo":["bar"]})", R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])"),
            R"({"foo":["bar",["abc","def"]]})");
  EXPECT_EQ(Patch(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":10},{"op":"copy","from":"/~1",)"
                                        R"("path":"/c"}])"),
            R"({"/":9,"~1":10,"c":9})");
  EXPECT_EQ(Patch(R"({"a":1})", R"([{"op":"replace","path":"","value":[1]}])"), "[1]");
}

TEST(JsonPatchTest, ErrorsNameTheOperationAndLeaveTheDocumentUnchanged) {
  JsonValue doc = Json(R"({"a":{"b":1}})");
  EXPECT_THAT(
      ApplyJsonPatch(&doc, Json(R"([{"op":"add","path":"/c","value":1},{"op":"remove","path":"/x"}])")),
      StatusIs(absl::StatusCode::kFailedPrecondition, R"(json patch operation 1 (remove): path "/x" does not exist)"));
  EXPECT_EQ(doc.Serialize(), R"({"a":{"b":1}})");
  EXPECT_THAT(ApplyJsonPatch(&doc, Json(R"({"op":"add"})")),
              StatusIs(absl::StatusCode::kInvalidArgument, "json patch must be an array of operations"));
  EXPECT_THAT(ApplyJsonPatch(&doc, Json(R"([{"op":"frob","path":"/a"}])")),
              StatusIs(absl::StatusCode::kInvalidArgument, R"(json patch operation 0: unknown op "frob")"));
  EXPECT_THAT(ApplyJsonPatch(&doc, Json(R"([{"op":"add","path":"/a"}])")),
              StatusIs(absl::StatusCode::kInvalidArgument, R"(json patch operation 0 (add): missing "value")"));
  EXPECT_THAT(ApplyJsonPatch(&doc, Json(R"([{"op":"add","value":1}])")),
              StatusIs(absl::StatusCode::kInvalidArgument, R"(json patch operation 0 (add): missing "path")"));
  EXPECT_THAT(ApplyJsonPatch(&doc, Json(R"([{"op":"add","path":"a","value":1}])")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       R"(json patch operation 0 (add): path "a" does not start with '/')"));
  EXPECT_THAT(ApplyJsonPatch(&doc, Json(R"([{"op":"replace","path":"/a/c","value":1}])")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(
      ApplyJsonPatch(&doc, Json(R"([{"op":"add","path":"/x/y","value":1}])")),
      StatusIs(absl::StatusCode::kFailedPrecondition, R"(json patch operation 0 (add): path "/x/y" does not exist)"));
  EXPECT_THAT(ApplyJsonPatch(&doc, Json(R"([{"op":"move","from":"/a","path":"/a/b/c"}])")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  JsonValue list = Json(R"([1,2])");
  EXPECT_THAT(ApplyJsonPatch(&list, Json(R"([{"op":"add","path":"/3","value":1}])")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(ApplyJsonPatch(&list, Json(R"([{"op":"remove","path":"/01"}])")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(list.Serialize(), "[1,2]");
}

}  // namespace
}  // namespace apiserve::http
