#include "chain/generic_server.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "chain/api_dispatch.h"
#include "chain/debug_flags.h"
#include "chain/discovery_handlers.h"
#include "chain/filters/access_log.h"
#include "chain/filters/body_limit.h"
#include "chain/filters/context_filters.h"
#include "chain/filters/goaway.h"
#include "chain/filters/panic_recovery.h"
#include "chain/filters/request_metrics.h"
#include "chain/filters/response_headers.h"
#include "chain/filters/shutdown_filters.h"
#include "chain/filters/timeout.h"
#include "chain/metrics_endpoints.h"
#include "chain/version.h"
#include "healthz/log_check.h"
#include "healthz/ping_check.h"
#include "http/json_writer.h"
#include "http/response.h"

namespace apiserve::chain {
namespace {

// IndexHandler answers `{"paths": [...]}` (json.MarshalIndent, no trailing newline) with `status`; the paths are
// read at request time, so routes added later appear.
http::HandlerPtr IndexHandler(const DelegationTarget* server, int status) {
  return http::HandlerFunc([server, status](http::RequestPtr, http::ResponseWriter writer) {
    http::JsonWriter json("  ");
    json.BeginObject();
    json.Key("paths");
    json.BeginArray();
    for (const std::string& path : server->ListedPaths()) json.String(path);
    json.EndArray();
    json.EndObject();
    writer.Send(http::JsonResponse(status, json.Take())).IgnoreError();
  });
}

std::vector<healthz::HealthCheckerPtr> DefaultChecks(const ServerConfig& config) {
  if (!config.health_checks.empty()) return config.health_checks;
  return {healthz::PingCheck(), healthz::LogCheck()};
}

}  // namespace

GenericServer::GenericServer(ServerConfig config, DelegationTarget* delegate)
    : config_(std::move(config)), delegate_(delegate != nullptr ? delegate : &empty_) {}

GenericServer::~GenericServer() {
  post_start_hooks_.Wait();  // they may use this server (the max-in-flight hook does)
  delegate_->RemoveChangeObserver(&delegate_observer_);
  StopWatermarkMaintenance();
}

void GenericServer::StartWatermarkMaintenance() {
  base::MutexLock lock(&mu_);
  if (watermark_thread_.joinable() || watermark_stop_.HasFired()) return;
  watermark_thread_ = std::thread([this] {
    // kube's inflightUsageMetricUpdatePeriod.
    while (!watermark_stop_.WaitFor(absl::Seconds(1))) RollInFlightWatermarks();
  });
}

void GenericServer::StopWatermarkMaintenance() {
  std::thread thread;
  {
    base::MutexLock lock(&mu_);
    watermark_stop_.Fire();
    thread.swap(watermark_thread_);
  }
  if (thread.joinable()) thread.join();
}

absl::StatusOr<std::unique_ptr<GenericServer>> GenericServer::New(ServerConfig config, DelegationTarget* delegate) {
  if (config.livez_grace_period > absl::ZeroDuration() && config.clock == nullptr) {
    return absl::InvalidArgumentError("a clock is required for a livez grace period");
  }
  std::unique_ptr<GenericServer> server(new GenericServer(std::move(config), delegate));
  GenericServer& s = *server;
  http::HandlerPtr not_found = s.delegate_->UnprotectedHandler();
  if (!not_found && s.config_.enable_index) not_found = IndexHandler(&s, 404);
  s.mux_ = std::make_shared<PathMux>(s.config_.name, std::move(not_found));
  s.delegate_->AddChangeObserver(&s.delegate_observer_);
  s.RoutesChanged();

  healthz::HealthRegistriesOptions health;
  health.clock = s.config_.clock;
  health.livez_grace_period = s.config_.livez_grace_period;
  health.config_healthz_checks = DefaultChecks(s.config_);
  health.config_livez_checks = DefaultChecks(s.config_);
  health.config_readyz_checks = DefaultChecks(s.config_);
  s.health_ = std::make_unique<healthz::HealthRegistries>(std::move(health));

  // The delegate's hooks run from the outermost server; its /healthz checks join all three endpoints here.
  for (const auto& [name, entry] : s.delegate_->PostStartHookEntries()) {
    RETURN_IF_ERROR(s.post_start_hooks_.AddEntry(name, entry));
  }
  for (const auto& [name, hook] : s.delegate_->PreShutdownHookEntries()) {
    RETURN_IF_ERROR(s.pre_shutdown_hooks_.Add(name, hook));
  }
  // kube's default hooks for what apiserve has (see the header), unless a delegate registered them already.
  if (s.config_.max_requests_inflight + s.config_.max_mutating_requests_inflight > 0 &&
      s.post_start_hooks_.Entries().count(kMaxInFlightFilterHook) == 0) {
    RETURN_IF_ERROR(s.AddPostStartHook(kMaxInFlightFilterHook, [&s](const PostStartHookContext&) {
      s.StartWatermarkMaintenance();
      return absl::OkStatus();
    }));
  }
  RETURN_IF_ERROR(s.health_->AddDelegateHealthChecks(s.delegate_->HealthzChecks()));
  for (const auto& [name, signal] : s.delegate_->MuxAndDiscoveryCompleteSignals()) {
    RETURN_IF_ERROR(s.RegisterMuxAndDiscoveryCompleteSignal(name, signal));
  }

  // kube's installAPI: every server serves /apis (its groups and its delegates').
  RETURN_IF_ERROR(s.mux_->Handle("/apis", RootDiscoveryHandler([&s] { return s.APIGroups(); }, /*legacy=*/false)));
  if (s.config_.enable_index) {
    RETURN_IF_ERROR(s.mux_->UnlistedHandle("/", IndexHandler(&s, 200)));
    RETURN_IF_ERROR(s.mux_->UnlistedHandle("/index.html", IndexHandler(&s, 200)));
  }
  s.handler_ = s.BuildHandlerChain();
  return server;
}

http::HandlerPtr GenericServer::BuildHandlerChain() {
  // Innermost first; the request meets them in the reverse order (DESIGN §8).
  http::HandlerPtr h = mux_;
  h = WithRequestBodyLimit(std::move(h), config_.max_request_body_bytes);
  h = WithAuthorization(std::move(h), config_.authorizer ? config_.authorizer : auth::AlwaysAllowAuthorizer());
  // kube's order: authentication before max in-flight, so a bad credential is a 401 (not a 429) and system:masters
  // is exempt from the limit.
  h = WithMaxInFlightLimit(std::move(h), config_.max_requests_inflight, config_.max_mutating_requests_inflight,
                           &in_flight_);
  h = WithAuthentication(std::move(h), config_.authenticator ? config_.authenticator : auth::AnonymousAuthenticator(),
                         config_.unauthenticated_http2_dos_mitigation, config_.request_header_config);
  h = WithRequestTimeout(std::move(h), config_.request_timeout);
  h = WithWaitGroup(std::move(h), &wait_group_);
  if (config_.shutdown_watch_termination_grace_period > absl::ZeroDuration()) {
    h = WithWatchTerminationDuringShutdown(std::move(h), &watches_);
  }
  if (config_.goaway_chance > 0) h = WithProbabilisticGoaway(std::move(h), config_.goaway_chance);
  h = WithResponseHeaders(std::move(h), config_.hsts_directives);
  if (config_.shutdown_send_retry_after) h = WithRetryAfter(std::move(h), signals_.not_accepting_new_request.get());
  if (config_.request_metrics) {
    RequestMetrics* metrics = &RequestMetrics::Default();
    if (config_.metrics != nullptr) {
      request_metrics_ = std::make_unique<RequestMetrics>(config_.metrics);
      metrics = request_metrics_.get();
    }
    h = WithRequestMetrics(std::move(h), metrics);
  }
  h = WithAccessLog(std::move(h));
  h = WithRequestInfo(std::move(h), [this](const http::Request& request, const RequestInfo& info) {
    return IsLongRunning(request, info);
  });
  h = WithRequestReceivedTimestamp(std::move(h));
  h = WithMuxAndDiscoveryComplete(std::move(h), &signals_.mux_and_discovery_complete);
  h = WithPanicRecovery(std::move(h));
  return WithAuditId(std::move(h));
}

void GenericServer::RoutesChanged() {
  {
    base::MutexLock lock(&table_mu_);
    std::unique_ptr<const LongRunningTable> table = LongRunningTable::Build(Routes(), APIGroups());
    long_running_.store(table.get(), std::memory_order_release);
    tables_.push_back(std::move(table));
  }
  base::MutexLock lock(&observers_mu_);
  for (ChangeObserver* observer : observers_) observer->OnRoutesChanged();
}

void GenericServer::AddChangeObserver(ChangeObserver* observer) {
  base::MutexLock lock(&observers_mu_);
  observers_.push_back(observer);
}

void GenericServer::RemoveChangeObserver(ChangeObserver* observer) {
  base::MutexLock lock(&observers_mu_);
  observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
}

absl::Status GenericServer::InstallAPIGroup(APIGroupInfo group) { return Install(std::move(group), /*legacy=*/false); }

absl::Status GenericServer::InstallLegacyAPIGroup(APIGroupInfo group) {
  return Install(std::move(group), /*legacy=*/true);
}

absl::Status GenericServer::Install(APIGroupInfo info, bool legacy) {
  absl::Status status = InstallUnnotified(std::move(info), legacy);
  RoutesChanged();  // also after an error: the server may be partly installed
  return status;
}

absl::Status GenericServer::InstallUnnotified(APIGroupInfo info, bool legacy) {
  RETURN_IF_ERROR(ValidateAPIGroupInfo(info, legacy));
  NormalizeAPIGroupInfo(&info);
  base::MutexLock lock(&mu_);
  bool group_known_here = false;
  const GroupList* own = groups_.load(std::memory_order_acquire);
  if (own != nullptr) {
    for (const auto& installed : *own) group_known_here = group_known_here || installed->name == info.name;
  }
  for (const std::shared_ptr<const APIGroupInfo>& installed : APIGroups()) {
    if (installed->name != info.name) continue;
    for (const APIGroupVersion& version : info.versions) {
      for (const APIGroupVersion& other : installed->versions) {
        if (other.version == version.version) {
          return absl::AlreadyExistsError(
              absl::StrCat("API group version ", GroupVersionString(info.name, version.version),
                           " is already installed on ", config_.name, " or a server it delegates to"));
        }
      }
    }
  }
  auto group = std::make_shared<const APIGroupInfo>(std::move(info));
  for (size_t i = 0; i < group->versions.size(); ++i) {
    const std::string path = GroupVersionPath(group->name, group->versions[i].version);
    RETURN_IF_ERROR(mux_->Handle(path, ResourceListHandler(*group, group->versions[i])));
    RETURN_IF_ERROR(mux_->UnlistedHandlePrefix(path + "/", GroupVersionHandler(group, i)));
  }
  if (!group_known_here) {
    APIGroupsSource source = [this] { return APIGroups(); };
    RETURN_IF_ERROR(legacy ? mux_->Handle("/api", RootDiscoveryHandler(std::move(source), /*legacy=*/true))
                           : mux_->Handle(absl::StrCat("/apis/", group->name),
                                          GroupDiscoveryHandler(std::move(source), group->name)));
  }
  auto next = std::make_unique<GroupList>(own != nullptr ? *own : GroupList());
  next->push_back(std::move(group));
  groups_.store(next.get(), std::memory_order_release);
  group_lists_.push_back(std::move(next));
  return absl::OkStatus();
}

std::vector<std::shared_ptr<const APIGroupInfo>> GenericServer::APIGroups() const {
  std::vector<std::shared_ptr<const APIGroupInfo>> groups;
  if (const GroupList* own = groups_.load(std::memory_order_acquire); own != nullptr) groups = *own;
  for (auto& group : delegate_->APIGroups()) groups.push_back(std::move(group));
  return groups;
}

absl::Status GenericServer::HandleRoute(RouteSpec spec, http::HandlerPtr handler) {
  RETURN_IF_ERROR(spec.prefix ? mux_->HandlePrefix(spec.path, std::move(handler))
                              : mux_->Handle(spec.path, std::move(handler)));
  {
    base::MutexLock lock(&mu_);
    routes_.push_back(std::move(spec));
  }
  RoutesChanged();
  return absl::OkStatus();
}

absl::Status GenericServer::AddPostStartHook(const std::string& name, PostStartHookFunc hook) {
  ASSIGN_OR_RETURN(std::shared_ptr<healthz::PostStartHookCheck> check, post_start_hooks_.Add(name, std::move(hook)));
  return health_->AddBootSequenceHealthChecks({check});
}

absl::Status GenericServer::AddPreShutdownHook(const std::string& name, PreShutdownHookFunc hook) {
  return pre_shutdown_hooks_.Add(name, std::move(hook));
}

absl::Status GenericServer::RegisterMuxAndDiscoveryCompleteSignal(const std::string& name, lifecycle::Signal* signal) {
  base::MutexLock lock(&mu_);
  if (mux_complete_signals_.count(name) > 0) return absl::AlreadyExistsError(absl::StrCat(name, " already registered"));
  mux_complete_signals_.emplace(name, signal);
  return absl::OkStatus();
}

std::map<std::string, lifecycle::Signal*> GenericServer::MuxAndDiscoveryCompleteSignals() const {
  base::MutexLock lock(&mu_);
  return mux_complete_signals_;
}

std::map<std::string, PostStartHookEntry> GenericServer::PostStartHookEntries() const {
  return post_start_hooks_.Entries();
}

std::map<std::string, PreShutdownHookFunc> GenericServer::PreShutdownHookEntries() const {
  return pre_shutdown_hooks_.Entries();
}

std::vector<std::string> GenericServer::ListedPaths() const {
  std::set<std::string> paths;
  for (const std::string& path : mux_->ListedPaths()) paths.insert(path);
  for (const std::string& path : delegate_->ListedPaths()) paths.insert(path);
  return std::vector<std::string>(paths.begin(), paths.end());
}

std::vector<RouteSpec> GenericServer::Routes() const {
  std::vector<RouteSpec> routes;
  {
    base::MutexLock lock(&mu_);
    routes = routes_;
  }
  for (RouteSpec& route : delegate_->Routes()) routes.push_back(std::move(route));
  return routes;
}

absl::Status GenericServer::InstallGenericEndpoints() {
  RETURN_IF_ERROR(InstallOpenApi(mux_.get(), BuildOpenApi(Routes(), APIGroups(), config_.name)));
  RETURN_IF_ERROR(health_->InstallHealthz(mux_.get()));
  RETURN_IF_ERROR(health_->InstallLivez(mux_.get()));
  return health_->InstallReadyz(mux_.get(), &signals_.shutdown_initiated, &signals_.has_been_ready);
}

absl::Status GenericServer::PrepareDelegate() {
  {
    base::MutexLock lock(&mu_);
    if (delegate_prepared_) return absl::OkStatus();
    delegate_prepared_ = true;
  }
  RETURN_IF_ERROR(delegate_->PrepareDelegate());
  return InstallGenericEndpoints();
}

absl::StatusOr<PreparedServer> GenericServer::PrepareRun() {
  {
    base::MutexLock lock(&mu_);
    if (prepared_ || delegate_prepared_) {
      return absl::FailedPreconditionError(absl::StrCat("PrepareRun has already been called on ", config_.name));
    }
    prepared_ = true;
    delegate_prepared_ = true;
  }
  RETURN_IF_ERROR(delegate_->PrepareDelegate());
  // kube's generic server serves /version (routes.Version) from its config; listed and in OpenAPI.
  RETURN_IF_ERROR(HandleRoute(RouteSpec{"/version", {"GET"}, "build information", "application/json", false, false},
                              VersionHandler(config_.version)));
  RETURN_IF_ERROR(InstallGenericEndpoints());
  // Observability, on the outermost server only (requests reach it first).
  base::metrics::Registry* metrics = config_.metrics != nullptr ? config_.metrics : &base::metrics::Registry::Default();
  RETURN_IF_ERROR(
      InstallMetrics(mux_.get(), metrics, config_.sli_metrics != nullptr ? config_.sli_metrics : &SliRegistry()));
  RETURN_IF_ERROR(InstallDebugFlags(mux_.get()));
  in_flight_collector_ = metrics->AddCollector(InFlightCollector(&in_flight_));
  request_body_collector_ = metrics->AddCollector(RequestBodyCollector());
  return PreparedServer(this);
}

void GenericServer::AddDestroyFunc(std::function<void()> fn) {
  base::MutexLock lock(&mu_);
  destroy_funcs_.push_back(std::move(fn));
}

void GenericServer::Destroy() {
  if (destroyed_.exchange(true)) return;
  StopWatermarkMaintenance();
  std::vector<std::function<void()>> funcs;
  {
    base::MutexLock lock(&mu_);
    funcs.swap(destroy_funcs_);
  }
  for (auto& fn : funcs) fn();
  delegate_->Destroy();
}

}  // namespace apiserve::chain
