#ifndef APISERVE_CHAIN_DELEGATION_TARGET_H_
#define APISERVE_CHAIN_DELEGATION_TARGET_H_

// chain::DelegationTarget: one link of kube's server chain (aggregator → kube → apiextensions → not-found). A request
// no route of a server claims falls through to the next server's unprotected handler (its director, without
// filters: authentication and the rest run once, in the outermost server).
//
// What a server needs from the servers behind it (the installed API groups for discovery, the routes for OpenAPI
// and the long-running rules) it asks through this interface, each server answering for itself and then its
// delegate: no server reaches into another's fields, and any implementation — not only GenericServer — is honoured.
// A server flattens the long-running routes and resources of the whole chain into a table (chain/long_running_table.h)
// when routes change, not per request: a target whose Routes() or APIGroups() can change after it joined a chain
// tells its observers (AddChangeObserver).
//
// EmptyDelegate ends the chain: it has nothing but, optionally, a custom handler (kube-apiserver's terminal
// not-found handler, which answers 503 before MuxAndDiscoveryComplete and 404 after).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "chain/api_group.h"
#include "chain/hooks.h"
#include "chain/route_spec.h"
#include "healthz/health_checker.h"
#include "http/handler.h"
#include "lifecycle/signal.h"

namespace apiserve::chain {

class DelegationTarget {
 public:
  // ChangeObserver is told that the routes or API groups of a target, or of a target behind it, changed.
  class ChangeObserver {
   public:
    // OnRoutesChanged runs on the thread that made the change, after it is visible through Routes()/APIGroups().
    // It may call Routes() and APIGroups() on the target; it must not add or remove observers.
    virtual void OnRoutesChanged() = 0;

   protected:
    ~ChangeObserver() = default;
  };

  virtual ~DelegationTarget() = default;

  // UnprotectedHandler is the director (no filter chain); null for an EmptyDelegate without a custom handler.
  virtual http::HandlerPtr UnprotectedHandler() const = 0;
  virtual std::map<std::string, PostStartHookEntry> PostStartHookEntries() const = 0;
  virtual std::map<std::string, PreShutdownHookFunc> PreShutdownHookEntries() const = 0;
  // HealthzChecks are the /healthz registry's checks (kube inherits these into all three endpoints).
  virtual std::vector<healthz::HealthCheckerPtr> HealthzChecks() const = 0;
  // ListedPaths: the sorted union of listed paths down the chain.
  virtual std::vector<std::string> ListedPaths() const = 0;
  virtual DelegationTarget* NextDelegate() const = 0;
  // APIGroups: the API groups installed on this server, then on its delegates (outermost first), as discovery
  // publishes them. Thread-safe.
  virtual std::vector<std::shared_ptr<const APIGroupInfo>> APIGroups() const = 0;
  // Routes: the routes registered with HandleRoute on this server, then on its delegates; the long-running ones
  // (RouteSpec::long_running), with the long-running resources of APIGroups(), make the chain's long-running rules.
  // Thread-safe.
  virtual std::vector<RouteSpec> Routes() const = 0;
  // AddChangeObserver registers `observer` (borrowed: remove it before it is destroyed), told after every change to
  // Routes() or APIGroups() of this target or a delegate. The default ignores it: right for a target whose routes
  // and groups are fixed before a server is built in front of it. Thread-safe.
  virtual void AddChangeObserver(ChangeObserver* observer) { (void)observer; }
  // RemoveChangeObserver unregisters `observer`; when it returns, no call to it is running. Thread-safe.
  virtual void RemoveChangeObserver(ChangeObserver* observer) { (void)observer; }
  // PrepareDelegate is kube's PrepareRun on a delegate: install the delegate's endpoints (recursively).
  virtual absl::Status PrepareDelegate() = 0;
  // MuxAndDiscoveryCompleteSignals: every signal that must fire before the chain's paths are all installed.
  virtual std::map<std::string, lifecycle::Signal*> MuxAndDiscoveryCompleteSignals() const = 0;
  // Destroy releases resources; thread-safe and idempotent; also destroys the next delegate.
  virtual void Destroy() = 0;
};

class EmptyDelegate : public DelegationTarget {
 public:
  explicit EmptyDelegate(http::HandlerPtr custom_handler = nullptr) : handler_(std::move(custom_handler)) {}

  http::HandlerPtr UnprotectedHandler() const override { return handler_; }
  std::map<std::string, PostStartHookEntry> PostStartHookEntries() const override { return {}; }
  std::map<std::string, PreShutdownHookFunc> PreShutdownHookEntries() const override { return {}; }
  std::vector<healthz::HealthCheckerPtr> HealthzChecks() const override { return {}; }
  std::vector<std::string> ListedPaths() const override { return {}; }
  DelegationTarget* NextDelegate() const override { return nullptr; }
  std::vector<std::shared_ptr<const APIGroupInfo>> APIGroups() const override { return {}; }
  std::vector<RouteSpec> Routes() const override { return {}; }
  absl::Status PrepareDelegate() override { return absl::OkStatus(); }
  std::map<std::string, lifecycle::Signal*> MuxAndDiscoveryCompleteSignals() const override { return {}; }
  void Destroy() override {}

 private:
  const http::HandlerPtr handler_;
};

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_DELEGATION_TARGET_H_
