#include "base/recycling_allocator.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/config.h"
#include "gtest/gtest.h"

namespace apiserve::base {
namespace {

// Under AddressSanitizer nothing is recycled (kRecyclingEnabled is false): every expectation about what is kept or
// reused is written for both modes.
size_t Kept(size_t n) { return kRecyclingEnabled ? n : 0; }

struct Payload {
  explicit Payload(int v) : value(v) {}
  int value;
  char padding[100] = {};
};

TEST(RecyclingAllocatorTest, ReusesTheBlockOfADroppedObject) {
  ReleaseIdleRecycledBlocks();
  const Payload* first_address = nullptr;
  {
    auto first = MakeRecycledShared<Payload>(1);
    first_address = first.get();
  }
  EXPECT_EQ(IdleRecycledBlocks(), Kept(1));
  auto second = MakeRecycledShared<Payload>(2);
  EXPECT_EQ(second.get() == first_address, kRecyclingEnabled);
  EXPECT_EQ(second->value, 2);
  EXPECT_EQ(IdleRecycledBlocks(), 0u);
}

TEST(RecyclingAllocatorTest, SizeClassesDoNotMix) {
  ReleaseIdleRecycledBlocks();
  RecyclingAllocator<char> bytes;
  char* small = bytes.allocate(24);
  bytes.deallocate(small, 24);
  char* large = bytes.allocate(200);
  EXPECT_NE(large, small);                 // a 32-byte block cannot hold 200 bytes
  char* small_again = bytes.allocate(20);  // same 32-byte class as 24
  EXPECT_EQ(small_again == small, kRecyclingEnabled);
  bytes.deallocate(large, 200);
  bytes.deallocate(small_again, 20);
  EXPECT_EQ(IdleRecycledBlocks(), Kept(2));
  ReleaseIdleRecycledBlocks();
  EXPECT_EQ(IdleRecycledBlocks(), 0u);
}

TEST(RecyclingAllocatorTest, LargeBlocksAreNotKept) {
  ReleaseIdleRecycledBlocks();
  RecyclingAllocator<char> bytes;
  char* big = bytes.allocate(kMaxRecycledBytes + 1);
  big[kMaxRecycledBytes] = 'x';
  bytes.deallocate(big, kMaxRecycledBytes + 1);
  EXPECT_EQ(IdleRecycledBlocks(), 0u);
}

TEST(RecyclingAllocatorTest, LargerClassesHaveWiderStepsAndKeepFewerBlocks) {
  ReleaseIdleRecycledBlocks();
  RecyclingAllocator<char> bytes;
  std::vector<char*> blocks;
  for (int i = 0; i < 40; ++i) blocks.push_back(bytes.allocate(2000));  // the 2048-byte class
  for (char* block : blocks) bytes.deallocate(block, 2000);
  EXPECT_EQ(IdleRecycledBlocks(), Kept(kMaxIdleBytesPerClass / 2048));
  char* again = bytes.allocate(1930);  // same class (1921-2048): the last block kept (LIFO)
  EXPECT_EQ(again == blocks[kMaxIdleBytesPerClass / 2048 - 1], kRecyclingEnabled);
  bytes.deallocate(again, 1930);
  char* other = bytes.allocate(1900);  // the 1793-1920 class: none idle
  EXPECT_EQ(IdleRecycledBlocks(), Kept(kMaxIdleBytesPerClass / 2048));
  bytes.deallocate(other, 1900);
  char* mid = bytes.allocate(300);  // 64-byte steps: 257-320
  bytes.deallocate(mid, 300);
  char* mid_again = bytes.allocate(290);
  EXPECT_EQ(mid_again == mid, kRecyclingEnabled);
  bytes.deallocate(mid_again, 290);
  ReleaseIdleRecycledBlocks();
}

TEST(RecyclingAllocatorTest, IdleBlocksPerClassAreBounded) {
  ReleaseIdleRecycledBlocks();
  std::vector<std::shared_ptr<Payload>> many;
  for (size_t i = 0; i < kMaxIdleBlocksPerClass + 10; ++i) many.push_back(MakeRecycledShared<Payload>(int(i)));
  many.clear();
  EXPECT_EQ(IdleRecycledBlocks(), Kept(kMaxIdleBlocksPerClass));
  ReleaseIdleRecycledBlocks();
}

TEST(RecyclingAllocatorTest, WorksAsAContainerAllocator) {
  std::vector<std::string, RecyclingAllocator<std::string>> strings;
  for (int i = 0; i < 50; ++i) strings.push_back(std::to_string(i));
  EXPECT_EQ(strings[49], "49");
}

TEST(RecyclingAllocatorTest, ObjectsMayBeDroppedOnAnotherThreadAndThreadsExitCleanly) {
  std::vector<std::shared_ptr<Payload>> made;
  for (int i = 0; i < 64; ++i) made.push_back(MakeRecycledShared<Payload>(i));
  std::thread other([&] {
    made.clear();  // joins the other thread's cache, freed when it exits
    EXPECT_EQ(IdleRecycledBlocks(), Kept(64));
    auto reused = MakeRecycledShared<Payload>(7);
    EXPECT_EQ(reused->value, 7);
  });
  other.join();
  EXPECT_TRUE(made.empty());
}

// ResidentBytes reads this process's RSS from /proc/self/statm; 0 if it cannot.
[[maybe_unused]] size_t ResidentBytes() {
  FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return 0;
  unsigned long size = 0;
  unsigned long resident = 0;
  const int read = std::fscanf(statm, "%lu %lu", &size, &resident);
  std::fclose(statm);
  return read == 2 ? resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

// Issue 16 #4: after a spike, freed small blocks scattered between live ones stay resident until malloc_trim
// gives their pages back; free() alone only trims the top of the heap.
TEST(TrimFreeHeapTest, GivesFreedPagesBetweenLiveBlocksBackToTheSystem) {
#if defined(ABSL_HAVE_ADDRESS_SANITIZER) || defined(ABSL_HAVE_THREAD_SANITIZER) || !defined(__GLIBC__)
  GTEST_SKIP() << "needs glibc's malloc (a sanitizer brings its own)";
#else
  constexpr size_t kBlock = 4096;        // below the mmap threshold: from the heap
  constexpr size_t kBlocks = 16 * 1024;  // 64 MiB
  std::vector<char*> blocks;
  blocks.reserve(kBlocks);
  for (size_t i = 0; i < kBlocks; ++i) {
    char* block = static_cast<char*>(std::malloc(kBlock));
    ASSERT_NE(block, nullptr);
    for (size_t at = 0; at < kBlock; at += 512) block[at] = 1;  // resident
    blocks.push_back(block);
  }
  // Keep one block in 16: nothing at the top of the heap is free, so free() gives nothing back.
  for (size_t i = 0; i < kBlocks; ++i) {
    if (i % 16 != 15) {
      std::free(blocks[i]);
      blocks[i] = nullptr;
    }
  }
  const size_t before = ResidentBytes();
  ASSERT_GT(before, 0u);
  EXPECT_TRUE(TrimFreeHeap());
  const size_t after = ResidentBytes();
  std::printf("RSS %zu KiB before TrimFreeHeap, %zu KiB after\n", before >> 10, after >> 10);
  EXPECT_LT(after + (32u << 20), before) << "at least half of the 60 MiB freed goes back";
  for (char* block : blocks) std::free(block);
#endif
}

}  // namespace
}  // namespace apiserve::base
