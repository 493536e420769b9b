// ThreadSanitizer suppressions for every program that runs libuv loops (linked with //server:event_loop).
//
// File-descriptor reuse through Debian's libuv: libuv closes descriptors with a raw close system call on Linux when
// it is not itself built with TSan (uv__close_nocancel), so TSan never sees those closes. When the kernel hands the
// same number out again (accept4 on one loop after another loop, or a server that failed to start, closed its pipe,
// eventfd or socket), TSan reports the two creations as a data race on the descriptor. Such a report always has one of
// these interceptors as a frame, and a race on memory never does. (TSan matches these as substrings of a frame's
// function, file or module name; it has no anchors.)
//
// TSan looks this function up by name at start-up; other builds never call it.

extern "C" const char* __tsan_default_suppressions();

extern "C" const char* __tsan_default_suppressions() {
  return "race:accept4\n"
         "race:pipe2\n"
         "race:eventfd\n"
         "race:epoll_create1\n";
}
