#include "chain/path_mux.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "http/kube_status.h"
#include "http/response.h"

namespace apiserve::chain {
namespace {

http::HandlerPtr DefaultNotFound() {
  static const http::HandlerPtr* const handler =
      new http::HandlerPtr(http::StaticHandler(http::Shared(http::NotFoundTextResponse())));
  return *handler;
}

}  // namespace

PathMux::PathMux(std::string name, http::HandlerPtr not_found) : name_(std::move(name)) {
  auto table = std::make_unique<Table>();
  table->not_found = not_found ? std::move(not_found) : DefaultNotFound();
  base::MutexLock lock(&mu_);
  Publish(std::move(table));
}

absl::Status PathMux::Handle(absl::string_view path, http::HandlerPtr handler) {
  return Register(path, std::move(handler), /*prefix=*/false, /*listed=*/true);
}
absl::Status PathMux::HandlePrefix(absl::string_view prefix, http::HandlerPtr handler) {
  return Register(prefix, std::move(handler), /*prefix=*/true, /*listed=*/true);
}
absl::Status PathMux::UnlistedHandle(absl::string_view path, http::HandlerPtr handler) {
  return Register(path, std::move(handler), /*prefix=*/false, /*listed=*/false);
}
absl::Status PathMux::UnlistedHandlePrefix(absl::string_view prefix, http::HandlerPtr handler) {
  return Register(prefix, std::move(handler), /*prefix=*/true, /*listed=*/false);
}

absl::Status PathMux::Register(absl::string_view path, http::HandlerPtr handler, bool prefix, bool listed) {
  if (path.empty() || path[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat("path \"", path, "\" must start with \"/\""));
  }
  if (prefix && path.back() != '/') {
    return absl::InvalidArgumentError(absl::StrCat("prefix \"", path, "\" must end with \"/\""));
  }
  if (!handler) return absl::InvalidArgumentError(absl::StrCat("nil handler for \"", path, "\""));
  base::MutexLock lock(&mu_);
  const Table* old = table();
  const auto& map = prefix ? old->prefix : old->exact;
  if (map.contains(path)) {
    return absl::AlreadyExistsError(absl::StrCat("duplicate path registration of \"", path, "\" in ", name_));
  }
  auto next = std::make_unique<Table>(*old);
  (prefix ? next->prefix : next->exact).emplace(std::string(path), std::move(handler));
  Publish(std::move(next));
  if (listed) listed_.emplace_back(path);
  return absl::OkStatus();
}

void PathMux::NotFoundHandler(http::HandlerPtr handler) {
  base::MutexLock lock(&mu_);
  auto next = std::make_unique<Table>(*table());
  next->not_found = handler ? std::move(handler) : DefaultNotFound();
  Publish(std::move(next));
}

void PathMux::Publish(std::unique_ptr<Table> next) {
  table_.store(next.get(), std::memory_order_release);
  tables_.push_back(std::move(next));
}

const http::HandlerPtr& PathMux::Route(const Table& table, absl::string_view path) {
  if (auto it = table.exact.find(path); it != table.exact.end()) return it->second;
  if (!table.prefix.empty()) {
    // Every registered prefix ends in '/': try the path cut after each '/', longest (most segments) first.
    size_t end = path.rfind('/');
    while (end != absl::string_view::npos) {
      if (auto it = table.prefix.find(path.substr(0, end + 1)); it != table.prefix.end()) return it->second;
      if (end == 0) break;
      end = path.rfind('/', end - 1);
    }
  }
  return table.not_found;
}

http::HandlerPtr PathMux::Lookup(absl::string_view path) const { return Route(*table(), path); }

void PathMux::Serve(http::RequestPtr request, http::ResponseWriter writer) {
  const http::HandlerPtr& handler = Route(*table(), request->path);
  handler->Serve(std::move(request), std::move(writer));
}

std::vector<std::string> PathMux::ListedPaths() const {
  base::MutexLock lock(&mu_);
  std::vector<std::string> paths = listed_;
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace apiserve::chain
