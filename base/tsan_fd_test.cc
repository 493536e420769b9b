#include "base/tsan_fd.h"

#include <dirent.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "gtest/gtest.h"

namespace apiserve::base {
namespace {

// The pattern that once failed CI: one thread uses a socket and closes it the way libuv does (a raw syscall); a
// second thread, not otherwise ordered after the first, gets the same number from opendir and closes it. Under
// --config=tsan this test fails (halt_on_error) when the first close is not announced: checked by removing the
// NoteUninterceptedClose call. In other builds it checks that the number is indeed reused.
TEST(NoteUninterceptedCloseTest, AnotherThreadMayReuseTheNumber) {
  std::atomic<int> closed{-1};
  std::thread closer([&closed] {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    char byte = 0;
    EXPECT_LT(::send(fd, &byte, 1, MSG_NOSIGNAL), 0);  // a use TSan records (the socket is not connected)
    const bool ok = fd >= 0 && ::syscall(SYS_close, fd) == 0;
    EXPECT_TRUE(ok) << "socket or close failed";
    if (ok) NoteUninterceptedClose(fd);
    closed.store(ok ? fd : -3, std::memory_order_relaxed);  // relaxed: no order that TSan would count
    for (;;) {  // stay alive, so the thread's end does not order the two threads either
      if (closed.load(std::memory_order_relaxed) == -2) return;
      std::this_thread::yield();
    }
  });
  int number = -1;
  while ((number = closed.load(std::memory_order_relaxed)) == -1) std::this_thread::yield();
  // opendir takes a descriptor without TSan recording it as created; closedir's close is recorded, and is checked
  // against the number's last uses.
  DIR* dir = ::opendir("/proc/self");
  EXPECT_NE(dir, nullptr);
  if (dir != nullptr) {
    EXPECT_EQ(::dirfd(dir), number);
    ::closedir(dir);
  }
  closed.store(-2, std::memory_order_relaxed);
  closer.join();
}

TEST(NoteUninterceptedCloseTest, NegativeDescriptorIsIgnored) { NoteUninterceptedClose(-1); }

}  // namespace
}  // namespace apiserve::base
