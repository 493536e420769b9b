#include "http2/session_allocator.h"

#include <cstdint>
#include <cstring>
#include <thread>

#include "base/recycling_allocator.h"
#include "gtest/gtest.h"

namespace apiserve::http2 {
namespace {

TEST(SessionAllocatorTest, BlocksAreAlignedAndRecycledThroughTheThreadCache) {
  base::ReleaseIdleRecycledBlocks();
  SessionAllocator allocator;
  void* first = allocator.Allocate(100);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % 16, 0u);
  allocator.Free(first);
  EXPECT_EQ(base::IdleRecycledBlocks(), base::kRecyclingEnabled ? 1u : 0u);  // nothing kept under ASan
  SessionAllocator another_session;  // the cache is the thread's, shared by its sessions
  void* second = another_session.Allocate(100);
  EXPECT_EQ(second == first, base::kRecyclingEnabled);
  EXPECT_EQ(base::IdleRecycledBlocks(), 0u);
  another_session.Free(second);
  base::ReleaseIdleRecycledBlocks();
}

TEST(SessionAllocatorTest, LargeBlocksAreNotKept) {
  base::ReleaseIdleRecycledBlocks();
  SessionAllocator allocator;
  void* large = allocator.Allocate(base::kMaxRecycledBytes + 1);
  ASSERT_NE(large, nullptr);
  std::memset(large, 0xab, base::kMaxRecycledBytes + 1);
  allocator.Free(large);
  EXPECT_EQ(base::IdleRecycledBlocks(), 0u);
}

TEST(SessionAllocatorTest, CallocZeroesAndReallocKeepsTheContents) {
  SessionAllocator allocator;
  void* dirty = allocator.Allocate(64);
  std::memset(dirty, 0xff, 64);
  allocator.Free(dirty);
  auto* zeroed = static_cast<unsigned char*>(allocator.AllocateZeroed(8, 8));  // may reuse the dirty block
  for (int i = 0; i < 64; ++i) ASSERT_EQ(zeroed[i], 0) << i;
  std::memcpy(zeroed, "apiserve", 8);
  auto* grown = static_cast<char*>(allocator.Reallocate(zeroed, 5000));
  ASSERT_NE(grown, nullptr);
  EXPECT_EQ(std::memcmp(grown, "apiserve", 8), 0);
  EXPECT_EQ(allocator.Reallocate(grown, 10), grown);  // shrinking keeps the block
  allocator.Free(grown);
  EXPECT_EQ(allocator.AllocateZeroed(SIZE_MAX / 2, 4), nullptr);  // overflow is refused, not wrapped
  EXPECT_EQ(allocator.Allocate(SIZE_MAX - 4), nullptr);
}

TEST(SessionAllocatorTest, LargeBlocksArePageAlignedAndTheirPagesReleasable) {
  SessionAllocator allocator;
  const size_t size = SessionAllocator::kLargeBytes + 10;  // nghttp2's frame buffer is 16 KiB + 10
  auto* large = static_cast<unsigned char*>(allocator.Allocate(size));
  ASSERT_NE(large, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(large) % 4096, 0u);
  std::memset(large, 0xab, size);
  EXPECT_EQ(allocator.ReleaseIdlePages(), 0u);  // not scratch, and nothing in it is zero
  allocator.MarkScratchBuffers();
  // The whole pages come back zeroed; the partial last page is kept as it was.
  EXPECT_EQ(allocator.ReleaseIdlePages(), SessionAllocator::kLargeBytes);
  for (size_t i = 0; i < SessionAllocator::kLargeBytes; i += 512) ASSERT_EQ(large[i], 0) << i;
  EXPECT_EQ(large[size - 1], 0xab);
  // Still the session's block: writable, growable (contents kept), freeable.
  std::memcpy(large, "apiserve", 8);
  auto* grown = static_cast<unsigned char*>(allocator.Reallocate(large, 2 * size));
  ASSERT_NE(grown, nullptr);
  EXPECT_EQ(std::memcmp(grown, "apiserve", 8), 0);
  EXPECT_EQ(grown[size - 1], 0xab);
  std::memset(grown, 0xcd, 2 * size);
  EXPECT_EQ(allocator.ReleaseIdlePages(), 0u);  // the grown block is not scratch
  allocator.Free(grown);
  EXPECT_EQ(allocator.ReleaseIdlePages(), 0u);  // nothing large is left
}

TEST(SessionAllocatorTest, OnlyAllZeroPagesOfOtherLargeBlocksAreReleased) {
  SessionAllocator allocator;
  const size_t page = SessionAllocator::kPageBlockBytes;
  auto* table = static_cast<unsigned char*>(allocator.AllocateZeroed(3, page));  // a stream map's table
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(allocator.ReleaseIdlePages(), 3 * page);
  table[page + 100] = 7;  // an entry in the middle page
  EXPECT_EQ(allocator.ReleaseIdlePages(), 2 * page);
  EXPECT_EQ(table[page + 100], 7);
  EXPECT_EQ(table[0], 0);
  table[page + 100] = 0;  // removed again
  EXPECT_EQ(allocator.ReleaseIdlePages(), 3 * page);
  allocator.Free(table);
}

TEST(SessionAllocatorTest, LargeBlocksBeyondTheSlotsAreServedAsSmallOnes) {
  SessionAllocator allocator;
  const size_t page = SessionAllocator::kPageBlockBytes;
  void* blocks[5];
  for (void*& block : blocks) {
    block = allocator.AllocateZeroed(1, page);
    ASSERT_NE(block, nullptr);
  }
  EXPECT_EQ(allocator.ReleaseIdlePages(), 4 * page);  // the fifth has a header, not a page of its own
  for (void* block : blocks) allocator.Free(block);
}

TEST(SessionAllocatorTest, ABlockMayBeFreedOnAnotherThread) {
  SessionAllocator allocator;
  void* block = allocator.Allocate(300);
  std::memset(block, 1, 300);
  std::thread([&] { allocator.Free(block); }).join();
}

TEST(SessionAllocatorTest, ServesAnNghttp2SessionThroughItsLifetime) {
  base::ReleaseIdleRecycledBlocks();
  SessionAllocator allocator;
  nghttp2_session_callbacks* callbacks = nullptr;
  ASSERT_EQ(nghttp2_session_callbacks_new(&callbacks), 0);
  nghttp2_session* session = nullptr;
  ASSERT_EQ(nghttp2_session_server_new3(&session, callbacks, nullptr, nullptr, allocator.mem()), 0);
  allocator.MarkScratchBuffers();
  const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
  EXPECT_EQ(nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings, 1), 0);
  const uint8_t* data = nullptr;
  EXPECT_GT(nghttp2_session_mem_send(session, &data), 0);
  EXPECT_EQ(nghttp2_session_mem_send(session, &data), 0);
  // Idle: the frame buffer's pages go back, and the next frame is serialized into fresh ones.
  EXPECT_EQ(nghttp2_session_want_write(session), 0);
  EXPECT_GE(allocator.ReleaseIdlePages(), SessionAllocator::kLargeBytes);
  ASSERT_EQ(nghttp2_submit_ping(session, NGHTTP2_FLAG_NONE, reinterpret_cast<const uint8_t*>("apiserve")), 0);
  const ssize_t n = nghttp2_session_mem_send(session, &data);
  ASSERT_EQ(n, 17);  // PING: 9-byte header + 8 bytes
  EXPECT_EQ(data[3], NGHTTP2_PING);
  EXPECT_EQ(std::memcmp(data + 9, "apiserve", 8), 0);
  nghttp2_session_del(session);
  nghttp2_session_callbacks_del(callbacks);
  // The session's small blocks came back to the thread cache.
  EXPECT_EQ(base::IdleRecycledBlocks() > 0, base::kRecyclingEnabled);
  base::ReleaseIdleRecycledBlocks();
}

}  // namespace
}  // namespace apiserve::http2
