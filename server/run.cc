#include "server/run.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/go_duration.h"
#include "base/logger.h"

namespace apiserve::server {
namespace {

void LogEvent(const lifecycle::Signal& signal) {
  VLOG(1) << "\"[graceful-termination] shutdown event\" name=\"" << signal.name() << "\"";
}

}  // namespace

absl::Status NotifySystemd() {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || path[0] == '\0') return absl::OkStatus();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const size_t length = std::strlen(path);
  if (length >= sizeof(address.sun_path)) return absl::InvalidArgumentError("NOTIFY_SOCKET path too long");
  std::memcpy(address.sun_path, path, length);
  if (address.sun_path[0] == '@') address.sun_path[0] = '\0';  // abstract namespace
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  static constexpr char kReady[] = "READY=1";
  const ssize_t sent = ::sendto(fd, kReady, sizeof(kReady) - 1, 0, reinterpret_cast<sockaddr*>(&address),
                                static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length));
  const int error = errno;
  ::close(fd);
  if (sent < 0) return absl::UnavailableError(absl::StrCat("sendto ", path, ": ", std::strerror(error)));
  return absl::OkStatus();
}

absl::Status Run(chain::PreparedServer&& prepared, const RunOptions& options, lifecycle::Signal* stop) {
  chain::GenericServer& server = prepared.server();
  // Shutdown timings are the chain's config (one place for each setting); `options` is only how to serve.
  const chain::ServerConfig& config = server.config();
  lifecycle::LifecycleSignals& signals = server.signals();
  // Declared first so they outlive the helper threads, which JoinOnExit joins on every return path.
  lifecycle::Signal wake("drain wake");
  std::atomic<bool> aborted{false};
  std::vector<std::thread> helpers;
  std::vector<lifecycle::Subscription> subscriptions;
  struct JoinOnExit {
    std::vector<std::thread>* threads;
    lifecycle::Signal* wake;
    std::atomic<bool>* aborted;
    void Join() {
      for (auto& t : *threads) t.join();
      threads->clear();
    }
    ~JoinOnExit() {
      if (!threads->empty()) {
        *aborted = true;
        wake->Fire();
        Join();
      }
    }
  } join_on_exit{&helpers, &wake, &aborted};

  // The shutdown events are logged by subscriptions registered first: they run before anything that reacts to the
  // same signal (NotAcceptingNewRequest is derived from two of them), so the log shows kube's order.
  for (lifecycle::Signal* event :
       {&signals.shutdown_initiated, &signals.after_shutdown_delay_duration, signals.not_accepting_new_request.get(),
        &signals.http_server_stopped_listening, &signals.in_flight_requests_drained}) {
    subscriptions.push_back(event->OnFired([event] { LogEvent(*event); }));
  }
  subscriptions.push_back(signals.pre_shutdown_hooks_stopped.OnFired(
      [] { VLOG(1) << "\"[graceful-termination] pre-shutdown hooks completed\" name=\"PreShutdownHooksStopped\""; }));

  // MuxAndDiscoveryComplete: every registered signal of the chain, or never if stop comes first.
  std::vector<lifecycle::Signal*> mux_inputs;
  for (const auto& [name, signal] : server.MuxAndDiscoveryCompleteSignals()) mux_inputs.push_back(signal);
  std::unique_ptr<lifecycle::Signal> all_registered = lifecycle::AllOf("all mux-complete signals", mux_inputs);
  subscriptions.push_back(all_registered->OnFired([&signals, stop] {
    if (stop->HasFired()) {
      VLOG(1) << "haven't completed MuxAndDiscoveryComplete, stop requested";
      return;
    }
    signals.mux_and_discovery_complete.Fire();
    VLOG(1) << "MuxAndDiscoveryComplete has all endpoints registered and discovery information is complete";
  }));

  absl::Duration shutdown_timeout = config.request_timeout;
  if (config.shutdown_send_retry_after) {
    shutdown_timeout = absl::Seconds(2);  // net/http waits 1 s for the peer to react to GOAWAY
    VLOG(1) << "\"[graceful-termination] using HTTP Server shutdown timeout\" shutdownTimeout=\""
            << base::FormatGoDuration(shutdown_timeout) << "\"";
  }

  // Serve.
  ServingOptions serving = options.serving;
  auto secure = SecureServer::Serve(serving, options.ssl_ctx, server.Handler(), options.codec_factory, options.tls,
                                    &signals.ShuttingDown());
  if (!secure.ok()) return secure.status();
  std::unique_ptr<SecureServer> http_server = *std::move(secure);
  LOG(INFO) << "Serving securely on " << http_server->address();
  if (options.on_serving) options.on_serving(*http_server);

  subscriptions.push_back(
      http_server->listener_stopped().OnFired([&signals] { signals.http_server_stopped_listening.Fire(); }));

  // kube's drain goroutines: at NotAcceptingNewRequest, stop the HTTP server (default mode) and wait for the
  // in-flight non-long-running requests, then for watches within their grace period → InFlightRequestsDrained.
  // `wake` also fires when Run returns early, so the drain thread always ends.
  SecureServer* http = http_server.get();
  subscriptions.push_back(signals.not_accepting_new_request->OnFired([&config, http, shutdown_timeout, &wake] {
    if (!config.shutdown_send_retry_after) http->Shutdown(shutdown_timeout);
    wake.Fire();
  }));
  helpers.emplace_back([&signals, &config, &server, &wake, &aborted, http] {
    wake.Wait();
    if (aborted) return;
    // As kube's RunWithContext: the non-long-running drain and the watch drain start together at
    // NotAcceptingNewRequest; InFlightRequestsDrained fires when both are done.
    lifecycle::Signal watches_done("watch drain done");
    std::thread watch_drain([&config, &server, &watches_done] {
      if (config.shutdown_watch_termination_grace_period <= absl::ZeroDuration()) {
        VLOG(1) << "\"[graceful-termination] not going to wait for active watch request(s) to drain\"";
        watches_done.Fire();
        return;
      }
      chain::SafeWaitGroup& watches = server.watches().group();
      const int64_t before = watches.InFlight();
      lifecycle::Signal watches_drained("watches drained");
      watches.StartDrain([&watches_drained] { watches_drained.Fire(); });
      // Tell the watches to end, at most max(200, active/grace) per second, within the grace period.
      const absl::Time started = absl::Now();
      server.watches().ReleaseAtRate(config.shutdown_watch_termination_grace_period);
      const absl::Duration left = config.shutdown_watch_termination_grace_period - (absl::Now() - started);
      const bool all = watches_drained.WaitFor(std::max(left, absl::ZeroDuration()));
      VLOG(1) << "\"[graceful-termination] active watch request(s) have drained\" duration=\""
              << base::FormatGoDuration(config.shutdown_watch_termination_grace_period)
              << "\" activeWatchesBefore=" << before << " activeWatchesAfter=" << watches.InFlight()
              << " error=" << (all ? "<nil>" : "\"context deadline exceeded\"");
      watches_done.Fire();
    });
    lifecycle::Signal drained("non-long-running drained");
    server.non_long_running_requests().StartDrain([&drained] { drained.Fire(); });
    drained.Wait();
    VLOG(1) << "[graceful-termination] in-flight non long-running request(s) have drained";
    watches_done.Wait();
    watch_drain.join();
    signals.in_flight_requests_drained.Fire();
    // Retry-after mode kept listening until now.
    if (config.shutdown_send_retry_after) http->Shutdown(absl::Seconds(2));
  });

  // Post-start hooks once listening, then tell systemd.
  server.RunPostStartHooks(chain::PostStartHookContext{stop});
  if (absl::Status notified = NotifySystemd(); !notified.ok()) {
    LOG(ERROR) << "Unable to send systemd daemon successful start message: " << notified.message();
  }

  VLOG(1) << "[graceful-termination] waiting for shutdown to be initiated";
  stop->Wait();
  signals.shutdown_initiated.Fire();
  // Persistent connections move to other replicas during the shutdown delay, while the listener still accepts what
  // the load balancer sends (DESIGN §11). Not at once: the first half of the delay lets the balancer see /readyz
  // fail and stop routing here, so a proxy that keeps its connections to us (HAProxy in HTTP mode) is not sent a
  // GOAWAY while it still opens streams on them (HAProxy 2.6 then fails requests); the second half moves the
  // clients that hold connections through a TCP balancer.
  SecureServer* drain = serving.drain_connections ? http_server.get() : nullptr;
  helpers.emplace_back([&signals, delay = config.shutdown_delay_duration, drain] {
    lifecycle::Signal never("never");
    if (drain != nullptr) {
      if (delay > absl::ZeroDuration()) never.WaitFor(delay / 2);
      drain->DrainConnections();
    }
    const absl::Duration rest = drain != nullptr ? delay - delay / 2 : delay;
    if (rest > absl::ZeroDuration()) never.WaitFor(rest);
    signals.after_shutdown_delay_duration.Fire();
  });

  const absl::Status hooks = server.RunPreShutdownHooks();
  signals.pre_shutdown_hooks_stopped.Fire();
  if (!hooks.ok()) {
    subscriptions.clear();
    aborted = true;
    wake.Fire();
    join_on_exit.Join();
    http_server.reset();
    server.Destroy();
    return hooks;
  }

  signals.in_flight_requests_drained.Wait();
  signals.http_server_stopped_listening.Wait();  // fired by our subscription, after the listener closed
  http_server->stopped().Wait();
  join_on_exit.Join();  // the drain thread may still be returning from Shutdown()
  subscriptions.clear();
  http_server.reset();
  server.Destroy();
  VLOG(1) << "[graceful-termination] apiserver is exiting";
  return absl::OkStatus();
}

}  // namespace apiserve::server
