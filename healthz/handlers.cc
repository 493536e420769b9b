#include "healthz/handlers.h"

#include <atomic>
#include <memory>
#include <set>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/logger.h"
#include "base/mutex.h"
#include "healthz/check_runner.h"
#include "healthz/go_format.h"
#include "healthz/ping_check.h"
#include "http/response.h"

namespace apiserve::healthz {
namespace {

// RootHandler serves `<path>`: runs every check (minus exclusions) and answers per §3.3.
class RootHandler : public http::Handler, public std::enable_shared_from_this<RootHandler> {
 public:
  RootHandler(std::string endpoint, std::vector<std::shared_ptr<CheckRunner>> runners, HandlerOptions options)
      : endpoint_(std::move(endpoint)),
        runners_(std::move(runners)),
        first_time_healthy_(std::move(options.first_time_healthy)),
        log_failure_(std::move(options.log_failure)),
        ok_(http::Shared(http::TextResponse(200, "ok"))) {
    CheckMetrics* metrics = options.metrics != nullptr ? options.metrics : &CheckMetrics::Global();
    for (const auto& runner : runners_) {
      series_.push_back(metrics->SeriesFor(runner->check().Name(), endpoint_));
      any_blocking_ = any_blocking_ || runner->check().IsBlocking();
    }
  }

  void Serve(http::RequestPtr request, http::ResponseWriter writer) override;

 private:
  enum class Outcome { kPending, kExcluded, kExcludedWithGroup, kPassed, kFailed };

  struct Slot {
    Outcome outcome = Outcome::kPending;
    absl::Status status;  // kFailed: the real reason (logged, never sent)
  };

  // Probe is one request's state, shared with the callbacks of its blocking checks.
  struct Probe {
    http::RequestPtr request;
    http::ResponseWriter writer;
    std::vector<std::string> unknown_excluded;  // sorted; written before any callback can answer
    base::Mutex mu;
    std::vector<Slot> slots ABSL_GUARDED_BY(mu);
    int pending ABSL_GUARDED_BY(mu) = 1;  // one per running check, plus one held by Serve until it is done
  };

  // ServeInline answers the common probe (no query, so nothing excluded and not verbose; no blocking check): the
  // checks run right here, and a healthy answer is the shared "ok" response, with no per-probe state.
  void ServeInline(http::RequestPtr request, http::ResponseWriter writer);
  // Settle records the result of check `index` (or Serve's own hold when index < 0) and answers after the last.
  void Settle(const std::shared_ptr<Probe>& probe, int index, absl::Status status);
  void Answer(Probe& probe);
  // NoteHealthy runs first_time_healthy_ on the first healthy answer. A plain load first: the exchange is a locked
  // instruction, and only the first healthy probe needs it.
  void NoteHealthy() {
    if (first_time_healthy_ && !healthy_once_.load(std::memory_order_acquire) &&
        !healthy_once_.exchange(true, std::memory_order_acq_rel)) {
      first_time_healthy_();
    }
  }

