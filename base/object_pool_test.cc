#include "base/object_pool.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace apiserve::base {
namespace {

struct Item {
  std::string text;
  std::shared_ptr<int> held;
  int resets = 0;
};

void ResetItem(Item* item) {
  item->text.clear();  // keeps capacity
  item->held.reset();
  ++item->resets;
}

using ItemPool = ObjectPool<Item, &ResetItem, 4>;

// Under AddressSanitizer nothing is recycled (kRecyclingEnabled is false): Reset still runs, then the object is
// deleted. Every expectation about what is kept or reused is written for both modes.
size_t Kept(size_t n) { return kRecyclingEnabled ? n : 0; }

TEST(ObjectPoolTest, ADroppedObjectIsResetAndReusedWithItsBuffers) {
  const Item* address = nullptr;
  size_t capacity = 0;
  auto held = std::make_shared<int>(5);
  {
    auto item = ItemPool::Acquire();
    item->text.assign(300, 'x');
    item->held = held;
    address = item.get();
    capacity = item->text.capacity();
    EXPECT_EQ(held.use_count(), 2);
  }
  EXPECT_EQ(held.use_count(), 1);  // Reset dropped the reference at once
  EXPECT_EQ(ItemPool::Idle(), Kept(1));
  auto again = ItemPool::Acquire();
  EXPECT_EQ(again.get() == address, kRecyclingEnabled);
  EXPECT_TRUE(again->text.empty());
  EXPECT_EQ(again->text.capacity() == capacity, kRecyclingEnabled);
  EXPECT_EQ(again->resets, kRecyclingEnabled ? 1 : 0);
  EXPECT_EQ(ItemPool::Idle(), 0u);
}

TEST(ObjectPoolTest, IdleObjectsAreBounded) {
  std::vector<std::shared_ptr<Item>> items;
  for (int i = 0; i < 10; ++i) items.push_back(ItemPool::Acquire());
  items.clear();
  EXPECT_EQ(ItemPool::Idle(), Kept(4));
  for (int i = 0; i < 4; ++i) items.push_back(ItemPool::Acquire());
  EXPECT_EQ(ItemPool::Idle(), 0u);
}

TEST(ObjectPoolTest, ReleaseIdleRecycledBlocksDeletesIdleObjects) {
  ReleaseIdleRecycledBlocks();
  EXPECT_EQ(ItemPool::Idle(), 0u);
  std::vector<std::shared_ptr<Item>> items;
  for (int i = 0; i < 3; ++i) items.push_back(ItemPool::Acquire());
  items.clear();
  EXPECT_EQ(ItemPool::Idle(), Kept(3));
  ReleaseIdleRecycledBlocks();
  EXPECT_EQ(ItemPool::Idle(), 0u);
  EXPECT_EQ(IdleRecycledBlocks(), 0u);
  auto fresh = ItemPool::Acquire();  // the pool still works
  EXPECT_EQ(fresh->resets, 0);
}

TEST(ObjectPoolTest, WeakReferencesExpireWhenTheObjectIsRecycled) {
  std::weak_ptr<Item> weak;
  {
    auto item = ItemPool::Acquire();
    weak = item;
  }
  EXPECT_TRUE(weak.expired());
  auto reused = ItemPool::Acquire();
  EXPECT_TRUE(weak.expired());
}

TEST(ObjectPoolTest, ObjectsDroppedOnAnotherThreadJoinThatThreadsList) {
  std::vector<std::shared_ptr<Item>> items;
  for (int i = 0; i < 3; ++i) items.push_back(ItemPool::Acquire());
  std::thread other([&] {
    items.clear();
    EXPECT_EQ(ItemPool::Idle(), Kept(3));
  });  // the thread's idle objects are deleted when it exits (LSan checks)
  other.join();
}

struct SelfShared : std::enable_shared_from_this<SelfShared> {};
void ResetSelfShared(SelfShared*) {}
using SelfSharedPool = ObjectPool<SelfShared, &ResetSelfShared, 2>;

TEST(ObjectPoolTest, SharedFromThisWorksAfterReuse) {
  { auto first = SelfSharedPool::Acquire(); }
  auto second = SelfSharedPool::Acquire();
  std::shared_ptr<SelfShared> self = second->shared_from_this();
  EXPECT_EQ(self.get(), second.get());
  EXPECT_EQ(second.use_count(), 2);
}

}  // namespace
}  // namespace apiserve::base
