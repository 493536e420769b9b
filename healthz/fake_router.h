#ifndef APISERVE_HEALTHZ_FAKE_ROUTER_H_
#define APISERVE_HEALTHZ_FAKE_ROUTER_H_

// FakeRouter: a test-only http::Router — a map from exact path to handler — standing in for chain::PathMux in
// healthz tests. Duplicate registrations fail with AlreadyExists. Not thread-safe: register, then serve.

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "http/handler.h"

namespace apiserve::healthz {

class FakeRouter : public http::Router {
 public:
  absl::Status Handle(absl::string_view path, http::HandlerPtr handler) override;
  absl::Status HandlePrefix(absl::string_view prefix, http::HandlerPtr handler) override;
  absl::Status UnlistedHandle(absl::string_view path, http::HandlerPtr handler) override;
  absl::Status UnlistedHandlePrefix(absl::string_view prefix, http::HandlerPtr handler) override;

  // Lookup returns the handler registered for exactly `path` (prefixes are stored with their trailing '/'), or null.
  http::HandlerPtr Lookup(absl::string_view path) const;
  // Paths returns every registered path, in registration order.
  const std::vector<std::string>& Paths() const { return order_; }

 private:
  absl::Status Add(absl::string_view path, http::HandlerPtr handler);

  std::map<std::string, http::HandlerPtr, std::less<>> handlers_;
  std::vector<std::string> order_;
};

}  // namespace apiserve::healthz

#endif  // APISERVE_HEALTHZ_FAKE_ROUTER_H_
