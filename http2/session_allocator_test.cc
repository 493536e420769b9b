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
  const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
  EXPECT_EQ(nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings, 1), 0);
  const uint8_t* data = nullptr;
  EXPECT_GT(nghttp2_session_mem_send(session, &data), 0);
  nghttp2_session_del(session);
  nghttp2_session_callbacks_del(callbacks);
  // The session's small blocks came back to the thread cache.
  EXPECT_EQ(base::IdleRecycledBlocks() > 0, base::kRecyclingEnabled);
  base::ReleaseIdleRecycledBlocks();
}

}  // namespace
}  // namespace apiserve::http2
