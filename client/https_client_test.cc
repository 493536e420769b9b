#include "client/https_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/fake_executor.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/handler.h"
#include "http/response.h"
#include "server/codecs.h"
#include "server/event_loop.h"
#include "server/secure_server.h"
#include "server/test_tls.h"
#include "tls/test_certs.h"

namespace apiserve::client {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::HasSubstr;

// Waiter collects one result posted to the caller's loop.
template <typename T>
class Waiter {
 public:
  void Set(T value) {
    std::lock_guard<std::mutex> lock(mu_);
    value_ = std::make_unique<T>(std::move(value));
    cv_.notify_all();
  }
  T Wait(absl::Duration timeout = absl::Seconds(20)) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, absl::ToChronoSeconds(timeout), [this] { return value_ != nullptr; })) {
      ADD_FAILURE() << "timed out waiting for a callback";
      return T(absl::InternalError("no callback"));
    }
    return std::move(*value_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<T> value_;
};

// A silent TCP listener: connections complete in the kernel's backlog and nothing is ever read or written.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(address);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), len) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &len) != 0) {
      ADD_FAILURE() << "cannot listen";
    }
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

Request Get(std::string path) {
  Request request;
  request.path = std::move(path);
  return request;
}

// A port nobody listens on: bound, then closed.
int UnusedPort() {
  SilentListener listener;
  return listener.port();  // closed when `listener` goes
}

class HttpsClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(caller_.Start(), IsOk());
    auto cert = server::MakeTestCertificate();
    ASSERT_THAT(cert, IsOk());
    cert_ = *cert;
  }
  void TearDown() override {
    servers_.clear();
    caller_.Stop();
  }

  // StartServer serves `handler_` over TLS with h2 (or only HTTP/1.1), with an optional client-CA requirement.
  int StartServer(bool http2, X509* client_ca = nullptr, absl::Duration idle_timeout = absl::Seconds(90)) {
    auto ctx = server::MakeTestSslCtx(cert_, http2);
    EXPECT_THAT(ctx, IsOk());
    if (client_ca != nullptr) {
      X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx->get()), client_ca);
      SSL_CTX_set_verify(ctx->get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
    server::ServingOptions options;
    options.bind_address = "127.0.0.1";
    options.port = 0;
    options.connection.idle_timeout = idle_timeout;
    server::TlsHooks hooks;
    hooks.inspect = [this](SSL* ssl, http::ConnectionInfo*) {
      bssl::UniquePtr<X509> peer(SSL_get_peer_certificate(ssl));
      if (peer != nullptr) {
        std::lock_guard<std::mutex> lock(mu_);
        peer_cn_ = tls::testing::CommonNameOf(peer.get());
      }
    };
    auto served = server::SecureServer::Serve(options, ctx->get(), handler_,
                                              server::DefaultCodecFactory(http1::Options(), http2::Options()), hooks);
    EXPECT_THAT(served, IsOk());
    ctxs_.push_back(*std::move(ctx));
    servers_.push_back(*std::move(served));
    return servers_.back()->port();
  }

  ClientConfig Config(int port) {
    ClientConfig config;
    config.host = absl::StrCat("https://127.0.0.1:", port);
    config.ca_file = cert_.cert_file;
    return config;
  }

  std::unique_ptr<HttpClient> NewClient(const ClientConfig& config) {
    auto client = NewHttpClient(config);
    EXPECT_THAT(client, IsOk());
    return client.ok() ? *std::move(client) : nullptr;
  }

  absl::StatusOr<Response> Call(HttpClient& client, Request request) {
    Waiter<absl::StatusOr<Response>> waiter;
    client.Do(std::move(request), &caller_, [&waiter, this](absl::StatusOr<Response> response) {
      EXPECT_TRUE(caller_.IsExecutorThread());
      waiter.Set(std::move(response));
    });
    return waiter.Wait();
  }

  static std::string Header(const Response& response, absl::string_view name) {
    for (const auto& [n, v] : response.headers) {
      if (n == name) return v;
    }
    return "";
  }

  std::string peer_cn() {
    std::lock_guard<std::mutex> lock(mu_);
    return peer_cn_;
  }

  server::EventLoop caller_{"caller"};
  server::TestCertificate cert_;
  std::mutex mu_;
  std::string peer_cn_;
  std::vector<std::unique_ptr<http::ResponseWriter>> watch_writers_;  // guarded by mu_
  std::atomic<int> requests_{0};
  std::atomic<bool> big_watch_written_{false};

  // /echo answers "<alpn> <method> <path> auth=<Authorization> ua=<User-Agent> body=<body>"; /watch streams two
  // events and stays open; /watch-end streams two and ends.
  http::HandlerPtr handler_ = http::HandlerFunc([this](http::RequestPtr request, http::ResponseWriter writer) {
    ++requests_;
    if (request->path == "/hang") {  // never answered (until the server stops)
      std::lock_guard<std::mutex> lock(mu_);
      watch_writers_.push_back(std::make_unique<http::ResponseWriter>(std::move(writer)));
      return;
    }
    if (absl::StartsWith(request->path, "/big/")) {  // /big/<n>: n bytes of 'x'
      size_t n = 0;
      if (!absl::SimpleAtoi(request->path.substr(5), &n)) n = 0;
      writer.Send(http::TextResponse(200, std::string(n, 'x'))).IgnoreError();
      return;
    }
    if (request->path == "/watch-big") {  // eight 1000-byte chunks, then the end
      writer.WriteHead(200, http::HeaderMap()).IgnoreError();
      for (int i = 0; i < 8; ++i) writer.Write(std::string(1000, 'a' + i)).IgnoreError();
      writer.Finish().IgnoreError();
      big_watch_written_ = true;
      return;
    }
    if (request->path == "/watch" || request->path == "/watch-end") {
      http::HeaderMap headers;
      headers.Add("Content-Type", "application/json");
      writer.WriteHead(200, std::move(headers)).IgnoreError();
      writer.Write("{\"type\":\"ADDED\",\"object\":{\"n\":1}}\n").IgnoreError();
      writer.Write("{\"type\":\"MODIFIED\",\"object\":{\"n\":2}}\n").IgnoreError();
      if (request->path == "/watch-end") {
        writer.Finish().IgnoreError();
      } else {
        std::lock_guard<std::mutex> lock(mu_);
        watch_writers_.push_back(std::make_unique<http::ResponseWriter>(std::move(writer)));
      }
      return;
    }
    http::ReadBody(request, [request, writer = std::move(writer)](absl::Status read) mutable {
      const auto auth = request->headers.Get("authorization");
      const auto ua = request->headers.Get("user-agent");
      writer
          .Send(http::TextResponse(
              200, absl::StrCat(request->connection->alpn, " ", request->method, " ", request->path,
                                " auth=", auth ? *auth : "", " ua=", ua ? *ua : "", " body=", request->body)))
          .IgnoreError();
    });
  });
  std::vector<bssl::UniquePtr<SSL_CTX>> ctxs_;
  std::vector<std::unique_ptr<server::SecureServer>> servers_;
};

