// Heap allocations per request on the hot path, measured in-process: the demo chain served by server::Run on one
// loop, driven by h2load (a separate process, so only the server's allocations are counted), with every
// operator new of this process counted.
//
// Two runs on the same number of connections differ only in their number of requests, so their difference in
// allocations is what the extra requests cost, connection set-up and teardown cancelling out. For a fixed response
// (`/version`, a healthy `/healthz`) that must be zero, over HTTP/2 with and without multiplexing and over
// HTTP/1.1 — with request-header settings that may change at run time (the ConfigMap's), whose identity headers the
// authentication filter looks up and strips on every request. The tolerance (1 per 200 requests) absorbs the few
// allocations that depend on how reads and writes happen to batch, which a per-request allocation would exceed
// 200-fold.
//
// Not counted here: BoringSSL allocates its TLS record buffers with malloc() when a read or a write starts on an
// empty buffer and frees them when drained (its design, no hook), one of each per I/O burst.

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "authconfig/dynamic_request_header.h"
#include "base/status_matchers.h"
#include "chain/generic_server.h"
#include "cmd/apiserver/demo_chain.h"
#include "gtest/gtest.h"
#include "http1/options.h"
#include "http2/options.h"
#include "server/codecs.h"
#include "server/run.h"
#include "server/test_shell.h"
#include "server/test_tls.h"

