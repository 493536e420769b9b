#ifndef APISERVE_CHAIN_GENERIC_SERVER_H_
#define APISERVE_CHAIN_GENERIC_SERVER_H_

// chain::GenericServer: one server of the delegation chain (kube's GenericAPIServer), and PreparedServer, the only
// thing server::Run accepts (kube's preparedGenericAPIServer: PrepareRun's result; it has no Run of its own, so
// chain/ does not depend on server/).
//
//   EmptyDelegate not_found(chain::TerminalNotFoundHandler());
//   ASSIGN_OR_RETURN(auto kube, GenericServer::New(ServerConfig{.name = "kube-apiserver"}, &not_found));
//   ASSIGN_OR_RETURN(auto aggregator, GenericServer::New(ServerConfig{.name = "kube-aggregator"}, kube.get()));
//   RETURN_IF_ERROR(kube->HandleRoute({.path = "/version", .methods = {"GET"}, .summary = "..."}, handler));
//   RETURN_IF_ERROR(kube->InstallAPIGroup(notes_group));   // chain/api_group.h
//   ASSIGN_OR_RETURN(PreparedServer prepared, aggregator->PrepareRun());
//   server::Run(std::move(prepared), serving, stop);
//
// API groups: InstallAPIGroup / InstallLegacyAPIGroup register, on this server's mux, the group version's resource
// list (/apis/<g>/<v>, listed), the routing of its resource paths (chain/api_dispatch.h: 404/405 Status bodies), and
// /apis/<g> (or /api). Every server serves /apis (installed by New). Discovery documents show the groups of the
// server that answers and of every server behind it (DelegationTarget::APIGroups), so the outermost server's /apis
// and /api list the whole chain; requests for a group version fall through the muxes to the server that installed
// it. A group version may be installed on one server of a chain only.
//
// Construction (reference §2.2): unmatched paths go to the delegate's director; the delegate's hooks are copied, then
// kube's default post-start hooks that apiserve has semantics for are added unless a delegate already has them
// (below), and the delegate's /healthz checks join all three endpoints (names already among this config's checks are
// skipped); listed paths are the union down the chain. PrepareRun (§2.5): the delegate first, then /version
// (config.version), /openapi/v2, /openapi/v3, /healthz, /livez, the readyz `shutdown` check, /readyz; then, on the
// outermost server only, /metrics, /metrics/slis and /debug/flags/v (chain/metrics_endpoints.h, chain/debug_flags.h).
// After it, checks and hooks are refused with kube's messages; routes may still be added (the mux swaps its table
// atomically).
//
// Default post-start hooks (kube's server/config.go New), each with its "poststarthook/<name>" check on /healthz,
// /livez and /readyz:
// - `max-in-flight-filter`, when max_requests_inflight + max_mutating_requests_inflight > 0: starts the watermark
//   maintenance behind apiserver_current_inflight_requests (every second the in-flight watermarks roll over,
//   RollInFlightWatermarks); it stops at Destroy.
// Not registered, because apiserve has nothing they would start: `generic-apiserver-start-informers` (and readyz's
// `informer-sync`: no shared informer factory), `priority-and-fairness-config-consumer` and
// `priority-and-fairness-filter` (no API Priority and Fairness: max in-flight is the only limiter), and
// `storage-object-count-tracker-hook` (no storage).
//
// Threading: build on one thread; once serving, handlers run on the event loops; registration methods are
// thread-safe.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/executor.h"
#include "base/metrics/registry.h"
#include "chain/delegation_target.h"
#include "chain/filters/auth.h"
#include "chain/filters/max_in_flight.h"
#include "chain/filters/request_metrics.h"
#include "chain/hooks.h"
#include "chain/long_running_table.h"
#include "chain/openapi.h"
#include "chain/path_mux.h"
#include "chain/server_config.h"
#include "chain/wait_group.h"
#include "chain/watch_tracker.h"
#include "healthz/health_registries.h"
#include "lifecycle/lifecycle_signals.h"
#include "lifecycle/signal.h"

namespace apiserve::chain {

class PreparedServer;

class GenericServer : public DelegationTarget {
 public:
  // New builds a server in front of `delegate` (borrowed; must outlive this server; null = EmptyDelegate).
  static absl::StatusOr<std::unique_ptr<GenericServer>> New(ServerConfig config, DelegationTarget* delegate);
  ~GenericServer() override;