  const std::string endpoint_;
  const std::vector<std::shared_ptr<CheckRunner>> runners_;
  const std::function<void()> first_time_healthy_;
  std::atomic<bool> healthy_once_{false};
  std::vector<CheckMetrics::Series*> series_;  // one per runner, resolved once
  const std::function<void(const std::string&)> log_failure_;
  const http::ResponsePtr ok_;
  bool any_blocking_ = false;
};

void RootHandler::ServeInline(http::RequestPtr request, http::ResponseWriter writer) {
  absl::InlinedVector<absl::Status, 32> results;
  bool healthy = true;
  for (const auto& runner : runners_) {
    results.push_back(runner->check().Check(*request));
    healthy = healthy && results.back().ok();
  }
  if (healthy) {
    for (CheckMetrics::Series* series : series_) series->Record(true);
    NoteHealthy();
    writer.Send(ok_).IgnoreError();
    return;
  }
  auto probe = std::make_shared<Probe>();
  {
    base::MutexLock lock(&probe->mu);
    probe->slots.resize(runners_.size());
    for (size_t i = 0; i < results.size(); ++i) {
      probe->slots[i].outcome = results[i].ok() ? Outcome::kPassed : Outcome::kFailed;
      probe->slots[i].status = std::move(results[i]);
    }
    probe->pending = 0;
  }
  probe->request = std::move(request);
  probe->writer = std::move(writer);
  Answer(*probe);
}

void RootHandler::Serve(http::RequestPtr request, http::ResponseWriter writer) {
  if (request->raw_query.empty() && !any_blocking_) {
    ServeInline(std::move(request), std::move(writer));
    return;
  }
  auto probe = std::make_shared<Probe>();
  const std::vector<std::string> exclude_values = request->QueryAll("exclude");
  const std::set<std::string> excluded(exclude_values.begin(), exclude_values.end());
  std::set<std::string> unknown = excluded;
  std::vector<int> to_run;
  {
    base::MutexLock lock(&probe->mu);
    probe->slots.resize(runners_.size());
    for (size_t i = 0; i < runners_.size(); ++i) {
      const HealthChecker& check = runners_[i]->check();
      if (!excluded.empty() && excluded.count(check.Name()) > 0) {
        unknown.erase(check.Name());
        probe->slots[i].outcome = Outcome::kExcluded;
      } else if (!excluded.empty() && !check.GroupName().empty() && excluded.count(check.GroupName()) > 0) {
        unknown.erase(check.GroupName());
        probe->slots[i].outcome = Outcome::kExcludedWithGroup;
      } else {
        to_run.push_back(static_cast<int>(i));
      }
    }
    probe->pending += static_cast<int>(to_run.size());
  }
  probe->unknown_excluded.assign(unknown.begin(), unknown.end());
  probe->request = request;
  probe->writer = std::move(writer);
  auto self = shared_from_this();
  for (int i : to_run) {
    runners_[i]->Run(request, [self, probe, i](absl::Status status) { self->Settle(probe, i, std::move(status)); });
  }
  Settle(probe, -1, absl::OkStatus());
}

void RootHandler::Settle(const std::shared_ptr<Probe>& probe, int index, absl::Status status) {
  {
    base::MutexLock lock(&probe->mu);
    if (index >= 0) {
      Slot& slot = probe->slots[index];
      slot.outcome = status.ok() ? Outcome::kPassed : Outcome::kFailed;
      slot.status = std::move(status);
    }
    if (--probe->pending > 0) return;
  }
  Answer(*probe);
}

void RootHandler::Answer(Probe& probe) {
  std::vector<Slot> slots;
  {
    base::MutexLock lock(&probe.mu);
    slots.swap(probe.slots);
  }
  std::string lines;
  std::vector<absl::string_view> failed_names;
  std::string failure_log_lines;
  for (size_t i = 0; i < slots.size(); ++i) {
    const HealthChecker& check = runners_[i]->check();
    switch (slots[i].outcome) {
      case Outcome::kExcluded:
        absl::StrAppend(&lines, "[+]", check.Name(), " excluded: ok\n");
        break;
      case Outcome::kExcludedWithGroup:
        absl::StrAppend(&lines, "[+]", check.Name(), " excluded with ", check.GroupName(), ": ok\n");
        break;
      case Outcome::kPassed:
        series_[i]->Record(true);
        absl::StrAppend(&lines, "[+]", check.Name(), " ok\n");
        break;
      case Outcome::kFailed:
      case Outcome::kPending:  // cannot happen: every run settles before Answer
        series_[i]->Record(false);
        // The public answer withholds the reason; the log gets it.
        absl::StrAppend(&lines, "[-]", check.Name(), " failed: reason withheld\n");
        absl::StrAppend(&failure_log_lines, "[-]", check.Name(), " failed: ", slots[i].status.message(), "\n");
        failed_names.push_back(check.Name());
        break;
    }
  }
  if (!probe.unknown_excluded.empty()) {
    const std::string quoted = FormatQuoted(probe.unknown_excluded);
    absl::StrAppend(&lines, "warn: some health checks cannot be excluded: no matches for ", quoted, "\n");
    VLOG(6) << "cannot exclude some health checks, no health checks are installed matching " << quoted;
  }
  http::ResponseWriter writer = std::move(probe.writer);
  if (!failed_names.empty()) {
    if (log_failure_ || base::Logger::Global().VEnabled(2)) {
      std::string message =
          absl::StrCat(absl::StrJoin(failed_names, ","), " check failed: ", endpoint_, "\n", failure_log_lines);
      if (log_failure_) {
        log_failure_(message);
      } else {
        VLOG(2) << message;
      }
    }
    writer.Send(http::TextResponse(500, absl::StrCat(lines, endpoint_, " check failed\n"))).IgnoreError();
    return;
  }
  NoteHealthy();
  if (!probe.request->HasQuery("verbose")) {
    writer.Send(ok_).IgnoreError();
    return;
  }
  writer.Send(http::TextResponse(200, absl::StrCat(lines, endpoint_, " check passed\n"))).IgnoreError();
}

// CheckHandler serves `<path>/<name>`: the one check, with its real error (§3.4).
class CheckHandler : public http::Handler {
 public:
  explicit CheckHandler(std::shared_ptr<CheckRunner> runner) : runner_(std::move(runner)), ok_(OkResponse()) {}

