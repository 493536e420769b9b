#ifndef APISERVE_HTTP2_SESSION_ALLOCATOR_H_
#define APISERVE_HTTP2_SESSION_ALLOCATOR_H_

// http2::SessionAllocator: the nghttp2_mem a session allocates through. nghttp2 allocates and frees a handful of
// small objects per stream (the stream, its outbound items, a copy of the response's header block); this routes
// them through the loop thread's base::RecyclingAllocator, so a warm loop serves a stream without malloc whether
// its connection runs one stream at a time or a hundred, and an idle connection keeps nothing cached.
//
// Each block carries a 16-byte header (its size, for free and realloc), so payloads keep malloc's 16-byte
// alignment. Threading: one session, one thread (nghttp2 sessions are not thread-safe either); a block may be freed
// on another thread than the one that allocated it, as with malloc.

#include <cstddef>

#include "nghttp2/nghttp2.h"

namespace apiserve::http2 {

class SessionAllocator {
 public:
  SessionAllocator();
  SessionAllocator(const SessionAllocator&) = delete;
  SessionAllocator& operator=(const SessionAllocator&) = delete;

  // mem is what nghttp2_session_server_new3 takes. It must outlive the session.
  nghttp2_mem* mem() { return &mem_; }

  static void* Allocate(size_t size);
  static void* AllocateZeroed(size_t count, size_t size);
  static void* Reallocate(void* block, size_t size);
  static void Free(void* block);

 private:
  nghttp2_mem mem_;
};

}  // namespace apiserve::http2

#endif  // APISERVE_HTTP2_SESSION_ALLOCATOR_H_
