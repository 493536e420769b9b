#include "server/secure_server.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "base/logger.h"

namespace apiserve::server {

struct SecureServer::Worker {
  explicit Worker(std::string name) : loop(std::move(name)) {}
  EventLoop loop;
  ConnectionContext context;
  ConnectionSet connections;
  std::unique_ptr<Listener> listener;
};

absl::StatusOr<std::unique_ptr<SecureServer>> SecureServer::Serve(const ServingOptions& options, SSL_CTX* ssl_ctx,
                                                                  http::HandlerPtr handler, CodecFactory codec_factory,
                                                                  TlsHooks tls, lifecycle::Signal* shutting_down) {
  // Serve owns an inherited socket: closed here on every early return, until the first listener adopts it.
  int inherited_fd = options.inherited_fd;
  absl::Cleanup close_inherited = [&inherited_fd] {
    if (inherited_fd >= 0) ::close(inherited_fd);
  };
  if (options.workers < 1) return absl::InvalidArgumentError("--workers must be at least 1");
  if (options.port < 0 || options.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("--secure-port ", options.port,
                                                   " must be between 1 and 65535, inclusive. It cannot be turned "
                                                   "off with 0"));
  }
  if (ssl_ctx == nullptr || !handler || !codec_factory) {
    return absl::InvalidArgumentError("Serve needs an SSL_CTX, a handler and a codec factory");
  }
  // As Go does: a write to a socket the peer closed fails with EPIPE instead of killing the process (libuv writes
  // with write(2), which raises SIGPIPE). Only when nobody installed a handler.
  struct sigaction pipe_action;
  if (::sigaction(SIGPIPE, nullptr, &pipe_action) == 0 && pipe_action.sa_handler == SIG_DFL) {
    ::signal(SIGPIPE, SIG_IGN);
  }
  // As Go does at start: allow as many open files as the hard limit permits.
  rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }

  if (options.max_connections < 0) return absl::InvalidArgumentError("--max-connections must not be negative");

  std::unique_ptr<SecureServer> server(new SecureServer());
  server->handler_ = std::move(handler);
  if (options.max_connections > 0) server->limit_ = std::make_unique<ConnectionLimit>(options.max_connections);
  ListenOptions listen;
  listen.bind_address = options.bind_address;
  listen.port = options.port;
  // Without --permit-port-sharing no socket has SO_REUSEPORT: the loops share the first loop's socket, so another
  // process cannot join the port. With it, each loop binds its own (the kernel balances connections between them).
  listen.reuse_port = options.permit_port_sharing;
  for (int i = 0; i < options.workers; ++i) {
    auto worker = std::make_unique<Worker>(absl::StrCat("loop-", i));
    worker->context.loop = &worker->loop;
    worker->context.ssl_ctx = ssl_ctx;
    worker->context.handler = server->handler_.get();
    worker->context.codec_factory = codec_factory;
    worker->context.tls = tls;
    worker->context.shutting_down = shutting_down;
    worker->context.limit = server->limit_.get();
    worker->context.options = options.connection;
    worker->connections.EnableIdleTrim(&worker->loop, options.connection.idle_trim_delay);
    if (server->limit_ != nullptr) server->limit_->AddSet(&worker->connections, &worker->loop);
    if (absl::Status started = worker->loop.Start(); !started.ok()) return started;
    server->workers_.push_back(std::move(worker));
  }
  // Every loop is known to the limit before the first connection is accepted.
  for (int i = 0; i < options.workers; ++i) {
    Worker* w = server->workers_[static_cast<size_t>(i)].get();
    // Bind on the loop's thread: libuv handles belong to their loop.
    absl::Status bound;
    lifecycle::Signal done("bound");
    // An inherited socket is shared by every loop, as a bound one is without --permit-port-sharing.
    const bool share = i > 0 && (!options.permit_port_sharing || options.inherited_fd >= 0);
    const Listener* first = share ? server->workers_.front()->listener.get() : nullptr;
    const int adopt_fd = i == 0 ? std::exchange(inherited_fd, -1) : -1;  // Adopt owns it even when it fails
    w->loop.Post([&] {
      auto listener = first != nullptr ? Listener::Join(&w->loop, *first, &w->context, &w->connections)
                      : adopt_fd >= 0  ? Listener::Adopt(&w->loop, adopt_fd, &w->context, &w->connections)
                                       : Listener::Bind(&w->loop, listen, &w->context, &w->connections);
      if (listener.ok()) {
        w->listener = *std::move(listener);
      } else {
        bound = listener.status();
      }
      done.Fire();
    });
    done.Wait();
    if (!bound.ok()) return bound;
    if (i == 0) {
      // Port 0: the first socket picks the port, the others (port sharing) bind it too.
      listen.port = w->listener->port();
      server->port_ = w->listener->port();
      server->address_ = w->listener->address();
      if (adopt_fd >= 0 && options.port != server->port_) {
        LOG(WARNING) << "Serving on the inherited socket (LISTEN_FDS) at " << server->address_
                     << ", not on --secure-port=" << options.port;
      }
    }
  }
  server->listeners_open_ = options.workers;
  return server;
}

