#ifndef APISERVE_CLIENT_CORE_H_
#define APISERVE_CLIENT_CORE_H_

// client::internal::Core: the HTTPS client's state on its I/O thread: the calls (their timeouts, retries and
// completion, a Do's buffered body or a watch's undelivered data), the queue of calls waiting for a connection, the
// connections (one HTTP/2 connection, or a keep-alive pool of HTTP/1.1 ones) and the bearer token. Everything but the
// constructor's inputs is touched only on the I/O thread.

#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/call.h"
#include "client/config.h"
#include "client/connection.h"
#include "client/io_thread.h"
#include "client/target.h"
#include "openssl/ssl.h"
#include "uv.h"

namespace apiserve::client::internal {

// The User-Agent sent when ClientConfig::user_agent is empty.
constexpr absl::string_view kDefaultUserAgent = "apiserve-client";
// The size of the one read buffer every connection of a Core reads into (libuv reads are serial on its loop).
constexpr size_t kReadBufferSize = 64 * 1024;

class Core {
 public:
  Core(ClientConfig config, Target target, bssl::UniquePtr<SSL_CTX> ctx, std::string token)
      : config_(std::move(config)),
        target_(std::move(target)),
        ctx_(std::move(ctx)),
        file_token_(std::move(token)),
        file_token_read_(absl::Now()) {
    server_name_ = config_.tls_server_name.empty() ? target_.host : config_.tls_server_name;
    user_agent_ = config_.user_agent.empty() ? std::string(kDefaultUserAgent) : config_.user_agent;
  }

  uv_loop_t* loop() { return io_->loop(); }
  void set_io(IoThread* io) { io_ = io; }
  const ClientConfig& config() const { return config_; }
  const Target& target() const { return target_; }
  SSL_CTX* ssl_ctx() const { return ctx_.get(); }
  const std::string& server_name() const { return server_name_; }
  const std::string& user_agent() const { return user_agent_; }
  char* read_buffer() { return read_buffer_; }

  // Start arms the call's timeout and queues it for a connection.
  void Start(const CallPtr& call);
  // Finish completes `call` once: stops its timer, detaches it from its connection, posts the result.
  void Finish(Call* call, absl::StatusOr<Response> result);
  // CheckBodyLimit returns ResourceExhausted naming ClientConfig::max_response_body_bytes when `length` more body
  // bytes would take `call` over it (a Do's buffered body, a watch's undelivered data), else OK.
  absl::Status CheckBodyLimit(const Call& call, size_t length) const;
  // AppendBody buffers a Do's body bytes, or posts a watch's to its on_data (counted as undelivered until it runs).
  void AppendBody(Call* call, absl::string_view chunk);
  // Retry puts a call back at the head of the queue (once).
  void Retry(const CallPtr& call);
  // Dispatch gives queued calls to usable connections and dials new ones as needed.
  void Dispatch();
  // ConnectionFailed fails every queued call with `status` when the connection failed before it was ready (no call
  // was bound to it).
  void ConnectionFailed(const absl::Status& status);
  // ReapConnections deletes closed connections whose callbacks have all run.
  void ReapConnections();
  void NoteProtocol(Connection::Protocol protocol) { last_protocol_ = protocol; }
  // Shutdown fails every call with Cancelled and closes every connection (the client is being destroyed).
  void Shutdown();
  // Token returns the bearer token to send ("" for none), re-reading the token file when stale.
  std::string Token();

 private:
  static void OnTimeout(uv_timer_t* timer);
  void StopTimer(Call* call);

  const ClientConfig config_;
  const Target target_;
  const bssl::UniquePtr<SSL_CTX> ctx_;
  std::string server_name_;
  std::string user_agent_;
  IoThread* io_ = nullptr;
  std::string file_token_;
  absl::Time file_token_read_;

  std::list<std::unique_ptr<Connection>> connections_;
  std::deque<CallPtr> pending_;
  absl::flat_hash_map<Call*, CallPtr> live_;  // every started, unfinished call
  Connection::Protocol last_protocol_ = Connection::Protocol::kUnknown;
  uint64_t next_connection_id_ = 1;
  bool shut_down_ = false;
  char read_buffer_[kReadBufferSize];
};

}  // namespace apiserve::client::internal

#endif  // APISERVE_CLIENT_CORE_H_
