#ifndef APISERVE_BASE_RECYCLING_ALLOCATOR_H_
#define APISERVE_BASE_RECYCLING_ALLOCATOR_H_

// base::RecyclingAllocator: an allocator for small objects made and dropped once per request (shared_ptr control
// blocks, per-request state), which keeps freed blocks on a per-thread free list for the next request instead of
// returning them to malloc.
//
//   auto state = base::MakeRecycledShared<CancelState>();   // like std::make_shared, minus the malloc when warm
//
// Size classes: 16-byte steps up to 256 bytes, 64-byte steps up to 1 KiB and 128-byte steps up to 2 KiB (a block
// is at most 1/4 bigger than asked, which matters for a connection's long-lived blocks); larger requests go
// straight to operator new. A block freed on another thread joins that thread's list (all blocks of a class have
// the same size). Each class keeps at most kMaxIdleBlocksPerClass idle blocks and kMaxIdleBytesPerClass idle bytes
// per thread (under 600 KiB per thread in all, if every class were full), and a thread's blocks are freed when it
// exits or calls ReleaseIdleRecycledBlocks.
// Under AddressSanitizer nothing is recycled (kRecyclingEnabled is false): every block goes back to operator delete,
// so ASan's quarantine reports a use after free as usual.

#include <cstddef>
#include <memory>
#include <new>
#include <utility>

#include "absl/base/config.h"

namespace apiserve::base {

#if defined(ABSL_HAVE_ADDRESS_SANITIZER)  // gcc's __SANITIZE_ADDRESS__ or clang's __has_feature
inline constexpr bool kRecyclingEnabled = false;
#else
inline constexpr bool kRecyclingEnabled = true;
#endif

inline constexpr size_t kMaxRecycledBytes = 2048;
inline constexpr size_t kMaxIdleBlocksPerClass = 128;
inline constexpr size_t kMaxIdleBytesPerClass = 16 * 1024;

namespace recycling_internal {
void* Allocate(size_t bytes);
void Deallocate(void* block, size_t bytes) noexcept;
// OnReleaseIdle registers, for the calling thread, a function that frees that thread's idle objects of one
// ObjectPool; ReleaseIdleRecycledBlocks calls it. Up to 16 per thread (more are not trimmed, only bounded).
void OnReleaseIdle(void (*release)());
}  // namespace recycling_internal

// IdleRecycledBlocks counts the calling thread's idle blocks (for tests).
size_t IdleRecycledBlocks();
// ReleaseIdleRecycledBlocks frees the calling thread's idle blocks and the idle objects of every ObjectPool used on
// it (an event loop calls it when it has had no connection for a while).
void ReleaseIdleRecycledBlocks();
// TrimFreeHeap gives the free memory of malloc's heap back to the system (glibc's malloc_trim(0): after a spike of
// connections, freed memory otherwise stays mapped, scattered between live blocks) and returns true. It returns
// false, doing nothing, where there is no malloc_trim (not glibc), or when another thread is trimming at that
// moment (one trim covers every arena, so no caller needs a second). Slow (it walks the heap, holding each arena's
// lock in turn): call it from an idle thread, never on a request path. Thread-safe.
bool TrimFreeHeap();

template <typename T>
class RecyclingAllocator {
 public:
  using value_type = T;
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "over-aligned types are not recycled");

  RecyclingAllocator() noexcept = default;
  template <typename U>
  RecyclingAllocator(const RecyclingAllocator<U>&) noexcept {}  // NOLINT: rebinding is implicit by design

  T* allocate(size_t n) { return static_cast<T*>(recycling_internal::Allocate(n * sizeof(T))); }
  void deallocate(T* block, size_t n) noexcept { recycling_internal::Deallocate(block, n * sizeof(T)); }

  template <typename U>
  bool operator==(const RecyclingAllocator<U>&) const noexcept {
    return true;
  }
  template <typename U>
  bool operator!=(const RecyclingAllocator<U>&) const noexcept {
    return false;
  }
};

// MakeRecycledShared is std::make_shared with the object and its control block in one recycled block.
template <typename T, typename... Args>
std::shared_ptr<T> MakeRecycledShared(Args&&... args) {
  return std::allocate_shared<T>(RecyclingAllocator<T>(), std::forward<Args>(args)...);
}

}  // namespace apiserve::base

#endif  // APISERVE_BASE_RECYCLING_ALLOCATOR_H_