  // HandleRoute registers `handler` for `spec.path` (exact, or prefix when spec.prefix) and records the route for
  // OpenAPI and the long-running rules. AlreadyExists for a taken path.
  absl::Status HandleRoute(RouteSpec spec, http::HandlerPtr handler);
  // InstallAPIGroup installs a named group (kube's InstallAPIGroup): validated (InvalidArgument naming every
  // problem), then routed and published in discovery at once. OpenAPI documents are built by PrepareRun: a group
  // installed after it is served and discovered but not in /openapi. AlreadyExists when one of its group versions is
  // installed on this server or a delegate, or one of its paths is taken (the server is then partly installed).
  absl::Status InstallAPIGroup(APIGroupInfo group);
  // InstallLegacyAPIGroup installs the core group (name "") under /api (kube's InstallLegacyAPIGroup).
  absl::Status InstallLegacyAPIGroup(APIGroupInfo group);
  // mux gives direct access for unlisted or undocumented routes.
  PathMux& mux() { return *mux_; }

  absl::Status AddPostStartHook(const std::string& name, PostStartHookFunc hook);
  absl::Status AddPreShutdownHook(const std::string& name, PreShutdownHookFunc hook);
  healthz::HealthRegistries& health() { return *health_; }
  // RegisterMuxAndDiscoveryCompleteSignal: `name already registered` on duplicates. `signal` is borrowed.
  absl::Status RegisterMuxAndDiscoveryCompleteSignal(const std::string& name, lifecycle::Signal* signal);

  // PrepareRun installs the generic endpoints (see above) and returns the prepared server. FailedPrecondition if
  // called twice.
  absl::StatusOr<PreparedServer> PrepareRun();

  // Handler is the full handler chain (filters, then the director). Built at construction.
  http::HandlerPtr Handler() const { return handler_; }
  const ServerConfig& config() const { return config_; }
  lifecycle::LifecycleSignals& signals() { return signals_; }
  SafeWaitGroup& non_long_running_requests() { return wait_group_; }
  // watches tracks in-flight watches (only with a watch termination grace period).
  WatchTracker& watches() { return watches_; }
  InFlightCounters& in_flight() { return in_flight_; }
  // PreShutdownHooksRun runs this server's pre-shutdown hooks (its own and inherited ones), each bounded.
  absl::Status RunPreShutdownHooks() { return pre_shutdown_hooks_.Run(config_.pre_shutdown_hook_timeout); }
  void RunPostStartHooks(const PostStartHookContext& context) { post_start_hooks_.Run(context); }

  // DelegationTarget.
  http::HandlerPtr UnprotectedHandler() const override { return mux_; }
  std::map<std::string, PostStartHookEntry> PostStartHookEntries() const override;
  std::map<std::string, PreShutdownHookFunc> PreShutdownHookEntries() const override;
  std::vector<healthz::HealthCheckerPtr> HealthzChecks() const override { return health_->HealthzChecks(); }
  std::vector<std::string> ListedPaths() const override;
  DelegationTarget* NextDelegate() const override { return delegate_; }
  std::vector<std::shared_ptr<const APIGroupInfo>> APIGroups() const override;
  std::vector<RouteSpec> Routes() const override;
  void AddChangeObserver(ChangeObserver* observer) override;
  void RemoveChangeObserver(ChangeObserver* observer) override;
  absl::Status PrepareDelegate() override;
  std::map<std::string, lifecycle::Signal*> MuxAndDiscoveryCompleteSignals() const override;
  void Destroy() override;

  // IsLongRunning reports whether a long-running route or API resource of this server or a delegate serves
  // `request` (`info` is its parsed request info): a lookup in the chain's long-running table, rebuilt whenever a
  // route or group is added here or behind (DelegationTarget::ChangeObserver). Lock-free, allocation-free.
  bool IsLongRunning(const http::Request& request, const RequestInfo& info) const {
    return long_running_.load(std::memory_order_acquire)->Matches(request.path, info);
  }

