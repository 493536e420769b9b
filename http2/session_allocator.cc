#include "http2/session_allocator.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>

#include "base/recycling_allocator.h"

namespace apiserve::http2 {
namespace {

// Header precedes every small block's payload; 16 bytes so the payload keeps malloc's alignment.
struct alignas(16) Header {
  uint64_t block_bytes;  // header included: what the recycling allocator was asked for
  uint64_t unused;
};
static_assert(sizeof(Header) == 16);

Header* HeaderOf(void* payload) { return reinterpret_cast<Header*>(static_cast<char*>(payload) - sizeof(Header)); }

size_t PageBytes() {
  static const size_t page = [] {
    const long size = sysconf(_SC_PAGESIZE);
    return size > 0 ? static_cast<size_t>(size) : size_t{4096};
  }();
  return page;
}

void* AllocateSmall(size_t size) {
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

void FreeSmall(void* block) {
  Header* header = HeaderOf(block);
  base::recycling_internal::Deallocate(header, header->block_bytes);
}

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

SessionAllocator::LargeBlock* SessionAllocator::FindLarge(void* block) {
  for (LargeBlock& large : large_) {
    if (large.block == block) return &large;
  }
  return nullptr;
}

void* SessionAllocator::Allocate(size_t size) {
  // (Past SIZE_MAX - page the aligned operator new rounds the size up to a wrapped, tiny one: refuse it.)
  if (size > SIZE_MAX - PageBytes()) return nullptr;
  if (size >= kPageBlockBytes) {
    if (LargeBlock* slot = FindLarge(nullptr); slot != nullptr) {
      void* block = ::operator new(size, std::align_val_t(PageBytes()), std::nothrow);
      if (block == nullptr) return nullptr;
      *slot = {block, size, false};
      return block;
    }
  }
  return AllocateSmall(size);
}

void* SessionAllocator::AllocateZeroed(size_t count, size_t size) {
  if (size != 0 && count > SIZE_MAX / size) return nullptr;
  void* block = Allocate(count * size);
  if (block != nullptr) std::memset(block, 0, count * size);
  return block;
}

void* SessionAllocator::Reallocate(void* block, size_t size) {
  if (block == nullptr) return Allocate(size);
  const LargeBlock* large = FindLarge(block);
  const size_t capacity = large != nullptr ? large->bytes : HeaderOf(block)->block_bytes - sizeof(Header);
  if (size <= capacity) return block;
  void* grown = Allocate(size);
  if (grown == nullptr) return nullptr;  // like realloc: the old block stays valid
  std::memcpy(grown, block, capacity);
  Free(block);
  return grown;
}

void SessionAllocator::Free(void* block) {
  if (block == nullptr) return;
  if (LargeBlock* large = FindLarge(block); large != nullptr) {
    ::operator delete(block, std::align_val_t(PageBytes()));
    *large = {};
    return;
  }
  FreeSmall(block);
}

void SessionAllocator::MarkScratchBuffers() {
  for (LargeBlock& large : large_) {
    if (large.block != nullptr && large.bytes >= kLargeBytes) large.scratch = true;
  }
}

namespace {

bool AllZero(const char* bytes, size_t size) {
  // Word by word: the pages are page-aligned.
  const auto* words = reinterpret_cast<const uint64_t*>(bytes);
  uint64_t any = 0;
  for (size_t i = 0; i < size / sizeof(uint64_t); ++i) any |= words[i];
  return any == 0;
}

}  // namespace

size_t SessionAllocator::ReleaseIdlePages() {
  const size_t page = PageBytes();
  size_t released = 0;
  for (const LargeBlock& large : large_) {
    if (large.block == nullptr) continue;
    // The block starts on a page; its last partial page may be shared with the heap's next chunk: kept.
    char* const begin = static_cast<char*>(large.block);
    const size_t whole = large.bytes / page * page;
    for (size_t offset = 0; offset < whole;) {
      // A run of pages to release: all of a scratch block, or consecutive all-zero pages of another.
      size_t end = offset;
      while (end < whole && (large.scratch || AllZero(begin + end, page))) end += page;
      if (end > offset && madvise(begin + offset, end - offset, MADV_DONTNEED) == 0) released += end - offset;
      offset = end == offset ? offset + page : end;
    }
  }
  return released;
}

}  // namespace apiserve::http2
