#ifndef APISERVE_CHAIN_PATH_MUX_H_
#define APISERVE_CHAIN_PATH_MUX_H_

// chain::PathMux: kube's PathRecorderMux. Routes a request by path: exact paths first, then prefixes ("/x/": more
// segments first, then longer, then reverse lexicographic), then the not-found handler (in a delegation chain: the
// next server's director).
//
// Registration may happen at any time, also while serving: every change builds a new routing table and publishes it
// through an atomic pointer, so lookups take no lock and touch no shared counter. Old tables are kept until the mux
// is destroyed (registrations are few: they happen while servers are built and prepared). A duplicate registration is
// an error (AlreadyExists naming the path), where Go's mux logs and replaces. Lookup allocates nothing and costs one
// hash lookup per '/' in the path.
//
// Thread-safe.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "base/mutex.h"
#include "http/handler.h"

namespace apiserve::chain {

class PathMux : public http::Router, public http::Handler {
 public:
  // `name` is used in log lines. `not_found` answers unmatched paths (404 text when null).
  explicit PathMux(std::string name, http::HandlerPtr not_found = nullptr);

  absl::Status Handle(absl::string_view path, http::HandlerPtr handler) override;
  absl::Status HandlePrefix(absl::string_view prefix, http::HandlerPtr handler) override;
  absl::Status UnlistedHandle(absl::string_view path, http::HandlerPtr handler) override;
  absl::Status UnlistedHandlePrefix(absl::string_view prefix, http::HandlerPtr handler) override;

  // NotFoundHandler replaces the handler for unmatched paths.
  void NotFoundHandler(http::HandlerPtr handler);

  // Lookup returns the handler for `path` (the not-found handler if nothing matches).
  http::HandlerPtr Lookup(absl::string_view path) const;

  // ListedPaths returns the listed exact paths and prefixes, sorted.
  std::vector<std::string> ListedPaths() const;

  void Serve(http::RequestPtr request, http::ResponseWriter writer) override;

 private:
  struct Table {
    absl::flat_hash_map<std::string, http::HandlerPtr> exact;
    absl::flat_hash_map<std::string, http::HandlerPtr> prefix;
    http::HandlerPtr not_found;
  };

  // Route finds the handler for `path` in `table`.
  static const http::HandlerPtr& Route(const Table& table, absl::string_view path);
  absl::Status Register(absl::string_view path, http::HandlerPtr handler, bool prefix, bool listed);
  const Table* table() const { return table_.load(std::memory_order_acquire); }
  void Publish(std::unique_ptr<Table> next) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string name_;
  mutable base::Mutex mu_;  // serializes writers; readers use the atomic table
  std::vector<std::string> listed_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<const Table>> tables_ ABSL_GUARDED_BY(mu_);  // every table ever published
  std::atomic<const Table*> table_{nullptr};
};

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_PATH_MUX_H_
