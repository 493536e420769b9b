#include "http2/session_allocator.h"

#include <cstdint>
#include <cstring>
#include <new>

#include "base/recycling_allocator.h"

namespace apiserve::http2 {
namespace {

// Header precedes every payload; 16 bytes so the payload keeps malloc's alignment.
struct alignas(16) Header {
  uint64_t block_bytes;  // header included: what the recycling allocator was asked for
  uint64_t unused;
};
static_assert(sizeof(Header) == 16);

Header* HeaderOf(void* payload) { return reinterpret_cast<Header*>(static_cast<char*>(payload) - sizeof(Header)); }

}  // namespace

SessionAllocator::SessionAllocator() {
  mem_.mem_user_data = nullptr;
  mem_.malloc = [](size_t size, void*) { return Allocate(size); };
  mem_.free = [](void* block, void*) { Free(block); };
  mem_.calloc = [](size_t count, size_t size, void*) { return AllocateZeroed(count, size); };
  mem_.realloc = [](void* block, size_t size, void*) { return Reallocate(block, size); };
}

void* SessionAllocator::Allocate(size_t size) {
  if (size > SIZE_MAX - sizeof(Header)) return nullptr;
  const size_t block_bytes = sizeof(Header) + size;
  Header* header = nullptr;
  try {
    header = static_cast<Header*>(base::recycling_internal::Allocate(block_bytes));
  } catch (const std::bad_alloc&) {
    return nullptr;  // nghttp2 reports NGHTTP2_ERR_NOMEM
  }
  header->block_bytes = block_bytes;
  header->unused = 0;
  return header + 1;
}

void* SessionAllocator::AllocateZeroed(size_t count, size_t size) {
  if (size != 0 && count > SIZE_MAX / size) return nullptr;
  void* block = Allocate(count * size);
  if (block != nullptr) std::memset(block, 0, count * size);
  return block;
}

void* SessionAllocator::Reallocate(void* block, size_t size) {
  if (block == nullptr) return Allocate(size);
  const size_t capacity = HeaderOf(block)->block_bytes - sizeof(Header);
  if (size <= capacity) return block;
  void* grown = Allocate(size);
  if (grown == nullptr) return nullptr;  // like realloc: the old block stays valid
  std::memcpy(grown, block, capacity);
  Free(block);
  return grown;
}

void SessionAllocator::Free(void* block) {
  if (block == nullptr) return;
  Header* header = HeaderOf(block);
  base::recycling_internal::Deallocate(header, header->block_bytes);
}

}  // namespace apiserve::http2