  void Serve(http::RequestPtr request, http::ResponseWriter writer) override {
    auto shared_writer = std::make_shared<http::ResponseWriter>(std::move(writer));
    runner_->Run(std::move(request), [ok = ok_, shared_writer](absl::Status status) {
      if (status.ok()) {
        shared_writer->Send(ok).IgnoreError();
      } else {
        shared_writer->Send(http::TextResponse(500, absl::StrCat("internal server error: ", status.message(), "\n")))
            .IgnoreError();
      }
    });
  }

 private:
  // Go writes "ok" without a Content-Type and net/http sniffs `text/plain; charset=utf-8`; no nosniff header.
  static http::ResponsePtr OkResponse() {
    http::Response response;
    response.status = 200;
    response.headers.Add("Content-Type", "text/plain; charset=utf-8");
    response.body = "ok";
    return http::Shared(std::move(response));
  }

  const std::shared_ptr<CheckRunner> runner_;
  const http::ResponsePtr ok_;
};

}  // namespace

std::string EndpointName(absl::string_view path) {
  absl::string_view rest = path;
  if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  return std::string(rest.substr(0, rest.find('/')));
}

absl::Status InstallHandler(http::Router* mux, std::vector<HealthCheckerPtr> checks) {
  return InstallPathHandler(mux, "/healthz", std::move(checks));
}

absl::Status InstallReadyzHandler(http::Router* mux, std::vector<HealthCheckerPtr> checks) {
  return InstallPathHandler(mux, "/readyz", std::move(checks));
}

absl::Status InstallLivezHandler(http::Router* mux, std::vector<HealthCheckerPtr> checks) {
  return InstallPathHandler(mux, "/livez", std::move(checks));
}

absl::Status InstallPathHandler(http::Router* mux, absl::string_view path, std::vector<HealthCheckerPtr> checks) {
  return InstallPathHandlerWithHealthyFunc(mux, path, std::move(checks));
}

absl::Status InstallPathHandlerWithHealthyFunc(http::Router* mux, absl::string_view path,
                                               std::vector<HealthCheckerPtr> checks, HandlerOptions options) {
  if (checks.empty()) {
    VLOG(1) << "No default health checks specified. Installing the ping handler.";
    checks.push_back(PingCheck());
  }
  std::vector<std::shared_ptr<CheckRunner>> runners;
  runners.reserve(checks.size());
  for (HealthCheckerPtr& check : checks) runners.push_back(std::make_shared<CheckRunner>(std::move(check)));
  VLOG(5) << "Installing health checkers for (" << path
          << "): " << absl::StrJoin(runners, ",", [](std::string* out, const std::shared_ptr<CheckRunner>& runner) {
               absl::StrAppend(out, GoQuote(runner->check().Name()));
             });
  auto root = std::make_shared<RootHandler>(EndpointName(path), runners, std::move(options));
  if (absl::Status status = mux->Handle(path, root); !status.ok()) return status;
  for (const auto& runner : runners) {
    const std::string check_path = absl::StrCat(path, "/", runner->check().Name());
    if (absl::Status status = mux->Handle(check_path, std::make_shared<CheckHandler>(runner)); !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace apiserve::healthz