SecureServer::~SecureServer() {
  RunOnEachLoop([](Worker& w) {
    if (w.listener) w.listener->Close(nullptr);
    w.connections.CloseAll();
  });
  for (auto& worker : workers_) worker->loop.Stop();
}

void SecureServer::RunOnEachLoop(const std::function<void(Worker&)>& fn) {
  for (auto& worker : workers_) {
    lifecycle::Signal done("loop task");
    Worker* w = worker.get();
    w->loop.Post([&] {
      fn(*w);
      done.Fire();
    });
    done.WaitFor(absl::Seconds(30));
  }
}

void SecureServer::StopListening() {
  if (listening_stopped_.exchange(true)) return;
  for (auto& worker : workers_) {
    Worker* w = worker.get();
    w->loop.Post([this, w] {
      if (!w->listener) return;
      w->listener->Close([this] {
        if (--listeners_open_ == 0) {
          LOG(INFO) << "Stopped listening on " << address_;
          listener_stopped_.Fire();
        }
      });
    });
  }
}

void SecureServer::DrainConnections() {
  if (drain_started_.exchange(true)) return;
  VLOG(1) << "\"[graceful-termination] asking persistent connections to move to other replicas\"";
  for (auto& worker : workers_) {
    Worker* w = worker.get();
    w->loop.Post([w] { w->connections.Drain(&w->context); });
  }
}

void SecureServer::Shutdown(absl::Duration timeout) {
  StopListening();
  if (shutdown_started_.exchange(true)) return;
  workers_with_connections_ = static_cast<int>(workers_.size());
  for (auto& worker : workers_) {
    Worker* w = worker.get();
    w->loop.Post([this, w] {
      w->connections.BeginShutdown();
      w->connections.OnEmpty([this] {
        if (--workers_with_connections_ == 0) stopped_.Fire();
      });
    });
  }
  // At the deadline, whatever is still open is closed.
  workers_.front()->loop.RunAfter(timeout, [this] {
    if (stopped_.HasFired()) return;
    LOG(WARNING) << "Failed to shutdown server: context deadline exceeded";
    for (auto& worker : workers_) {
      Worker* w = worker.get();
      w->loop.Post([w] { w->connections.CloseAll(); });
    }
  });
}

size_t SecureServer::OpenConnections() {
  std::atomic<size_t> total{0};
  RunOnEachLoop([&](Worker& w) { total += w.connections.size(); });
  return total;
}

ConnectionCounters SecureServer::Counters() {
  ConnectionCounters sum;
  base::Mutex mu;
  RunOnEachLoop([&](Worker& w) {
    base::MutexLock lock(&mu);
    sum.Add(w.context.counters);
  });
  return sum;
}

ConnectionCounters SecureServer::ScrapeCounters() const {
  ConnectionCounters sum;
  for (const auto& worker : workers_) sum.Add(worker->context.counters);
  return sum;
}

std::vector<EventLoop*> SecureServer::loops() {
  std::vector<EventLoop*> result;
  for (auto& worker : workers_) result.push_back(&worker->loop);
  return result;
}

}  // namespace apiserve::server