TEST_F(HttpsClientTest, DoOverHttp2ReusesOneConnection) {
  const int port = StartServer(/*http2=*/true);
  auto client = NewClient(Config(port));
  ASSERT_NE(client, nullptr);
  // Concurrent requests: all multiplexed on one connection.
  constexpr int kRequests = 20;
  std::vector<Waiter<absl::StatusOr<Response>>> waiters(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    Request request;
    request.path = absl::StrCat("/echo/", i);
    client->Do(std::move(request), &caller_,
               [&waiters, i](absl::StatusOr<Response> response) { waiters[i].Set(std::move(response)); });
  }
  for (int i = 0; i < kRequests; ++i) {
    absl::StatusOr<Response> response = waiters[i].Wait();
    ASSERT_THAT(response, IsOk());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, absl::StrCat("h2 GET /echo/", i, " auth= ua=apiserve-client body="));
    EXPECT_EQ(Header(*response, "content-type"), "text/plain; charset=utf-8");
  }
  // And sequential ones too.
  for (int i = 0; i < 5; ++i) {
    Request request;
    request.method = "POST";
    request.path = "/post";
    request.body = std::string(100000, 'x');
    request.headers.emplace_back("Content-Type", "application/json");
    auto response = Call(*client, std::move(request));
    ASSERT_THAT(response, IsOk());
    EXPECT_EQ(response->body, absl::StrCat("h2 POST /post auth= ua=apiserve-client body=", std::string(100000, 'x')));
  }
  EXPECT_EQ(servers_[0]->Counters().accepted.Value(), 1u);
}

TEST_F(HttpsClientTest, DoOverHttp1KeepsAlive) {
  const int port = StartServer(/*http2=*/false);
  ClientConfig config = Config(port);
  config.user_agent = "tester/1.0";
  auto client = NewClient(config);
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 10; ++i) {
    Request request;
    request.method = i % 2 == 0 ? "GET" : "POST";
    request.path = absl::StrCat("/h1/", i);
    if (i % 2 == 1) request.body = "{\"a\":1}";
    auto response = Call(*client, std::move(request));
    ASSERT_THAT(response, IsOk());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, absl::StrCat("http/1.1 ", i % 2 == 0 ? "GET" : "POST", " /h1/", i,
                                           " auth= ua=tester/1.0 body=", i % 2 == 1 ? "{\"a\":1}" : ""));
  }
  EXPECT_EQ(servers_[0]->Counters().accepted.Value(), 1u);
}

TEST_F(HttpsClientTest, Http1PoolIsBounded) {
  const int port = StartServer(/*http2=*/false);
  ClientConfig config = Config(port);
  config.max_http1_connections = 3;
  auto client = NewClient(config);
  ASSERT_NE(client, nullptr);
  // Dial once so the client knows the server speaks HTTP/1.1, then fire concurrently.
  ASSERT_THAT(Call(*client, Get("/first")), IsOk());
  constexpr int kRequests = 12;
  std::vector<Waiter<absl::StatusOr<Response>>> waiters(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    client->Do(Get(absl::StrCat("/p", i)), &caller_,
               [&waiters, i](absl::StatusOr<Response> response) { waiters[i].Set(std::move(response)); });
  }
  for (int i = 0; i < kRequests; ++i) {
    auto response = waiters[i].Wait();
    ASSERT_THAT(response, IsOk());
    EXPECT_THAT(response->body, HasSubstr(absl::StrCat("GET /p", i, " ")));
  }
  EXPECT_LE(servers_[0]->Counters().accepted.Value(), 3u);
}

TEST_F(HttpsClientTest, DisableHttp2UsesHttp1) {
  const int port = StartServer(/*http2=*/true);
  ClientConfig config = Config(port);
  config.disable_http2 = true;
  auto client = NewClient(config);
  ASSERT_NE(client, nullptr);
  auto response = Call(*client, Get("/x"));
  ASSERT_THAT(response, IsOk());
  EXPECT_THAT(response->body, HasSubstr("http/1.1 GET /x"));
}

TEST_F(HttpsClientTest, BearerTokenIsSent) {
  const int port = StartServer(/*http2=*/true);
  ClientConfig config = Config(port);
  config.bearer_token = "s3cret";
  auto client = NewClient(config);
  ASSERT_NE(client, nullptr);
  auto response = Call(*client, Get("/t"));
  ASSERT_THAT(response, IsOk());
  EXPECT_THAT(response->body, HasSubstr("auth=Bearer s3cret "));
}

