#include "http2/session_allocator.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace apiserve::http2 {
namespace {

constexpr int kUnpooled = -1;

// Header precedes every payload; 16 bytes so the payload keeps malloc's alignment.
struct alignas(16) Header {
  int32_t size_class;  // kUnpooled for blocks over kLargestClass
  uint32_t unused;
  uint64_t capacity;  // payload bytes
};
static_assert(sizeof(Header) == 16);

// ClassOf maps a request to the smallest class that fits: 0 → 64 B, 1 → 128 B, …, 5 → 2 KiB; kUnpooled above.
int ClassOf(size_t size) {
  int size_class = 0;
  for (size_t capacity = 64; capacity < size; capacity <<= 1) {
    if (++size_class > 5) return kUnpooled;
  }
  return size_class;
}

size_t CapacityOf(int size_class) { return size_t{64} << size_class; }

Header* HeaderOf(void* payload) { return reinterpret_cast<Header*>(static_cast<char*>(payload) - sizeof(Header)); }

}  // namespace

SessionAllocator::SessionAllocator() {
  mem_.mem_user_data = this;
  mem_.malloc = [](size_t size, void* self) { return static_cast<SessionAllocator*>(self)->Allocate(size); };
  mem_.free = [](void* block, void* self) { static_cast<SessionAllocator*>(self)->Free(block); };
  mem_.calloc = [](size_t count, size_t size, void* self) {
    return static_cast<SessionAllocator*>(self)->AllocateZeroed(count, size);
  };
  mem_.realloc = [](void* block, size_t size, void* self) {
    return static_cast<SessionAllocator*>(self)->Reallocate(block, size);
  };
}

SessionAllocator::~SessionAllocator() { Trim(); }

void SessionAllocator::Trim() {
  for (FreeBlock*& head : free_) {
    while (head != nullptr) {
      FreeBlock* next = head->next;
      std::free(HeaderOf(head));
      head = next;
    }
  }
  cached_bytes_ = 0;
}

void* SessionAllocator::Allocate(size_t size) {
  const int size_class = ClassOf(size);
  if (size_class != kUnpooled && free_[size_class] != nullptr) {
    FreeBlock* block = free_[size_class];
    free_[size_class] = block->next;
    cached_bytes_ -= CapacityOf(size_class);
    ++reused_;
    return block;
  }
  const size_t capacity = size_class == kUnpooled ? size : CapacityOf(size_class);
  if (capacity > SIZE_MAX - sizeof(Header)) return nullptr;
  auto* header = static_cast<Header*>(std::malloc(sizeof(Header) + capacity));
  if (header == nullptr) return nullptr;
  header->size_class = size_class;
  header->unused = 0;
  header->capacity = capacity;
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
  const size_t capacity = HeaderOf(block)->capacity;
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
  const int size_class = header->size_class;
  if (!caching_ || size_class == kUnpooled || cached_bytes_ + CapacityOf(size_class) > kMaxCachedBytes) {
    std::free(header);
    return;
  }
  auto* free_block = static_cast<FreeBlock*>(block);
  free_block->next = free_[size_class];
  free_[size_class] = free_block;
  cached_bytes_ += CapacityOf(size_class);
}

}  // namespace apiserve::http2
