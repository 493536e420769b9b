#include "kubeconfig/yaml_tree.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "yaml.h"

namespace apiserve::kubeconfig {
namespace {

constexpr int kMaxNodes = 100000;
constexpr int kMaxDepth = 100;

// RAII owners for libyaml's parser and document.
class Parser {
 public:
  Parser() { ok_ = yaml_parser_initialize(&parser_) == 1; }
  ~Parser() {
    if (ok_) yaml_parser_delete(&parser_);
  }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  bool ok() const { return ok_; }
  yaml_parser_t* get() { return &parser_; }

 private:
  yaml_parser_t parser_{};
  bool ok_ = false;
};

class Document {
 public:
  Document() = default;
  ~Document() {
    if (loaded_) yaml_document_delete(&document_);
  }
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;
  yaml_document_t* get() { return &document_; }
  void set_loaded() { loaded_ = true; }

 private:
  yaml_document_t document_{};
  bool loaded_ = false;
};

struct Converter {
  yaml_document_t* document;
  absl::string_view source;
  int nodes = 0;

  absl::Status Error(int line, absl::string_view problem) const {
    return absl::InvalidArgumentError(absl::StrCat(source, ": yaml: line ", line, ": ", problem));
  }

  absl::Status Convert(yaml_node_t* node, int depth, YamlNode* out) {
    out->line = static_cast<int>(node->start_mark.line) + 1;
    if (++nodes > kMaxNodes) return Error(out->line, "document too large (alias expansion?)");
    if (depth > kMaxDepth) return Error(out->line, "nested too deeply");
    switch (node->type) {
      case YAML_SCALAR_NODE: {
        const std::string value(reinterpret_cast<const char*>(node->data.scalar.value), node->data.scalar.length);
        const bool plain = node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (plain && (value.empty() || value == "~" || value == "null" || value == "Null" || value == "NULL")) {
          out->kind = YamlNode::Kind::kNull;
        } else {
          out->kind = YamlNode::Kind::kScalar;
          out->scalar = value;
        }
        return absl::OkStatus();
      }
      case YAML_SEQUENCE_NODE: {
        out->kind = YamlNode::Kind::kSequence;
        for (yaml_node_item_t* item = node->data.sequence.items.start; item < node->data.sequence.items.top; ++item) {
          yaml_node_t* child = yaml_document_get_node(document, *item);
          if (child == nullptr) return Error(out->line, "dangling sequence item");
          out->items.emplace_back();
          if (absl::Status status = Convert(child, depth + 1, &out->items.back()); !status.ok()) return status;
        }
        return absl::OkStatus();
      }
      case YAML_MAPPING_NODE: {
        out->kind = YamlNode::Kind::kMapping;
        for (yaml_node_pair_t* pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; ++pair) {
          yaml_node_t* key = yaml_document_get_node(document, pair->key);
          yaml_node_t* value = yaml_document_get_node(document, pair->value);
          if (key == nullptr || value == nullptr) return Error(out->line, "dangling mapping pair");
          if (key->type != YAML_SCALAR_NODE) {
            return Error(static_cast<int>(key->start_mark.line) + 1, "mapping key is not a scalar");
          }
          out->pairs.emplace_back(
              std::string(reinterpret_cast<const char*>(key->data.scalar.value), key->data.scalar.length), YamlNode());
          if (absl::Status status = Convert(value, depth + 1, &out->pairs.back().second); !status.ok()) {
            return status;
          }
        }
        return absl::OkStatus();
      }
      default:
        out->kind = YamlNode::Kind::kNull;
        return absl::OkStatus();
    }
  }
};

}  // namespace

const YamlNode* YamlNode::Find(absl::string_view key) const {
  if (kind != Kind::kMapping) return nullptr;
  for (const auto& [name, value] : pairs) {
    if (name == key) return &value;
  }
  return nullptr;
}

absl::StatusOr<YamlNode> ParseYaml(absl::string_view content, absl::string_view source) {
  Parser parser;
  if (!parser.ok()) return absl::InternalError("yaml_parser_initialize failed");
  yaml_parser_set_input_string(parser.get(), reinterpret_cast<const unsigned char*>(content.data()), content.size());
  Document document;
  if (yaml_parser_load(parser.get(), document.get()) != 1) {
    const yaml_parser_t* p = parser.get();
    return absl::InvalidArgumentError(absl::StrCat(source, ": yaml: line ", p->problem_mark.line + 1, ": ",
                                                   p->problem != nullptr ? p->problem : "parse error",
                                                   p->context != nullptr ? absl::StrCat(" ", p->context) : ""));
  }
  document.set_loaded();
  YamlNode root;
  yaml_node_t* node = yaml_document_get_root_node(document.get());
  if (node == nullptr) return root;  // empty document
  Converter converter{document.get(), source};
  if (absl::Status status = converter.Convert(node, 0, &root); !status.ok()) return status;
  return root;
}

}  // namespace apiserve::kubeconfig
