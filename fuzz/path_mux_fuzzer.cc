// Fuzzes chain::PathMux against a plain model: random registrations (exact, prefix, listed or not, bad paths,
// duplicates) interleaved with lookups of random paths. The model keeps two maps and picks the longest registered
// prefix of the path, which is what "more segments first, then longer" means for prefixes that all end in '/'.
//
// Input: operations until the input ends, each an opcode byte then a length-prefixed path.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "chain/path_mux.h"
#include "http/handler.h"

namespace apiserve::chain {
namespace {

void Check(bool condition, const char* what, absl::string_view path) {
  if (!condition) {
    fprintf(stderr, "path_mux_fuzzer: check failed: %s (path \"%.*s\")\n", what, static_cast<int>(path.size()),
            path.data());
    abort();
  }
}

http::HandlerPtr NewHandler() {
  return http::HandlerFunc([](http::RequestPtr, http::ResponseWriter) {});
}

struct Model {
  std::map<std::string, http::HandlerPtr> exact;
  std::map<std::string, http::HandlerPtr> prefix;
  std::vector<std::string> listed;
  http::HandlerPtr not_found;

  http::HandlerPtr Route(absl::string_view path) const {
    if (auto it = exact.find(std::string(path)); it != exact.end()) return it->second;
    const http::HandlerPtr* best = nullptr;
    size_t best_length = 0;
    for (const auto& [p, handler] : prefix) {
      if (absl::StartsWith(path, p) && (best == nullptr || p.size() > best_length)) {
        best = &handler;
        best_length = p.size();
      }
    }
    return best != nullptr ? *best : not_found;
  }
};

void FuzzOne(absl::string_view data) {
  Model model;
  model.not_found = NewHandler();
  PathMux mux("fuzz", model.not_found);
  while (data.size() >= 2) {
    const uint8_t op = static_cast<uint8_t>(data[0]);
    const size_t length = std::min<size_t>(static_cast<uint8_t>(data[1]), data.size() - 2);
    const absl::string_view path = data.substr(2, length);
    data.remove_prefix(2 + length);
    switch (op % 4) {
      case 0: {  // register
        const bool prefix = op & 0x10;
        const bool listed = op & 0x20;
        http::HandlerPtr handler = NewHandler();
        absl::Status status = prefix
                                  ? (listed ? mux.HandlePrefix(path, handler) : mux.UnlistedHandlePrefix(path, handler))
                                  : (listed ? mux.Handle(path, handler) : mux.UnlistedHandle(path, handler));
        const bool valid = !path.empty() && path[0] == '/' && (!prefix || path.back() == '/');
        auto& map = prefix ? model.prefix : model.exact;
        if (!valid) {
          Check(status.code() == absl::StatusCode::kInvalidArgument, "a bad path is InvalidArgument", path);
        } else if (map.count(std::string(path)) > 0) {
          Check(status.code() == absl::StatusCode::kAlreadyExists, "a duplicate is AlreadyExists", path);
        } else {
          Check(status.ok(), "a new path registers", path);
          map.emplace(std::string(path), handler);
          if (listed) model.listed.emplace_back(path);
        }
        break;
      }
      case 1:  // replace the not-found handler
        model.not_found = NewHandler();
        mux.NotFoundHandler(model.not_found);
        break;
      default:  // look up
        Check(mux.Lookup(path) == model.Route(path), "Lookup agrees with the model", path);
        break;
    }
  }
  std::vector<std::string> listed = model.listed;
  std::sort(listed.begin(), listed.end());
  Check(mux.ListedPaths() == listed, "ListedPaths agrees with the model", "");
}

}  // namespace
}  // namespace apiserve::chain

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  apiserve::chain::FuzzOne(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
