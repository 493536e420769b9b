// Two TlsTransports, a server and a client, driven against each other in memory: no sockets.
#include "server/tls_transport.h"

#include <string>
#include <utility>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/test_tls.h"

namespace apiserve::server {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::HasSubstr;
using HandshakeResult = TlsTransport::HandshakeResult;
using ReadStatus = TlsTransport::ReadStatus;

// Move hands every pending ciphertext byte of `from` to `to`; returns how many moved.
size_t Move(TlsTransport& from, TlsTransport& to) {
  const size_t n = from.PendingCiphertext();
  if (n == 0) return 0;
  std::string bytes(n, '\0');
  EXPECT_THAT(from.TakeCiphertext(bytes.data(), n), IsOk());
  EXPECT_THAT(to.Receive(bytes), IsOk());
  return n;
}

// ReadAll decrypts everything `transport` can read now.
std::string ReadAll(TlsTransport& transport, ReadStatus* last = nullptr) {
  std::string out;
  char buffer[4096];
  for (;;) {
    const TlsTransport::ReadResult r = transport.Read(buffer, sizeof(buffer));
    if (r.status != ReadStatus::kData) {
      if (last != nullptr) *last = r.status;
      return out;
    }
    out.append(buffer, r.size);
  }
}

class TlsTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server_ctx = MakeTestServerSslCtx(/*http2=*/true);
    ASSERT_THAT(server_ctx, IsOk());
    server_ctx_ = *std::move(server_ctx);
    client_ctx_.reset(SSL_CTX_new(TLS_method()));
    ASSERT_THAT(server_.Init(bssl::UniquePtr<SSL>(SSL_new(server_ctx_.get())), TlsTransport::Role::kServer), IsOk());
    bssl::UniquePtr<SSL> client_ssl(SSL_new(client_ctx_.get()));
    SSL_set_tlsext_host_name(client_ssl.get(), "localhost");
    static const uint8_t kAlpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    ASSERT_EQ(SSL_set_alpn_protos(client_ssl.get(), kAlpn, sizeof(kAlpn)), 0);
    ASSERT_THAT(client_.Init(std::move(client_ssl), TlsTransport::Role::kClient), IsOk());
  }

  // Connect runs both handshakes to the end.
  void Connect() {
    HandshakeResult server = HandshakeResult::kWantRead;
    HandshakeResult client = HandshakeResult::kWantRead;
    for (int round = 0; round < 10; ++round) {
      client = client_.Handshake();
      Move(client_, server_);
      server = server_.Handshake();
      Move(server_, client_);
      if (server == HandshakeResult::kDone && client == HandshakeResult::kDone) return;
      ASSERT_NE(server, HandshakeResult::kFailed);
      ASSERT_NE(client, HandshakeResult::kFailed);
    }
    FAIL() << "the handshake did not finish";
  }

  bssl::UniquePtr<SSL_CTX> server_ctx_;
  bssl::UniquePtr<SSL_CTX> client_ctx_;
  TlsTransport server_;
  TlsTransport client_;
};

TEST_F(TlsTransportTest, HandshakeNegotiatesAlpnVersionAndSni) {
  EXPECT_EQ(server_.Handshake(), HandshakeResult::kWantRead);  // nothing received yet
  EXPECT_EQ(server_.PendingCiphertext(), 0u);
  Connect();
  http::ConnectionInfo info;
  server_.FillConnectionInfo(&info);
  EXPECT_EQ(info.alpn, "h2");
  EXPECT_EQ(info.tls_version, "TLSv1.3");
  EXPECT_EQ(info.sni, "localhost");
  EXPECT_FALSE(server_.LooksLikePlainHttp());
}

