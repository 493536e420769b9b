#ifndef APISERVE_HTTP2_SESSION_ALLOCATOR_H_
#define APISERVE_HTTP2_SESSION_ALLOCATOR_H_

// http2::SessionAllocator: the nghttp2_mem one session allocates through. nghttp2 allocates and frees a handful of
// small objects per stream (the stream, its outbound items, a copy of the response's header block); recycling them
// through per-size-class free lists keeps the steady state of a busy connection off malloc.
//
// Blocks up to kLargestClass bytes come from six size classes (64 B … 2 KiB); at most kMaxCachedBytes of freed
// blocks stay cached per session, and only while caching is on (the codec turns it on for connections that run
// streams side by side, off again when they go idle); anything larger goes straight to malloc.
// Each block carries a 16-byte header (its class and capacity), so payloads keep malloc's 16-byte alignment.
//
// Threading: one session, one thread (nghttp2 sessions are not thread-safe either).

#include <array>
#include <cstddef>

#include "nghttp2/nghttp2.h"

namespace apiserve::http2 {

class SessionAllocator {
 public:
  static constexpr size_t kLargestClass = 2048;
  static constexpr size_t kMaxCachedBytes = 8 * 1024;

  SessionAllocator();
  ~SessionAllocator();
  SessionAllocator(const SessionAllocator&) = delete;
  SessionAllocator& operator=(const SessionAllocator&) = delete;

  // mem is what nghttp2_session_server_new3 takes. It must outlive the session.
  nghttp2_mem* mem() { return &mem_; }

  void* Allocate(size_t size);
  void* AllocateZeroed(size_t count, size_t size);
  void* Reallocate(void* block, size_t size);
  void Free(void* block);
  // Trim gives every cached block back to malloc.
  void Trim();
  // With caching off (the default), freed blocks go straight back to malloc.
  void set_caching(bool caching) { caching_ = caching; }

  // For tests and metrics: bytes of freed blocks kept for reuse, and allocations served from them.
  size_t cached_bytes() const { return cached_bytes_; }
  size_t reused() const { return reused_; }

 private:
  static constexpr int kClasses = 6;
  struct FreeBlock {
    FreeBlock* next;
  };

  nghttp2_mem mem_;
  std::array<FreeBlock*, kClasses> free_{};
  size_t cached_bytes_ = 0;
  bool caching_ = false;
  size_t reused_ = 0;
};

}  // namespace apiserve::http2

#endif  // APISERVE_HTTP2_SESSION_ALLOCATOR_H_
