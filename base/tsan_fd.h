#ifndef APISERVE_BASE_TSAN_FD_H_
#define APISERVE_BASE_TSAN_FD_H_

// ThreadSanitizer's view of descriptors closed behind its back.
//
// TSan records each descriptor number's uses, and checks a close against the last ones. Debian's libuv is not built
// with TSan, so on Linux it closes with a raw close(2) syscall (uv__close_nocancel) that TSan never sees: the old
// descriptor's uses stay on record. A creation TSan intercepts (socket, accept4) starts the record afresh, but one it
// does not (opendir's descriptor) leaves it as it is, so when another thread later gets the number that way and
// closes it (closedir), TSan reports a data race with the first thread's last use of the old descriptor (its
// epoll_ctl, say), unless something else happened to order the two threads. CI failed once on exactly that.

namespace apiserve::base {

#if defined(__SANITIZE_THREAD__)
extern "C" void __sanitizer_syscall_pre_impl_close(long fd);  // NOLINT: TSan's hook, as named by its runtime
#endif

// NoteUninterceptedClose tells ThreadSanitizer that `fd` has been closed by code it does not instrument. Call it
// right after that close (uv_close for a stream handle closes synchronously), on the thread that closed it. In other
// builds it does nothing.
inline void NoteUninterceptedClose(int fd) {
#if defined(__SANITIZE_THREAD__)
  if (fd >= 0) __sanitizer_syscall_pre_impl_close(fd);
#else
  static_cast<void>(fd);
#endif
}

}  // namespace apiserve::base

#endif  // APISERVE_BASE_TSAN_FD_H_
