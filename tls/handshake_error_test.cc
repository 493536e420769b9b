#include "tls/handshake_error.h"

#include "gtest/gtest.h"

namespace apiserve::tls {
namespace {

TEST(HandshakeErrorTest, Names) {
  EXPECT_EQ(HandshakeErrorKindName(HandshakeErrorKind::kNotTls), "not_tls");
  EXPECT_EQ(HandshakeErrorKindName(HandshakeErrorKind::kUnsupportedVersion), "unsupported_version");
  EXPECT_EQ(HandshakeErrorKindName(HandshakeErrorKind::kNoSharedCipher), "no_shared_cipher");
  EXPECT_EQ(HandshakeErrorKindName(HandshakeErrorKind::kNoApplicationProtocol), "no_application_protocol");
  EXPECT_EQ(HandshakeErrorKindName(HandshakeErrorKind::kNoCertificate), "no_certificate");
  EXPECT_EQ(HandshakeErrorKindName(HandshakeErrorKind::kConnectionClosed), "connection_closed");
  EXPECT_EQ(HandshakeErrorKindName(HandshakeErrorKind::kPeerAlert), "peer_alert");
  EXPECT_EQ(HandshakeErrorKindName(HandshakeErrorKind::kOther), "other");
}

TEST(HandshakeErrorTest, CountersPerKind) {
  HandshakeErrorCounters counters;
  counters.Record(HandshakeErrorKind::kNotTls);
  counters.Record(HandshakeErrorKind::kNotTls);
  counters.Record(HandshakeErrorKind::kOther);
  EXPECT_EQ(counters.Count(HandshakeErrorKind::kNotTls), 2u);
  EXPECT_EQ(counters.Count(HandshakeErrorKind::kOther), 1u);
  EXPECT_EQ(counters.Count(HandshakeErrorKind::kPeerAlert), 0u);
  EXPECT_EQ(counters.Total(), 3u);
}

}  // namespace
}  // namespace apiserve::tls