TEST_F(HttpsClientTest, BearerTokenFileIsReReadWhenStale) {
  const int port = StartServer(/*http2=*/false);
  tls::testing::TempDir dir;
  ClientConfig config = Config(port);
  config.bearer_token_file = dir.Write("token", "first\n");
  config.token_file_refresh = absl::Milliseconds(50);
  auto client = NewClient(config);
  ASSERT_NE(client, nullptr);
  auto response = Call(*client, Get("/t"));
  ASSERT_THAT(response, IsOk());
  EXPECT_THAT(response->body, HasSubstr("auth=Bearer first "));
  dir.Write("token", "second");
  absl::SleepFor(absl::Milliseconds(100));
  response = Call(*client, Get("/t"));
  ASSERT_THAT(response, IsOk());
  EXPECT_THAT(response->body, HasSubstr("auth=Bearer second "));
}

TEST_F(HttpsClientTest, MissingTokenFileIsNotFound) {
  ClientConfig config = Config(443);
  config.bearer_token_file = "/nonexistent/token";
  EXPECT_THAT(NewHttpClient(config), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(HttpsClientTest, ClientCertificateIsPresented) {
  auto ca = tls::testing::MakeCa("client-ca");
  ASSERT_THAT(ca, IsOk());
  auto leaf = tls::testing::MakeCert(tls::testing::Template("alice"), &*ca);
  ASSERT_THAT(leaf, IsOk());
  const int port = StartServer(/*http2=*/true, ca->cert.get());

  // Without a certificate the server refuses the handshake.
  auto anonymous = NewClient(Config(port));
  ASSERT_NE(anonymous, nullptr);
  EXPECT_THAT(Call(*anonymous, Get("/c")), StatusIs(absl::StatusCode::kUnavailable));

  ClientConfig config = Config(port);
  config.cert_pem = leaf->cert_pem;
  config.key_pem = leaf->key_pem;
  auto client = NewClient(config);
  ASSERT_NE(client, nullptr);
  auto response = Call(*client, Get("/c"));
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(peer_cn(), "alice");

  // The file form.
  tls::testing::TempDir dir;
  ClientConfig files = Config(port);
  files.cert_file = dir.Write("client.crt", leaf->cert_pem);
  files.key_file = dir.Write("client.key", leaf->key_pem);
  auto file_client = NewClient(files);
  ASSERT_NE(file_client, nullptr);
  EXPECT_THAT(Call(*file_client, Get("/c")), IsOk());
}

TEST_F(HttpsClientTest, MismatchedKeyIsInvalidArgument) {
  auto a = tls::testing::MakeServerCert("a");
  auto b = tls::testing::MakeServerCert("b");
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  ClientConfig config = Config(443);
  config.cert_pem = a->cert_pem;
  config.key_pem = b->key_pem;
  EXPECT_THAT(NewHttpClient(config), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not match")));
  config.key_pem = "";
  EXPECT_THAT(NewHttpClient(config), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs a key")));
}

TEST_F(HttpsClientTest, BadCaIsUnavailableNamingVerification) {
  const int port = StartServer(/*http2=*/true);
  auto other = tls::testing::MakeCa("someone-else");
  ASSERT_THAT(other, IsOk());
  ClientConfig config = Config(port);
  config.ca_file.clear();
  config.ca_pem = other->cert_pem;
  auto client = NewClient(config);
  ASSERT_NE(client, nullptr);
  EXPECT_THAT(
      Call(*client, Get("/x")),
      StatusIs(absl::StatusCode::kUnavailable,
               HasSubstr(absl::StrCat("TLS handshake with 127.0.0.1:", port, " failed: certificate verify failed: "))));
}

TEST_F(HttpsClientTest, WrongServerNameIsUnavailable) {
  const int port = StartServer(/*http2=*/true);
  ClientConfig config = Config(port);
  config.tls_server_name = "not-localhost.example";
  auto client = NewClient(config);
  ASSERT_NE(client, nullptr);
  EXPECT_THAT(
      Call(*client, Get("/x")),
      StatusIs(absl::StatusCode::kUnavailable,
               HasSubstr("certificate verify failed: Hostname mismatch (server name \"not-localhost.example\")")));
  // The right name (a DNS SAN of the certificate) works against the IP.
  config.tls_server_name = "localhost";
  auto good = NewClient(config);
  ASSERT_NE(good, nullptr);
  EXPECT_THAT(Call(*good, Get("/x")), IsOk());
}

TEST_F(HttpsClientTest, ConnectionRefusedIsUnavailable) {
  const int port = UnusedPort();
  auto client = NewClient(Config(port));
  ASSERT_NE(client, nullptr);
  EXPECT_THAT(Call(*client, Get("/x")),
              StatusIs(absl::StatusCode::kUnavailable,
                       absl::StrCat("dial tcp 127.0.0.1:", port, ": connect: connection refused")));
}

TEST_F(HttpsClientTest, UnknownHostIsUnavailable) {
  ClientConfig config = Config(443);
  config.host = "https://no-such-host.invalid:6443";
  auto client = NewClient(config);
  ASSERT_NE(client, nullptr);
  EXPECT_THAT(Call(*client, Get("/x")),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("lookup no-such-host.invalid: ")));
}

TEST_F(HttpsClientTest, SilentServerTimesOut) {
  SilentListener silent;
  auto client = NewClient(Config(silent.port()));
  ASSERT_NE(client, nullptr);
  const absl::Time start = absl::Now();
  Request request;
  request.path = "/slow";
  request.timeout = absl::Milliseconds(200);
  EXPECT_THAT(Call(*client, std::move(request)),
              StatusIs(absl::StatusCode::kDeadlineExceeded,
                       absl::StrCat("GET https://127.0.0.1:", silent.port(),
                                    "/slow: timed out after 200ms waiting for the response")));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

class HangTest : public HttpsClientTest, public ::testing::WithParamInterface<bool> {};

// A request the server never answers times out; HTTP/2 resets only that stream and keeps the connection, HTTP/1.1
// must close it.
TEST_P(HangTest, TimeoutThenTheNextRequestWorks) {
  const bool http2 = GetParam();
  const int port = StartServer(http2);
  auto client = NewClient(Config(port));
  ASSERT_NE(client, nullptr);
  ASSERT_THAT(Call(*client, Get("/warm")), IsOk());
  Request hang = Get("/hang");
  hang.timeout = absl::Milliseconds(150);
  EXPECT_THAT(Call(*client, std::move(hang)),
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("/hang: timed out after 150ms")));
  auto response = Call(*client, Get("/after"));
  ASSERT_THAT(response, IsOk());
  EXPECT_THAT(response->body, HasSubstr("GET /after "));
  EXPECT_EQ(servers_[0]->Counters().accepted.Value(), http2 ? 1u : 2u);
}

INSTANTIATE_TEST_SUITE_P(Protocols, HangTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) { return param.param ? "Http2" : "Http1"; });

TEST_F(HttpsClientTest, BadRequestsAreInvalidArgument) {
  const int port = StartServer(/*http2=*/true);
  auto client = NewClient(Config(port));
  ASSERT_NE(client, nullptr);
  EXPECT_THAT(Call(*client, Get("no-slash")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must start with '/'")));
  Request bad_method = Get("/");
  bad_method.method = "GE T";
  EXPECT_THAT(Call(*client, std::move(bad_method)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("invalid method")));
  Request bad_header;
  bad_header.path = "/";
  bad_header.headers.emplace_back("X-A", "b\r\nInjected: 1");
  EXPECT_THAT(Call(*client, std::move(bad_header)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("invalid value for header X-A")));
  Request host;
  host.path = "/";
  host.headers.emplace_back("Host", "x");
  EXPECT_THAT(Call(*client, std::move(host)), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(requests_.load(), 0);
}

TEST_F(HttpsClientTest, BadConfigIsInvalidArgument) {
  ClientConfig config;
  config.host = "http://127.0.0.1:1";
  EXPECT_THAT(NewHttpClient(config), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("only https://")));
  config.host = "https://127.0.0.1:1/api";
  EXPECT_THAT(NewHttpClient(config), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("without a path")));
  config.host = "https://127.0.0.1:99999";
  EXPECT_THAT(NewHttpClient(config), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad port")));
  config.host = "https://[::1]:6443";
  config.ca_pem = "not a certificate";
  EXPECT_THAT(NewHttpClient(config), StatusIs(absl::StatusCode::kInvalidArgument, "ca_pem: no PEM certificate found"));
  config.ca_file = "/nonexistent/ca.crt";
  EXPECT_THAT(NewHttpClient(config), StatusIs(absl::StatusCode::kInvalidArgument, "both ca_pem and ca_file are set"));
  config.ca_pem.clear();
  EXPECT_THAT(NewHttpClient(config), StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/ca.crt")));
}

struct WatchResult {
  std::mutex mu;
  std::condition_variable cv;
  int status = 0;
  std::string data;
  bool done = false;
  absl::Status final_status;

  bool WaitFor(const std::function<bool()>& predicate) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(20), predicate);
  }
};

class WatchTest : public HttpsClientTest, public ::testing::WithParamInterface<bool> {};

TEST_P(WatchTest, StreamsLinesAndCancels) {
  const int port = StartServer(/*http2=*/GetParam());
  auto client = NewClient(Config(port));
  ASSERT_NE(client, nullptr);
  auto result = std::make_shared<WatchResult>();
  Request request;
  request.path = "/watch";
  std::unique_ptr<WatchHandle> handle = client->Watch(
      std::move(request), &caller_,
      [result](const Response& head) {
        std::lock_guard<std::mutex> lock(result->mu);
        result->status = head.status;
        result->cv.notify_all();
      },
      [result](absl::string_view chunk) {
        std::lock_guard<std::mutex> lock(result->mu);
        result->data.append(chunk.data(), chunk.size());
        result->cv.notify_all();
      },
      [result](absl::Status status) {
        std::lock_guard<std::mutex> lock(result->mu);
        result->done = true;
        result->final_status = status;
        result->cv.notify_all();
      });
  ASSERT_TRUE(result->WaitFor([&] { return absl::StrContains(result->data, "MODIFIED"); }));
  {
    std::lock_guard<std::mutex> lock(result->mu);
    EXPECT_EQ(result->status, 200);
    const std::vector<std::string> lines = absl::StrSplit(result->data, '\n', absl::SkipEmpty());
    EXPECT_THAT(lines, ::testing::ElementsAre("{\"type\":\"ADDED\",\"object\":{\"n\":1}}",
                                              "{\"type\":\"MODIFIED\",\"object\":{\"n\":2}}"));
    EXPECT_FALSE(result->done);
  }
  // More data later still arrives.
  {
    std::lock_guard<std::mutex> lock(mu_);
    ASSERT_EQ(watch_writers_.size(), 1u);
    watch_writers_[0]->Write("{\"type\":\"DELETED\"}\n").IgnoreError();
  }
  ASSERT_TRUE(result->WaitFor([&] { return absl::StrContains(result->data, "DELETED"); }));
  handle->Cancel();
  ASSERT_TRUE(result->WaitFor([&] { return result->done; }));
  std::lock_guard<std::mutex> lock(result->mu);
  EXPECT_THAT(result->final_status, StatusIs(absl::StatusCode::kCancelled, "watch cancelled"));
}

TEST_P(WatchTest, EndsWithOkWhenTheServerEnds) {
  const int port = StartServer(/*http2=*/GetParam());
  auto client = NewClient(Config(port));
  ASSERT_NE(client, nullptr);
  auto result = std::make_shared<WatchResult>();
  Request request;
  request.path = "/watch-end";
  auto handle = client->Watch(
      std::move(request), &caller_, [](const Response&) {},
      [result](absl::string_view chunk) {
        std::lock_guard<std::mutex> lock(result->mu);
        result->data.append(chunk.data(), chunk.size());
      },
      [result](absl::Status status) {
        std::lock_guard<std::mutex> lock(result->mu);
        result->done = true;
        result->final_status = status;
        result->cv.notify_all();
      });
  ASSERT_TRUE(result->WaitFor([&] { return result->done; }));
  std::lock_guard<std::mutex> lock(result->mu);
  EXPECT_THAT(result->final_status, IsOk());
  EXPECT_THAT(result->data, HasSubstr("ADDED"));
  EXPECT_THAT(result->data, HasSubstr("MODIFIED"));
  handle->Cancel();  // after the end: a no-op
}

INSTANTIATE_TEST_SUITE_P(Protocols, WatchTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) { return param.param ? "Http2" : "Http1"; });

class BodyLimitTest : public HttpsClientTest, public ::testing::WithParamInterface<bool> {};

TEST_P(BodyLimitTest, ABodyOverTheLimitIsResourceExhausted) {
  const int port = StartServer(/*http2=*/GetParam());
  ClientConfig config = Config(port);
  config.max_response_body_bytes = 100000;
  auto client = NewClient(config);
  ASSERT_NE(client, nullptr);
  auto at_limit = Call(*client, Get("/big/100000"));
  ASSERT_THAT(at_limit, IsOk());
  EXPECT_EQ(at_limit->body.size(), 100000u);
  EXPECT_THAT(Call(*client, Get("/big/100001")),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       absl::StrCat("GET https://127.0.0.1:", port,
                                    "/big/100001: response body exceeds max_response_body_bytes (100000 bytes)")));
  EXPECT_THAT(Call(*client, Get("/big/5000000")), StatusIs(absl::StatusCode::kResourceExhausted));
  // The client goes on: HTTP/2 on the same connection (the stream was reset), HTTP/1.1 on a new one.
  auto after = Call(*client, Get("/big/10"));
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(after->body, std::string(10, 'x'));
  EXPECT_EQ(servers_[0]->Counters().accepted.Value(), GetParam() ? 1u : 3u);
}

TEST_P(BodyLimitTest, DefaultLimitIsTenMebibytes) {
  EXPECT_EQ(ClientConfig().max_response_body_bytes, size_t{10} << 20);
  const int port = StartServer(/*http2=*/GetParam());
  auto client = NewClient(Config(port));
  ASSERT_NE(client, nullptr);
  EXPECT_THAT(Call(*client, Get(absl::StrCat("/big/", (10 << 20) + 1))),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("(10485760 bytes)")));
}

