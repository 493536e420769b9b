#include "tls/ticket_keys.h"

#include <cstring>
#include <utility>

#include "openssl/rand.h"

namespace apiserve::tls {

TicketKeyRing::TicketKeyRing(Options options) : options_(std::move(options)) {
  base::MutexLock lock(&mu_);
  RotateLocked(Now());
  rotations_ = 0;
}

void TicketKeyRing::RotateLocked(absl::Time now) {
  Key key;
  RAND_bytes(key.name.data(), key.name.size());
  RAND_bytes(key.aes_key.data(), key.aes_key.size());
  RAND_bytes(key.hmac_key.data(), key.hmac_key.size());
  key.created = now;
  keys_.push_front(key);
  while (keys_.size() > static_cast<size_t>(options_.retained) + 1) keys_.pop_back();
  ++rotations_;
}

void TicketKeyRing::RotateNow() {
  base::MutexLock lock(&mu_);
  RotateLocked(Now());
}

uint64_t TicketKeyRing::Rotations() const {
  base::MutexLock lock(&mu_);
  return rotations_;
}

int TicketKeyRing::Handle(uint8_t* key_name, uint8_t* iv, EVP_CIPHER_CTX* cipher_ctx, HMAC_CTX* hmac_ctx, int encrypt) {
  Key key;
  int result = 1;
  {
    base::MutexLock lock(&mu_);
    const absl::Time now = Now();
    if (encrypt) {
      if (now - keys_.front().created >= options_.rotation) RotateLocked(now);
      key = keys_.front();
    } else {
      size_t index = 0;
      while (index < keys_.size() && std::memcmp(keys_[index].name.data(), key_name, key.name.size()) != 0) ++index;
      if (index == keys_.size()) return 0;  // unknown or expired key: full handshake
      key = keys_[index];
      if (index > 0 || now - key.created >= options_.rotation) result = 2;  // renew with the current key
    }
  }
  if (encrypt) {
    std::memcpy(key_name, key.name.data(), key.name.size());
    if (RAND_bytes(iv, EVP_CIPHER_iv_length(EVP_aes_128_cbc())) != 1) return -1;
    if (EVP_EncryptInit_ex(cipher_ctx, EVP_aes_128_cbc(), nullptr, key.aes_key.data(), iv) != 1) return -1;
  } else if (EVP_DecryptInit_ex(cipher_ctx, EVP_aes_128_cbc(), nullptr, key.aes_key.data(), iv) != 1) {
    return -1;
  }
  if (HMAC_Init_ex(hmac_ctx, key.hmac_key.data(), key.hmac_key.size(), EVP_sha256(), nullptr) != 1) return -1;
  return result;
}

}  // namespace apiserve::tls
