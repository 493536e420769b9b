#ifndef APISERVE_BASE_OBJECT_POOL_H_
#define APISERVE_BASE_OBJECT_POOL_H_

// base::ObjectPool: shared objects that are reused instead of destroyed, buffers included.
//
// A request's objects (the request with its header strings, the exchange with its decorations) are made and dropped
// once per request. ObjectPool keeps a dropped object, reset but with its capacity, on a per-thread free list, so a
// warm server serves a request without calling malloc:
//
//   void ResetRequest(Request* request);  // clear fields, keep buffers, drop references to other objects
//   using RequestPool = base::ObjectPool<Request, &ResetRequest, 128>;
//   std::shared_ptr<Request> request = RequestPool::Acquire();
//
// `Reset` runs on the thread that drops the last reference; the object then joins that thread's free list (at most
// `kMaxIdle` per thread, beyond which it is deleted). Reset must bound what an idle object keeps. T must be
// default-constructible. The control block comes from RecyclingAllocator. base::ReleaseIdleRecycledBlocks() deletes
// the calling thread's idle objects.
//
// Under AddressSanitizer (kRecyclingEnabled false) Reset still runs, but the object is then deleted and Acquire
// always makes a new one, so ASan reports a use after release as for any heap object.

#include <cstddef>
#include <memory>

#include "base/recycling_allocator.h"

namespace apiserve::base {

template <typename T, void (*Reset)(T*), size_t kMaxIdle>
class ObjectPool {
 public:
  // Acquire returns an idle object of this thread (as Reset left it) or a new one.
  static std::shared_ptr<T> Acquire() {
    T* object = nullptr;
    if (FreeList* list = List(); list != nullptr && list->count > 0) {
      object = list->items[--list->count];
    } else {
      object = new T();
    }
    return std::shared_ptr<T>(object, Recycle{}, RecyclingAllocator<T>());
  }

  // Idle counts this thread's idle objects (for tests).
  static size_t Idle() {
    FreeList* list = List();
    return list == nullptr ? 0 : list->count;
  }

 private:
  struct FreeList {
    FreeList() { recycling_internal::OnReleaseIdle(&ReleaseIdle); }
    ~FreeList() {
      DeleteAll();
      gone = true;
    }
    void DeleteAll() {
      while (count > 0) delete items[--count];
    }
    T* items[kMaxIdle];
    size_t count = 0;
  };

  // ReleaseIdle deletes this thread's idle objects (through ReleaseIdleRecycledBlocks).
  static void ReleaseIdle() {
    if (FreeList* list = List(); list != nullptr) list->DeleteAll();
  }

  struct Recycle {
    void operator()(T* object) const noexcept {
      Reset(object);
      FreeList* list = List();
      if (list != nullptr && list->count < kMaxIdle) {
        list->items[list->count++] = object;
      } else {
        delete object;
      }
    }
  };

  // `gone` is trivially destructible, so it is still readable after the thread's FreeList has been destroyed (an
  // object dropped by a later thread_local destructor is deleted instead).
  static inline thread_local bool gone = false;
  static inline thread_local FreeList list_;
  static FreeList* List() {
    if constexpr (!kRecyclingEnabled) return nullptr;
    return gone ? nullptr : &list_;
  }
};

}  // namespace apiserve::base

#endif  // APISERVE_BASE_OBJECT_POOL_H_