// A watch whose executor does not run: what it received stays undelivered until the limit ends the watch.
TEST_P(BodyLimitTest, UndeliveredWatchDataOverTheLimitEndsTheWatch) {
  const int port = StartServer(/*http2=*/GetParam());
  ClientConfig config = Config(port);
  config.max_response_body_bytes = 4000;
  auto client = NewClient(config);
  ASSERT_NE(client, nullptr);
  base::FakeExecutor stalled;  // nothing runs until RunUntilIdle
  std::string data;
  std::optional<absl::Status> done;
  Request request;
  request.path = "/watch-big";
  auto handle = client->Watch(
      std::move(request), &stalled, [](const Response&) {},
      [&](absl::string_view chunk) { data.append(chunk.data(), chunk.size()); },
      [&](absl::Status status) { done = std::move(status); });
  const absl::Time start = absl::Now();
  while (!big_watch_written_ && absl::Now() - start < absl::Seconds(20)) absl::SleepFor(absl::Milliseconds(5));
  ASSERT_TRUE(big_watch_written_);
  absl::SleepFor(absl::Milliseconds(500));  // for the client to read what the server wrote
  while (!done.has_value() && absl::Now() - start < absl::Seconds(20)) {
    stalled.RunUntilIdle();
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_TRUE(done.has_value());
  EXPECT_THAT(*done, StatusIs(absl::StatusCode::kResourceExhausted,
                              absl::StrCat("GET https://127.0.0.1:", port,
                                           "/watch-big: watch data not yet delivered exceeds max_response_body_bytes "
                                           "(4000 bytes)")));
  // What was delivered is a prefix of the stream (none at all when the server's writes arrived as one chunk).
  std::string sent;
  for (int i = 0; i < 8; ++i) sent += std::string(1000, 'a' + i);
  EXPECT_LE(data.size(), 4000u);
  EXPECT_EQ(data, sent.substr(0, data.size()));
}

INSTANTIATE_TEST_SUITE_P(Protocols, BodyLimitTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) { return param.param ? "Http2" : "Http1"; });

