#include "http2/session_allocator.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"

namespace apiserve::http2 {
namespace {

TEST(SessionAllocatorTest, FreedSmallBlocksAreReusedForTheSameClass) {
  SessionAllocator allocator;
  allocator.set_caching(true);
  void* first = allocator.Allocate(100);  // the 128-byte class
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % 16, 0u);
  allocator.Free(first);
  EXPECT_EQ(allocator.cached_bytes(), 128u);
  void* second = allocator.Allocate(120);
  EXPECT_EQ(second, first);
  EXPECT_EQ(allocator.reused(), 1u);
  EXPECT_EQ(allocator.cached_bytes(), 0u);
  void* other_class = allocator.Allocate(20);
  EXPECT_NE(other_class, first);
  allocator.Free(second);
  allocator.Free(other_class);
}

TEST(SessionAllocatorTest, LargeBlocksAreNotCached) {
  SessionAllocator allocator;
  allocator.set_caching(true);
  void* large = allocator.Allocate(SessionAllocator::kLargestClass + 1);
  ASSERT_NE(large, nullptr);
  std::memset(large, 0xab, SessionAllocator::kLargestClass + 1);
  allocator.Free(large);
  EXPECT_EQ(allocator.cached_bytes(), 0u);
}

TEST(SessionAllocatorTest, TheCacheIsBounded) {
  SessionAllocator allocator;
  allocator.set_caching(true);
  std::vector<void*> blocks;
  for (int i = 0; i < 64; ++i) blocks.push_back(allocator.Allocate(1024));
  for (void* block : blocks) allocator.Free(block);
  EXPECT_LE(allocator.cached_bytes(), SessionAllocator::kMaxCachedBytes);
  EXPECT_GT(allocator.cached_bytes(), 0u);
  allocator.Trim();
  EXPECT_EQ(allocator.cached_bytes(), 0u);
  void* fresh = allocator.Allocate(1024);
  EXPECT_EQ(allocator.reused(), 0u);
  allocator.Free(fresh);
}

TEST(SessionAllocatorTest, CallocZeroesAndReallocKeepsTheContents) {
  SessionAllocator allocator;
  allocator.set_caching(true);
  void* dirty = allocator.Allocate(64);
  std::memset(dirty, 0xff, 64);
  allocator.Free(dirty);
  auto* zeroed = static_cast<unsigned char*>(allocator.AllocateZeroed(8, 8));  // reuses the dirty block
  for (int i = 0; i < 64; ++i) ASSERT_EQ(zeroed[i], 0) << i;
  std::memcpy(zeroed, "apiserve", 8);
  auto* grown = static_cast<char*>(allocator.Reallocate(zeroed, 5000));
  ASSERT_NE(grown, nullptr);
  EXPECT_EQ(std::memcmp(grown, "apiserve", 8), 0);
  EXPECT_EQ(allocator.Reallocate(grown, 10), grown);  // shrinking keeps the block
  allocator.Free(grown);
  EXPECT_EQ(allocator.AllocateZeroed(SIZE_MAX / 2, 4), nullptr);  // overflow is refused, not wrapped
}

TEST(SessionAllocatorTest, WithoutCachingFreedBlocksAreNotKept) {
  SessionAllocator allocator;
  allocator.Free(allocator.Allocate(100));
  EXPECT_EQ(allocator.cached_bytes(), 0u);
  allocator.set_caching(true);
  allocator.Free(allocator.Allocate(100));
  EXPECT_EQ(allocator.cached_bytes(), 128u);
}

TEST(SessionAllocatorTest, ServesAnNghttp2SessionThroughItsLifetime) {
  SessionAllocator allocator;
  allocator.set_caching(true);
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
  EXPECT_GT(allocator.cached_bytes(), 0u);  // the settings frame's item came back to the cache
}

}  // namespace
}  // namespace apiserve::http2