  // kMaxInFlightFilterHook is the name of the default hook that maintains the in-flight watermarks.
  static constexpr char kMaxInFlightFilterHook[] = "max-in-flight-filter";

  // AddDestroyFunc registers cleanup run (in order) by Destroy.
  void AddDestroyFunc(std::function<void()> fn);

 private:
  GenericServer(ServerConfig config, DelegationTarget* delegate);
  absl::Status InstallGenericEndpoints();
  http::HandlerPtr BuildHandlerChain();
  absl::Status Install(APIGroupInfo info, bool legacy);
  absl::Status InstallUnnotified(APIGroupInfo info, bool legacy);
  // RoutesChanged rebuilds the long-running table from Routes() and APIGroups(), then tells the observers.
  void RoutesChanged();
  // StartWatermarkMaintenance starts the thread that rolls the in-flight watermarks every second (once).
  void StartWatermarkMaintenance();
  void StopWatermarkMaintenance();

  const ServerConfig config_;
  DelegationTarget* const delegate_;
  EmptyDelegate empty_;
  std::shared_ptr<PathMux> mux_;
  std::unique_ptr<healthz::HealthRegistries> health_;
  PostStartHooks post_start_hooks_;
  PreShutdownHooks pre_shutdown_hooks_;
  lifecycle::LifecycleSignals signals_;
  SafeWaitGroup wait_group_;
  WatchTracker watches_;
  InFlightCounters in_flight_;
  std::unique_ptr<RequestMetrics> request_metrics_;  // only for a registry other than the default
  base::metrics::CollectorHandle in_flight_collector_;
  base::metrics::CollectorHandle request_body_collector_;
  http::HandlerPtr handler_;

  // This server's API groups: an immutable list published through an atomic pointer, so the per-request
  // long-running check takes no lock; every list published is kept until the server is destroyed (installs are few).
  using GroupList = std::vector<std::shared_ptr<const APIGroupInfo>>;
  std::atomic<const GroupList*> groups_{nullptr};

  mutable base::Mutex mu_;
  std::vector<std::unique_ptr<const GroupList>> group_lists_ ABSL_GUARDED_BY(mu_);
  std::vector<RouteSpec> routes_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, lifecycle::Signal*> mux_complete_signals_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> destroy_funcs_ ABSL_GUARDED_BY(mu_);
  bool prepared_ ABSL_GUARDED_BY(mu_) = false;
  bool delegate_prepared_ ABSL_GUARDED_BY(mu_) = false;
  // The max-in-flight-filter hook's thread; `watermark_stop_` ends it.
  std::thread watermark_thread_ ABSL_GUARDED_BY(mu_);
  lifecycle::Signal watermark_stop_{"in-flight watermark maintenance stopped"};
  std::atomic<bool> destroyed_{false};

  // The delegate tells this server when its routes or groups change.
  struct DelegateObserver final : ChangeObserver {
    explicit DelegateObserver(GenericServer* server) : server(server) {}
    virtual ~DelegateObserver() = default;
    void OnRoutesChanged() override { server->RoutesChanged(); }
    GenericServer* const server;
  };
  DelegateObserver delegate_observer_{this};

  // The chain's long-running table, published for lock-free reads; every table built is kept until the server is
  // destroyed (rebuilt only when routes or groups are added, which is rare).
  std::atomic<const LongRunningTable*> long_running_{nullptr};
  base::Mutex table_mu_;  // serializes rebuilds; taken before mu_ (Routes())
  std::vector<std::unique_ptr<const LongRunningTable>> tables_ ABSL_GUARDED_BY(table_mu_);
  // Held while observers are told, so RemoveChangeObserver waits for a call in progress.
  base::Mutex observers_mu_;
  std::vector<ChangeObserver*> observers_ ABSL_GUARDED_BY(observers_mu_);
};

// PreparedServer: a GenericServer whose endpoints are installed. Move-only; only server::Run accepts it.
class PreparedServer {
 public:
  PreparedServer(PreparedServer&&) = default;
  PreparedServer& operator=(PreparedServer&&) = default;
  GenericServer& server() const { return *server_; }

 private:
  friend class GenericServer;
  explicit PreparedServer(GenericServer* server) : server_(server) {}
  GenericServer* server_;
};

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_GENERIC_SERVER_H_