namespace {
std::atomic<uint64_t> g_allocations{0};

void* CountedAllocate(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

void* CountedAllocateAligned(size_t size, std::align_val_t alignment) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  const size_t align = static_cast<size_t>(alignment);
  if (void* p = std::aligned_alloc(align, (size + align - 1) / align * align)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(size_t size) { return CountedAllocate(size); }
void* operator new[](size_t size) { return CountedAllocate(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept { return std::malloc(size == 0 ? 1 : size); }
void* operator new[](size_t size, const std::nothrow_t&) noexcept { return std::malloc(size == 0 ? 1 : size); }
void* operator new(size_t size, std::align_val_t alignment) { return CountedAllocateAligned(size, alignment); }
void* operator new[](size_t size, std::align_val_t alignment) { return CountedAllocateAligned(size, alignment); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { std::free(p); }

namespace apiserve::server {
namespace {

using ::apiserve::base::IsOk;

class HotPathAllocationsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto ctx = MakeTestServerSslCtx(/*http2=*/true);
    ASSERT_THAT(ctx, IsOk());
    ctx_ = ctx->release();

    chain::ServerConfig config;
    config.unauthenticated_http2_dos_mitigation = false;  // else anonymous h2 connections are closed at random
    config.request_timeout = absl::Seconds(10);
    auto request_header = std::make_shared<authconfig::DynamicRequestHeaderAuthenticator>();
    auth::RequestHeaderConfig settings;
    settings.client_ca_file =
        "client-ca::kube-system::extension-apiserver-authentication::requestheader-client-ca-file";
    settings.username_headers = {"X-Custom-User"};
    settings.group_headers = {"X-Custom-Group"};
    settings.extra_headers_prefix = {"X-Custom-Extra-"};
    ASSERT_THAT(request_header->Update(settings), IsOk());
    config.request_header_config = request_header;
    auto demo = demo::BuildDemoChain(config);
    ASSERT_THAT(demo, IsOk());
    demo_ = new demo::DemoChain(*std::move(demo));
    auto prepared = demo_->aggregator->PrepareRun();
    ASSERT_THAT(prepared, IsOk());

    stop_ = new lifecycle::Signal("stop");
    serving_ = new lifecycle::Signal("serving");
    runner_ = new std::thread([prepared = std::move(*prepared)]() mutable {
      RunOptions options;
      options.serving.bind_address = "127.0.0.1";
      options.serving.port = 0;
      options.serving.workers = 1;
      // No idle trim: runs are back to back, but one second between two would empty the loop's free lists and
      // the next run would refill them (allocations of an idle period, not of requests).
      options.serving.connection.idle_trim_delay = absl::ZeroDuration();
      options.ssl_ctx = ctx_;
      options.codec_factory = DefaultCodecFactory(http1::Options(), http2::Options());
      options.on_serving = [](SecureServer& s) {
        port_ = s.port();
        serving_->Fire();
      };
      run_result_ = new absl::Status(server::Run(std::move(prepared), options, stop_));
    });
    ASSERT_TRUE(serving_->WaitFor(absl::Seconds(20)));
  }

  static void TearDownTestSuite() {
    stop_->Fire();
    runner_->join();
    EXPECT_THAT(*run_result_, IsOk());
    delete runner_;
    delete run_result_;
    delete demo_;
    delete serving_;
    delete stop_;
    SSL_CTX_free(ctx_);
  }

  // Load runs h2load and returns how many allocations the process made meanwhile.
  static uint64_t Load(const std::string& client_flags, int requests, const std::string& path) {
    const std::string command = absl::StrCat("h2load ", client_flags, " -t 1 -n ", requests,
                                             " https://127.0.0.1:", port_, path, " 2>&1 | grep -o '[0-9]* 2xx'");
    const uint64_t before = g_allocations.load();
    const std::string out = Shell(command);
    const uint64_t after = g_allocations.load();
    EXPECT_EQ(out, absl::StrCat(requests, " 2xx\n")) << command;
    return after - before;
  }

  // PerExtraRequest is the allocations of `extra` more requests over the same connections, per request.
  static double PerExtraRequest(const std::string& client_flags, const std::string& path) {
    constexpr int kBase = 1000;
    constexpr int kExtra = 4000;
    Load(client_flags, 500, path);  // warm the loop's free lists
    const uint64_t base = Load(client_flags, kBase, path);
    const uint64_t more = Load(client_flags, kBase + kExtra, path);
    const double per_request = (static_cast<double>(more) - static_cast<double>(base)) / kExtra;
    std::printf("%s %s: %llu allocations for %d requests, %llu for %d: %.4f per extra request\n", client_flags.c_str(),
                path.c_str(), static_cast<unsigned long long>(base), kBase, static_cast<unsigned long long>(more),
                kBase + kExtra, per_request);
    return per_request;
  }

  static constexpr double kTolerance = 0.005;

  static inline SSL_CTX* ctx_ = nullptr;
  static inline demo::DemoChain* demo_ = nullptr;
  static inline lifecycle::Signal* stop_ = nullptr;
  static inline lifecycle::Signal* serving_ = nullptr;
  static inline std::thread* runner_ = nullptr;
  static inline absl::Status* run_result_ = nullptr;
  static inline int port_ = 0;
};

TEST_F(HotPathAllocationsTest, Http2MultiplexedVersion) {
  EXPECT_LT(PerExtraRequest("-c 2 -m 8", "/version"), kTolerance);
}

TEST_F(HotPathAllocationsTest, Http2OneStreamAtATimeVersion) {
  EXPECT_LT(PerExtraRequest("-c 2 -m 1", "/version"), kTolerance);
}

TEST_F(HotPathAllocationsTest, Http2HealthyHealthz) { EXPECT_LT(PerExtraRequest("-c 2 -m 8", "/healthz"), kTolerance); }

// A target longer than std::string's inline buffer (15 bytes), as real API paths are: nothing along the chain may
// copy it into a string of its own per request (the panic-recovery filter once did, for its log line).
TEST_F(HotPathAllocationsTest, Http2LongTargetGroupDiscovery) {
  EXPECT_LT(PerExtraRequest("-c 2 -m 8", "/apis/demo.apiserve.io/v1"), kTolerance);
}

TEST_F(HotPathAllocationsTest, Http11KeepAliveVersion) {
  EXPECT_LT(PerExtraRequest("--h1 -c 2", "/version"), kTolerance);
}

TEST_F(HotPathAllocationsTest, Http11HealthyReadyz) { EXPECT_LT(PerExtraRequest("--h1 -c 2", "/readyz"), kTolerance); }

// The measurement can see an allocation: a route that allocates per request is counted.
TEST_F(HotPathAllocationsTest, AnAllocatingRouteIsSeen) {
  // A verbose health probe builds its body per request.
  const double per_request = PerExtraRequest("-c 2 -m 8", "/healthz?verbose");
  EXPECT_GT(per_request, 1.0);
}

}  // namespace
}  // namespace apiserve::server
