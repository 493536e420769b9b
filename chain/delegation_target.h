#ifndef APISERVE_CHAIN_DELEGATION_TARGET_H_
#define APISERVE_CHAIN_DELEGATION_TARGET_H_

// chain::DelegationTarget: one link of kube's server chain (aggregator → kube → apiextensions → not-found). A request
// no route of a server claims falls through to the next server's unprotected handler (its director, without
// filters: authentication and the rest run once, in the outermost server).
//
// EmptyDelegate ends the chain: it has nothing but, optionally, a custom handler (kube-apiserver's terminal
// not-found handler, which answers 503 before MuxAndDiscoveryComplete and 404 after).

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "chain/hooks.h"
#include "healthz/health_checker.h"
#include "http/handler.h"
#include "lifecycle/signal.h"

namespace apiserve::chain {

class DelegationTarget {
 public:
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
  absl::Status PrepareDelegate() override { return absl::OkStatus(); }
  std::map<std::string, lifecycle::Signal*> MuxAndDiscoveryCompleteSignals() const override { return {}; }
  void Destroy() override {}

 private:
  const http::HandlerPtr handler_;
};

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_DELEGATION_TARGET_H_
