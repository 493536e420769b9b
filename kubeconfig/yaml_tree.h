#ifndef APISERVE_KUBECONFIG_YAML_TREE_H_
#define APISERVE_KUBECONFIG_YAML_TREE_H_

// kubeconfig::YamlNode: a YAML document as a small tree of scalars, sequences and mappings, parsed with libyaml's
// document loader (aliases resolved). Enough for kubeconfig files; tags and styles are dropped. Thread-compatible.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace apiserve::kubeconfig {

struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMapping };
  Kind kind = Kind::kNull;
  std::string scalar;                                   // kScalar
  std::vector<YamlNode> items;                          // kSequence
  std::vector<std::pair<std::string, YamlNode>> pairs;  // kMapping; keys are scalars, in document order
  int line = 0;                                         // 1-based line where the node starts

  // Find returns the value of `key` in a mapping, or null (also for a non-mapping).
  const YamlNode* Find(absl::string_view key) const;
};

// ParseYaml parses the first document of `content`. Errors: InvalidArgument "<source>: yaml: line N: <problem>"
// for malformed YAML, a non-scalar mapping key, or a document over 100 000 nodes once aliases are expanded. An
// empty document is a kNull root.
absl::StatusOr<YamlNode> ParseYaml(absl::string_view content, absl::string_view source);

}  // namespace apiserve::kubeconfig

#endif  // APISERVE_KUBECONFIG_YAML_TREE_H_
