#ifndef APISERVE_TLS_TICKET_KEYS_H_
#define APISERVE_TLS_TICKET_KEYS_H_

// TicketKeyRing: session-ticket keys (TLS 1.2 session tickets and TLS 1.3 resumption tickets) held outside the
// SSL_CTX, so certificate reloads never invalidate tickets, and rotated on a schedule.
//
// The current key encrypts new tickets; after `rotation` a new key becomes current (checked lazily whenever a ticket
// is issued); the `retained` previous keys still decrypt, and a ticket decrypted with one of them is renewed.
// Tickets therefore stay valid for between rotation × retained and rotation × (retained + 1).
// Thread-safe (one base::Mutex); Handle() is called by BoringSSL on any loop thread.

#include <array>
#include <cstdint>
#include <deque>
#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/mutex.h"
#include "openssl/evp.h"
#include "openssl/hmac.h"

namespace apiserve::tls {

class TicketKeyRing {
 public:
  struct Options {
    absl::Duration rotation = absl::Hours(24);
    int retained = 2;
    std::function<absl::Time()> clock;  // default absl::Now
  };

  explicit TicketKeyRing(Options options);
  TicketKeyRing(const TicketKeyRing&) = delete;
  TicketKeyRing& operator=(const TicketKeyRing&) = delete;

  // Handle implements SSL_CTX_set_tlsext_ticket_key_cb's contract (AES-128-CBC + HMAC-SHA256). Encrypting: fills
  // `key_name` and `iv`, returns 1 (or -1 on failure). Decrypting: returns 0 for an unknown key name, 1 for the
  // current key, 2 (renew) for a retained one, -1 on failure.
  int Handle(uint8_t* key_name, uint8_t* iv, EVP_CIPHER_CTX* cipher_ctx, HMAC_CTX* hmac_ctx, int encrypt);

  // RotateNow makes a new current key at once (tests; or to invalidate all but the retained keys).
  void RotateNow();

  // Rotations counts keys made after the first.
  uint64_t Rotations() const;

  // TicketLifetime is how long a ticket is sure to stay decryptable: rotation × retained.
  absl::Duration TicketLifetime() const { return options_.rotation * options_.retained; }

 private:
  struct Key {
    std::array<uint8_t, 16> name;
    std::array<uint8_t, 16> aes_key;
    std::array<uint8_t, 32> hmac_key;
    absl::Time created;
  };

  absl::Time Now() const { return options_.clock ? options_.clock() : absl::Now(); }
  void RotateLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  mutable base::Mutex mu_;
  std::deque<Key> keys_ ABSL_GUARDED_BY(mu_);  // front is current
  uint64_t rotations_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace apiserve::tls

#endif  // APISERVE_TLS_TICKET_KEYS_H_
