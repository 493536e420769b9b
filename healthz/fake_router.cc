#include "healthz/fake_router.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace apiserve::healthz {

absl::Status FakeRouter::Add(absl::string_view path, http::HandlerPtr handler) {
  if (handlers_.count(path) > 0) return absl::AlreadyExistsError(absl::StrCat("duplicate path registration: ", path));
  handlers_.emplace(std::string(path), std::move(handler));
  order_.emplace_back(path);
  return absl::OkStatus();
}

absl::Status FakeRouter::Handle(absl::string_view path, http::HandlerPtr handler) {
  return Add(path, std::move(handler));
}

absl::Status FakeRouter::HandlePrefix(absl::string_view prefix, http::HandlerPtr handler) {
  return Add(prefix, std::move(handler));
}

absl::Status FakeRouter::UnlistedHandle(absl::string_view path, http::HandlerPtr handler) {
  return Add(path, std::move(handler));
}

absl::Status FakeRouter::UnlistedHandlePrefix(absl::string_view prefix, http::HandlerPtr handler) {
  return Add(prefix, std::move(handler));
}

http::HandlerPtr FakeRouter::Lookup(absl::string_view path) const {
  auto it = handlers_.find(path);
  return it == handlers_.end() ? nullptr : it->second;
}

}  // namespace apiserve::healthz
