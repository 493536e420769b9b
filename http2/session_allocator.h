#ifndef APISERVE_HTTP2_SESSION_ALLOCATOR_H_
#define APISERVE_HTTP2_SESSION_ALLOCATOR_H_

// http2::SessionAllocator: the nghttp2_mem a session allocates through. nghttp2 allocates and frees a handful of
// small objects per stream (the stream, its outbound items, a copy of the response's header block); this routes
// them through the loop thread's base::RecyclingAllocator, so a warm loop serves a stream without malloc whether
// its connection runs one stream at a time or a hundred, and an idle connection keeps nothing cached.
//
// Each block carries a 16-byte header (its size, for free and realloc), so payloads keep malloc's 16-byte
// alignment. The session's few large blocks (a page and up: nghttp2's 16 KiB frame buffer and its stream map, kept
// for the session's life) are instead page-aligned, without a header, and remembered by the allocator, so that
// ReleaseIdlePages can give their pages back to the system while the connection idles. Threading: one session, one
// thread (nghttp2 sessions are not thread-safe either); a block may be freed on another thread than the one that
// allocated it, as with malloc.

#include <array>
#include <cstddef>

#include "nghttp2/nghttp2.h"

namespace apiserve::http2 {

class SessionAllocator {
 public:
  // Blocks of at least this many bytes are page-aligned and their pages can be released (ReleaseIdlePages).
  static constexpr size_t kPageBlockBytes = 4096;
  // MarkScratchBuffers treats blocks of at least this many bytes allocated so far as scratch (see there).
  static constexpr size_t kLargeBytes = 16 * 1024;

  SessionAllocator();
  SessionAllocator(const SessionAllocator&) = delete;
  SessionAllocator& operator=(const SessionAllocator&) = delete;

  // mem is what nghttp2_session_server_new3 takes. It must outlive the session.
  nghttp2_mem* mem() { return &mem_; }

  // Allocate, AllocateZeroed, Reallocate and Free are malloc, calloc, realloc and free for the session: null (and, for
  // Reallocate, the old block unchanged) when out of memory or on overflow.
  void* Allocate(size_t size);
  void* AllocateZeroed(size_t count, size_t size);
  void* Reallocate(void* block, size_t size);
  void Free(void* block);

  // MarkScratchBuffers marks the blocks of kLargeBytes and up allocated so far as scratch: their contents matter only
  // while output is pending. Called right after nghttp2_session_server_new3, it marks exactly nghttp2's frame buffer.
  void MarkScratchBuffers();

  // ReleaseIdlePages gives pages of the session's large blocks back to the system (madvise(MADV_DONTNEED)): every
  // whole page of a scratch block, and the whole pages of other large blocks that hold only zeros (an empty stream
  // map). Released pages read as zeros and cost memory again only once written. Returns the bytes released. Legal
  // only while no scratch block is live: for nghttp2's frame buffer, when the session has nothing to send
  // (nghttp2_session_want_write is 0, so no frame is half serialized) and no output it returned is still unread
  // (http2::Codec::ReleaseIdleMemory checks both).
  size_t ReleaseIdlePages();

 private:
  struct LargeBlock {
    void* block = nullptr;
    size_t bytes = 0;
    bool scratch = false;  // MarkScratchBuffers
  };
  // FindLarge returns the slot holding `block`, or null if it is a small (headed) block.
  LargeBlock* FindLarge(void* block);

  nghttp2_mem mem_;
  // nghttp2 keeps two large blocks per session (the frame buffer, the stream map's table); others are short-lived.
  // Large blocks beyond these slots are allocated as small ones (their pages are not released).
  std::array<LargeBlock, 4> large_;
};

}  // namespace apiserve::http2

#endif  // APISERVE_HTTP2_SESSION_ALLOCATOR_H_
