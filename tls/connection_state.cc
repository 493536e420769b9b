#include "tls/connection_state.h"

namespace apiserve::tls::internal {
namespace {

void FreeState(void* parent, void* ptr, CRYPTO_EX_DATA* ad, int index, long argl, void* argp) {
  delete static_cast<ConnectionState*>(ptr);
}

int StateIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeState);
  return index;
}

}  // namespace

ConnectionState* GetConnectionState(const SSL* ssl) {
  return static_cast<ConnectionState*>(SSL_get_ex_data(ssl, StateIndex()));
}

ConnectionState* GetOrCreateConnectionState(SSL* ssl) {
  if (ConnectionState* state = GetConnectionState(ssl); state != nullptr) return state;
  auto state = std::make_unique<ConnectionState>();
  if (SSL_set_ex_data(ssl, StateIndex(), state.get()) != 1) return nullptr;
  return state.release();
}

}  // namespace apiserve::tls::internal
