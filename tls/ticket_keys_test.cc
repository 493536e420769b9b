#include "tls/ticket_keys.h"

#include <cstring>

#include "gtest/gtest.h"
#include "openssl/evp.h"
#include "openssl/hmac.h"

namespace apiserve::tls {
namespace {

struct Contexts {
  bssl::ScopedEVP_CIPHER_CTX cipher_ctx;
  bssl::ScopedHMAC_CTX hmac_ctx;
  EVP_CIPHER_CTX* cipher = cipher_ctx.get();
  HMAC_CTX* hmac = hmac_ctx.get();
};

TEST(TicketKeyRingTest, RotatesOnScheduleAndRenewsWithOldKeys) {
  absl::Time now = absl::FromUnixSeconds(1000);
  TicketKeyRing ring({absl::Hours(1), 1, [&] { return now; }});
  uint8_t name1[16];
  uint8_t iv[16];
  {
    Contexts c;
    ASSERT_EQ(ring.Handle(name1, iv, c.cipher, c.hmac, 1), 1);
  }
  {
    Contexts c;
    EXPECT_EQ(ring.Handle(name1, iv, c.cipher, c.hmac, 0), 1);  // current key
  }
  now += absl::Hours(1);
  uint8_t name2[16];
  {
    Contexts c;
    ASSERT_EQ(ring.Handle(name2, iv, c.cipher, c.hmac, 1), 1);  // rotates first
  }
  EXPECT_EQ(ring.Rotations(), 1u);
  EXPECT_NE(std::memcmp(name1, name2, sizeof(name1)), 0);
  {
    Contexts c;
    EXPECT_EQ(ring.Handle(name1, iv, c.cipher, c.hmac, 0), 2);  // retained: renew
  }
  ring.RotateNow();
  {
    Contexts c;
    EXPECT_EQ(ring.Handle(name1, iv, c.cipher, c.hmac, 0), 0);  // gone
  }
  uint8_t unknown[16] = {};
  Contexts c;
  EXPECT_EQ(ring.Handle(unknown, iv, c.cipher, c.hmac, 0), 0);
  EXPECT_EQ(ring.TicketLifetime(), absl::Hours(1));
}

}  // namespace
}  // namespace apiserve::tls