TEST_F(TlsTransportTest, PlaintextCrossesBothWaysInRecords) {
  Connect();
  ASSERT_TRUE(client_.Seal("GET / HTTP/1.1\r\n\r\n"));
  Move(client_, server_);
  EXPECT_TRUE(server_.HasBufferedInput());
  ReadStatus last = ReadStatus::kData;
  EXPECT_EQ(ReadAll(server_, &last), "GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(last, ReadStatus::kWantRead);
  EXPECT_FALSE(server_.HasBufferedInput());

  const std::string big(100 * 1024, 'x');  // several records
  ASSERT_TRUE(server_.Seal(big));
  EXPECT_GT(server_.PendingCiphertext(), big.size());  // record overhead
  Move(server_, client_);
  EXPECT_EQ(ReadAll(client_), big);
  EXPECT_TRUE(server_.Seal(""));
  EXPECT_EQ(server_.PendingCiphertext(), 0u);
}

// Records that arrived together: after the first is read, HasBufferedInput tells that the second waits (in the BIO
// or already in the library's buffer), and after the last that nothing does — what lets a reader stop at the last
// record without one more read to learn that nothing is left.
TEST_F(TlsTransportTest, HasBufferedInputCountsRecordsTheLibraryAlreadyPulledIn) {
  Connect();
  ASSERT_TRUE(client_.Seal("first"));
  ASSERT_TRUE(client_.Seal("second"));
  Move(client_, server_);
  char buffer[64];
  TlsTransport::ReadResult r = server_.Read(buffer, sizeof(buffer));
  ASSERT_EQ(r.status, ReadStatus::kData);
  EXPECT_EQ(absl::string_view(buffer, r.size), "first");
  EXPECT_TRUE(server_.HasBufferedInput());
  r = server_.Read(buffer, sizeof(buffer));
  ASSERT_EQ(r.status, ReadStatus::kData);
  EXPECT_EQ(absl::string_view(buffer, r.size), "second");
  EXPECT_FALSE(server_.HasBufferedInput());
  EXPECT_EQ(server_.Read(buffer, sizeof(buffer)).status, ReadStatus::kWantRead);
}

TEST_F(TlsTransportTest, IdleMemoryIsReleasedOnlyWhenNothingWaitsAndTheSessionGoesOn) {
  Connect();
  ReadAll(server_);
  ReadAll(client_);  // the session tickets
  ASSERT_TRUE(client_.Seal("ping"));
  EXPECT_FALSE(client_.ReleaseIdleMemory());  // ciphertext waits to be taken
  Move(client_, server_);
  EXPECT_FALSE(server_.ReleaseIdleMemory());  // ciphertext waits to be read
  EXPECT_EQ(ReadAll(server_), "ping");
  EXPECT_TRUE(server_.ReleaseIdleMemory());
  EXPECT_TRUE(client_.ReleaseIdleMemory());

  const std::string big(40 * 1024, 'y');  // both ways, through the fresh BIOs
  ASSERT_TRUE(server_.Seal(big));
  Move(server_, client_);
  EXPECT_EQ(ReadAll(client_), big);
  ASSERT_TRUE(client_.Seal("pong"));
  Move(client_, server_);
  EXPECT_EQ(ReadAll(server_), "pong");
}

TEST_F(TlsTransportTest, ShutdownSendsCloseNotify) {
  Connect();
  ReadAll(server_);  // the client's session tickets, if any, and nothing else
  ASSERT_THAT(client_.Shutdown(), IsOk());
  ASSERT_GT(Move(client_, server_), 0u);
  ReadStatus last = ReadStatus::kData;
  EXPECT_EQ(ReadAll(server_, &last), "");
  EXPECT_EQ(last, ReadStatus::kClosed);
}

TEST_F(TlsTransportTest, GarbageFailsTheHandshake) {
  ASSERT_THAT(server_.Receive(std::string(64, '\x16') + "not a client hello"), IsOk());
  EXPECT_EQ(server_.Handshake(), HandshakeResult::kFailed);
  EXPECT_LE(server_.last_result(), 0);
  EXPECT_FALSE(server_.LooksLikePlainHttp());
}

TEST_F(TlsTransportTest, PlainHttpIsRecognizedFromTheFirstBytes) {
  ASSERT_THAT(server_.Receive("GE"), IsOk());
  EXPECT_FALSE(server_.LooksLikePlainHttp());
  ASSERT_THAT(server_.Receive("T / HTTP/1.1\r\n"), IsOk());
  EXPECT_TRUE(server_.LooksLikePlainHttp());
  EXPECT_EQ(server_.Handshake(), HandshakeResult::kFailed);
}

TEST(TlsTransportInitTest, NullSslIsRejected) {
  TlsTransport transport;
  EXPECT_THAT(transport.Init(nullptr, TlsTransport::Role::kServer),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no SSL")));
}

}  // namespace
}  // namespace apiserve::server
