#include "cmd/apiserver/demo_chain.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/go_duration.h"
#include "base/status_macros.h"
#include "chain/filters/not_found.h"
#include "http/response.h"

namespace apiserve::demo {
namespace {

http::Response BadRequest(std::string message) { return http::TextResponse(400, message + "\n"); }

// delay?duration=2s: answers {"delayed":"2s"} after the duration, from a timer on the connection's loop.
void ServeDelay(http::RequestPtr request, http::ResponseWriter writer) {
  const std::string text = request->Query("duration").value_or("1s");
  absl::StatusOr<absl::Duration> delay = base::ParseGoDuration(text);
  if (!delay.ok() || *delay < absl::ZeroDuration() || *delay > absl::Minutes(10)) {
    writer
        .Send(BadRequest(absl::StrCat("invalid duration \"", text,
                                      "\": ", delay.ok() ? "must be between 0s and 10m0s" : delay.status().message())))
        .IgnoreError();
    return;
  }
  auto held = std::make_shared<http::ResponseWriter>(std::move(writer));
  const std::string body = absl::StrCat("{\"delayed\":\"", base::FormatGoDuration(*delay), "\"}\n");
  request->executor->RunAfter(*delay, [held, body] { held->Send(http::JsonResponse(200, body)).IgnoreError(); });
}

// ticks?count=N&interval=100ms: a streamed response, one JSON line per tick; ends early and cleanly when the server
// stops accepting requests (the request's shutting_down signal).
class Ticker : public std::enable_shared_from_this<Ticker> {
 public:
  Ticker(http::RequestPtr request, http::ResponseWriter writer, int count, absl::Duration interval)
      : request_(std::move(request)), writer_(std::move(writer)), count_(count), interval_(interval) {}

  void Start() {
    if (!writer_.WriteHead(200, http::HeaderMap{{"Content-Type", "application/json"}}).ok()) return;
    Schedule();
  }

 private:
  void Schedule() {
    request_->executor->RunAfter(interval_, [self = shared_from_this()] { self->Tick(); });
  }

  void Tick() {
    if (writer_.done()) return;  // client gone
    const bool shutting_down = request_->shutting_down != nullptr && request_->shutting_down->HasFired();
    if (sent_ >= count_ || shutting_down) {
      writer_.Finish().IgnoreError();
      return;
    }
    const std::string line =
        absl::StrCat("{\"tick\":", sent_ + 1, ",\"time\":\"",
                     absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone()), "\"}\n");
    absl::Status written = writer_.Write(line);
    if (absl::IsResourceExhausted(written)) {
      writer_.OnWritable([self = shared_from_this()] { self->Tick(); });
      return;
    }
    if (!written.ok()) return;
    ++sent_;
    Schedule();
  }

  const http::RequestPtr request_;
  http::ResponseWriter writer_;
  const int count_;
  const absl::Duration interval_;
  int sent_ = 0;
};

void ServeTicks(http::RequestPtr request, http::ResponseWriter writer) {
  int count = 10;
  const std::string count_text = request->Query("count").value_or("10");
  if (!absl::SimpleAtoi(count_text, &count) || count < 1 || count > 100000) {
    writer.Send(BadRequest(absl::StrCat("invalid count \"", count_text, "\": must be 1 to 100000"))).IgnoreError();
    return;
  }
  const std::string interval_text = request->Query("interval").value_or("1s");
  absl::StatusOr<absl::Duration> interval = base::ParseGoDuration(interval_text);
  if (!interval.ok() || *interval < absl::Milliseconds(1) || *interval > absl::Minutes(1)) {
    writer
        .Send(BadRequest(absl::StrCat("invalid interval \"", interval_text, "\": ",
                                      interval.ok() ? "must be between 1ms and 1m0s" : interval.status().message())))
        .IgnoreError();
    return;
  }
  auto ticker = std::make_shared<Ticker>(std::move(request), std::move(writer), count, *interval);
  ticker->Start();
}

// echo (create, POST): returns the body with its Content-Type.
void ServeEcho(http::RequestPtr request, http::ResponseWriter writer) {
  http::ReadBody(request, [request, writer = std::move(writer)](absl::Status read) mutable {
    if (!read.ok()) return;  // answered by the chain (413 over the limit), or the client left
    http::Response response;
    response.status = 200;
    response.headers.Add("Content-Type", request->headers.Get("Content-Type").value_or("application/octet-stream"));
    response.body = std::move(request->body);
    writer.Send(std::move(response)).IgnoreError();
  });
}

chain::ServerConfig Named(chain::ServerConfig config, const char* name) {
  config.name = name;
  return config;
}

// DemoGroup is demo.apiserve.io/v1: three cluster-scoped resources whose verbs are exactly what they serve.
chain::APIGroupInfo DemoGroup() {
  chain::APIResource delay;
  delay.name = "delay";
  delay.kind = "Delay";
  delay.namespaced = false;
  delay.handlers = {{"list", http::HandlerFunc(ServeDelay)}};
  delay.openapi_schema =
      R"({"description":"The answer to GET delay?duration=D, sent after D.","type":"object",)"
      R"("properties":{"delayed":{"description":"The duration waited, as Go formats it.","type":"string"}}})";
  chain::APIResource ticks;
  ticks.name = "ticks";
  ticks.singular_name = "tick";
  ticks.kind = "Tick";
  ticks.namespaced = false;
  ticks.long_running = true;
  ticks.handlers = {{"list", http::HandlerFunc(ServeTicks)}};
  ticks.openapi_schema =
      R"({"description":"One line of the ticks?count=N&interval=I stream.","type":"object","properties":{)"
      R"("tick":{"description":"The tick's number, from 1.","type":"integer"},)"
      R"("time":{"description":"When it was sent (RFC 3339).","type":"string"}}})";
  chain::APIResource echo;
  echo.name = "echo";
  echo.kind = "Echo";
  echo.namespaced = false;
  echo.handlers = {{"create", http::HandlerFunc(ServeEcho)}};
  echo.openapi_schema = R"({"description":"The request body, returned as sent, with its Content-Type."})";
  return chain::APIGroupInfo{"demo.apiserve.io", {chain::APIGroupVersion{"v1", {delay, ticks, echo}}}};
}

}  // namespace

chain::VersionInfo DemoVersion(const BuildInfo& build) {
  chain::VersionInfo version;
  version.major = "1";
  version.minor = "32";
  version.git_version = kDemoGitVersion;
  if (build.git_commit != "unknown") absl::StrAppend(&version.git_version, "+", build.git_commit.substr(0, 12));
  if (build.git_tree_state == "dirty") absl::StrAppend(&version.git_version, "-dirty");
  version.git_commit = build.git_commit;
  version.git_tree_state = build.git_tree_state;
  version.build_date = build.build_date;
  return version;
}

absl::StatusOr<DemoChain> BuildDemoChain(const chain::ServerConfig& config) {
  DemoChain demo;
  demo.not_found = std::make_unique<chain::EmptyDelegate>(chain::TerminalNotFoundHandler());
  ASSIGN_OR_RETURN(demo.apiextensions,
                   chain::GenericServer::New(Named(config, "apiextensions-apiserver"), demo.not_found.get()));
  RETURN_IF_ERROR(demo.apiextensions->InstallAPIGroup(DemoGroup()));
  ASSIGN_OR_RETURN(demo.kube, chain::GenericServer::New(Named(config, "kube-apiserver"), demo.apiextensions.get()));
  ASSIGN_OR_RETURN(demo.aggregator, chain::GenericServer::New(Named(config, "kube-aggregator"), demo.kube.get()));
  return demo;
}

}  // namespace apiserve::demo
