#include "kubeconfig/yaml_tree.h"

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::kubeconfig {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;

TEST(YamlTreeTest, MappingsSequencesScalarsAndAliases) {
  auto root = ParseYaml(R"(a: 1
b: [x, "y", ~]
c:
  d: &anchor {e: f}
  g: *anchor
h: 'quoted: yes'
)",
                        "test.yaml");
  ASSERT_THAT(root, IsOk());
  ASSERT_EQ(root->kind, YamlNode::Kind::kMapping);
  EXPECT_EQ(root->Find("a")->scalar, "1");
  const YamlNode* b = root->Find("b");
  ASSERT_EQ(b->kind, YamlNode::Kind::kSequence);
  ASSERT_EQ(b->items.size(), 3u);
  EXPECT_EQ(b->items[1].scalar, "y");
  EXPECT_EQ(b->items[2].kind, YamlNode::Kind::kNull);
  EXPECT_EQ(root->Find("c")->Find("g")->Find("e")->scalar, "f");
  EXPECT_EQ(root->Find("h")->scalar, "quoted: yes");
  EXPECT_EQ(root->Find("c")->line, 4);
  EXPECT_EQ(root->Find("missing"), nullptr);
}

TEST(YamlTreeTest, EmptyDocumentIsNull) {
  auto root = ParseYaml("", "empty.yaml");
  ASSERT_THAT(root, IsOk());
  EXPECT_EQ(root->kind, YamlNode::Kind::kNull);
}

TEST(YamlTreeTest, MalformedYamlNamesTheLine) {
  EXPECT_THAT(ParseYaml("a: 1\nb: [unclosed\n", "bad.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::StartsWith("bad.yaml: yaml: line 3: ")));
  EXPECT_THAT(ParseYaml("a: 1\n  b: 2\n", "bad.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::StartsWith("bad.yaml: yaml: line 2: ")));
}

TEST(YamlTreeTest, NonScalarKeyIsRejected) {
  EXPECT_THAT(ParseYaml("? [a, b]\n: c\n", "k.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument, "k.yaml: yaml: line 1: mapping key is not a scalar"));
}

TEST(YamlTreeTest, AliasBombIsBounded) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    const char prev = static_cast<char>(c - 1);
    bomb += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
            ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n";
  }
  EXPECT_THAT(ParseYaml(bomb, "bomb.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("document too large")));
}

}  // namespace
}  // namespace apiserve::kubeconfig
