#include "base/recycling_allocator.h"

#include <atomic>
#include <cstdint>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace apiserve::base {
namespace {

// Size classes: 16-byte steps up to 256 bytes, 64-byte steps up to 1 KiB, 128-byte steps up to 2 KiB, so that a
// block rounds up by at most 1/4 (its size matters for the long-lived blocks of a connection).
struct Band {
  size_t limit;  // largest size in the band
  size_t step;
};
constexpr Band kBands[] = {{256, 16}, {1024, 64}, {2048, 128}};
constexpr size_t kClasses = 256 / 16 + (1024 - 256) / 64 + (2048 - 1024) / 128;
static_assert(kMaxRecycledBytes == 2048);

struct FreeBlock {
  FreeBlock* next;
};

// kTables.sizes[i] is class i's block size, kTables.max_idle[i] how many idle blocks it keeps per thread: computed
// at compile time, because Allocate and Deallocate run several times per request.
struct ClassTables {
  size_t sizes[kClasses] = {};
  uint32_t max_idle[kClasses] = {};
};

constexpr ClassTables MakeClassTables() {
  ClassTables tables;
  size_t index = 0;
  size_t base = 0;
  for (const Band& band : kBands) {
    for (size_t size = base + band.step; size <= band.limit; size += band.step) {
      const size_t by_bytes = kMaxIdleBytesPerClass / size;
      tables.sizes[index] = size;
      tables.max_idle[index] =
          static_cast<uint32_t>(by_bytes < kMaxIdleBlocksPerClass ? by_bytes : kMaxIdleBlocksPerClass);
      ++index;
    }
    base = band.limit;
  }
  return tables;
}
constexpr ClassTables kTables = MakeClassTables();
static_assert(kTables.sizes[kClasses - 1] == kMaxRecycledBytes);

size_t ClassSize(size_t index) { return kTables.sizes[index]; }

// ThreadCache is one thread's idle blocks, one singly-linked list per size class. The link lives in the block's
// first bytes.
class ThreadCache {
 public:
  ~ThreadCache();

  void* Pop(size_t index) {
    FreeBlock* block = heads_[index];
    if (block == nullptr) return nullptr;
    heads_[index] = block->next;
    --counts_[index];
    return block;
  }
  bool Push(size_t index, void* memory) {
    if (counts_[index] >= kTables.max_idle[index]) return false;
    auto* block = static_cast<FreeBlock*>(memory);
    block->next = heads_[index];
    heads_[index] = block;
    ++counts_[index];
    return true;
  }
  size_t Idle() const {
    size_t total = 0;
    for (uint32_t count : counts_) total += count;
    return total;
  }
  void ReleaseAll() {
    for (size_t index = 0; index < kClasses; ++index) {
      while (void* block = Pop(index)) ::operator delete(block);
    }
  }
  void AddPoolRelease(void (*release)()) {
    for (size_t i = 0; i < pool_release_count_; ++i) {
      if (pool_releases_[i] == release) return;
    }
    if (pool_release_count_ < kMaxPools) pool_releases_[pool_release_count_++] = release;
  }
  void ReleasePools() {
    for (size_t i = 0; i < pool_release_count_; ++i) pool_releases_[i]();
  }

 private:
  static constexpr size_t kMaxPools = 16;
  FreeBlock* heads_[kClasses] = {};
  uint32_t counts_[kClasses] = {};
  void (*pool_releases_[kMaxPools])() = {};
  size_t pool_release_count_ = 0;
};

// A thread's cache is destroyed at thread exit; blocks freed after that (by later thread_local destructors) go to
// operator delete. `tls_cache_gone` is trivially destructible, so it stays readable until the thread ends.
thread_local bool tls_cache_gone = false;
thread_local ThreadCache tls_cache;

ThreadCache::~ThreadCache() {
  ReleaseAll();
  tls_cache_gone = true;
}

ThreadCache* Cache() {
  if constexpr (!kRecyclingEnabled) return nullptr;
  return tls_cache_gone ? nullptr : &tls_cache;
}

// ClassIndex returns the size class for `bytes`, or kClasses when it is not recycled.
size_t ClassIndex(size_t bytes) {
  if (bytes == 0 || bytes > kMaxRecycledBytes) return kClasses;
  size_t base = 0;
  size_t first = 0;
  for (const Band& band : kBands) {
    if (bytes <= band.limit) return first + (bytes - base - 1) / band.step;
    first += (band.limit - base) / band.step;
    base = band.limit;
  }
  return kClasses;
}

}  // namespace

namespace recycling_internal {

void* Allocate(size_t bytes) {
  const size_t index = ClassIndex(bytes);
  if (index == kClasses) return ::operator new(bytes);
  if (ThreadCache* cache = Cache(); cache != nullptr) {
    if (void* block = cache->Pop(index)) return block;
  }
  return ::operator new(ClassSize(index));
}

void Deallocate(void* block, size_t bytes) noexcept {
  const size_t index = ClassIndex(bytes);
  if (index != kClasses) {
    if (ThreadCache* cache = Cache(); cache != nullptr && cache->Push(index, block)) return;
  }
  ::operator delete(block);
}

void OnReleaseIdle(void (*release)()) {
  if (ThreadCache* cache = Cache(); cache != nullptr) cache->AddPoolRelease(release);
}

}  // namespace recycling_internal

size_t IdleRecycledBlocks() {
  ThreadCache* cache = Cache();
  return cache == nullptr ? 0 : cache->Idle();
}

void ReleaseIdleRecycledBlocks() {
  ThreadCache* cache = Cache();
  if (cache == nullptr) return;
  cache->ReleasePools();  // first: deleting pooled objects may give blocks back
  cache->ReleaseAll();
}

bool TrimFreeHeap() {
#if defined(__GLIBC__)
  static std::atomic<bool> trimming{false};
  if (trimming.exchange(true, std::memory_order_acquire)) return false;
  ::malloc_trim(0);
  trimming.store(false, std::memory_order_release);
  return true;
#else
  return false;
#endif
}

}  // namespace apiserve::base