TEST_F(HttpsClientTest, DestroyingTheClientCancelsPendingCalls) {
  SilentListener silent;
  auto client = NewClient(Config(silent.port()));
  ASSERT_NE(client, nullptr);
  Waiter<absl::StatusOr<Response>> waiter;
  client->Do(Get("/never"), &caller_,
             [&waiter](absl::StatusOr<Response> response) { waiter.Set(std::move(response)); });
  absl::SleepFor(absl::Milliseconds(50));
  client.reset();
  EXPECT_THAT(waiter.Wait(), StatusIs(absl::StatusCode::kCancelled, "the client was destroyed"));
}

class IdleCloseTest : public HttpsClientTest, public ::testing::WithParamInterface<bool> {};

// The server closes idle connections (HTTP/1.1: close; HTTP/2: GOAWAY): the next request dials a new one.
TEST_P(IdleCloseTest, NextRequestRedials) {
  const int port = StartServer(/*http2=*/GetParam(), nullptr, absl::Milliseconds(100));
  auto client = NewClient(Config(port));
  ASSERT_NE(client, nullptr);
  ASSERT_THAT(Call(*client, Get("/1")), IsOk());
  absl::SleepFor(absl::Milliseconds(400));
  auto response = Call(*client, Get("/2"));
  ASSERT_THAT(response, IsOk());
  EXPECT_THAT(response->body, HasSubstr("GET /2 "));
  EXPECT_EQ(servers_[0]->Counters().accepted.Value(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Protocols, IdleCloseTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) { return param.param ? "Http2" : "Http1"; });

// The client's own idle timeout closes the connection; the next request dials again.
TEST_F(HttpsClientTest, ClientClosesIdleConnections) {
  const int port = StartServer(/*http2=*/true);
  ClientConfig config = Config(port);
  config.idle_connection_timeout = absl::Milliseconds(50);
  auto client = NewClient(config);
  ASSERT_NE(client, nullptr);
  ASSERT_THAT(Call(*client, Get("/1")), IsOk());
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(servers_[0]->OpenConnections(), 0u);
  ASSERT_THAT(Call(*client, Get("/2")), IsOk());
  EXPECT_EQ(servers_[0]->Counters().accepted.Value(), 2u);
}

TEST_F(HttpsClientTest, ServerGoneIsUnavailable) {
  const int port = StartServer(/*http2=*/false);
  auto client = NewClient(Config(port));
  ASSERT_NE(client, nullptr);
  ASSERT_THAT(Call(*client, Get("/1")), IsOk());
  // The server goes away and comes back on another port is not possible; close its connections instead.
  servers_[0]->Shutdown(absl::Milliseconds(10));
  absl::SleepFor(absl::Milliseconds(200));
  // The listener is gone too: the next call dials and is refused, not stuck on the dead connection.
  EXPECT_THAT(Call(*client, Get("/2")), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace apiserve::client
