#include "base/file_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/logger.h"

namespace apiserve::base {
namespace {

constexpr uint32_t kEvents =
    IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;

int TimeoutMs(absl::Duration d) {
  if (d <= absl::ZeroDuration()) return 0;
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(d + absl::Microseconds(999)), 1 << 30));
}

// DirName returns the directory part of `path` ("." if it has none).
std::string DirName(absl::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

}  // namespace

absl::StatusOr<std::unique_ptr<FileWatcher>> FileWatcher::Start(Options options, std::function<void()> on_change) {
  const int inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd < 0) return absl::InternalError(absl::StrCat("inotify_init1: ", std::strerror(errno)));
  const int stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (stop_fd < 0) {
    const int error = errno;
    close(inotify_fd);
    return absl::InternalError(absl::StrCat("eventfd: ", std::strerror(error)));
  }
  std::unique_ptr<FileWatcher> watcher(new FileWatcher(std::move(options), std::move(on_change), inotify_fd, stop_fd));
  watcher->AddMissingWatches();
  watcher->thread_ = std::thread([w = watcher.get()] { w->Run(); });
  return watcher;
}

FileWatcher::FileWatcher(Options options, std::function<void()> on_change, int inotify_fd, int stop_fd)
    : options_(std::move(options)), on_change_(std::move(on_change)), inotify_fd_(inotify_fd), stop_fd_(stop_fd) {
  for (const std::string& file : options_.files) {
    std::string dir = DirName(file);
    if (std::find(directories_.begin(), directories_.end(), dir) == directories_.end()) {
      directories_.push_back(std::move(dir));
    }
  }
  watched_.assign(directories_.size(), false);
}

FileWatcher::~FileWatcher() {
  const uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof(one)) != sizeof(one)) {
    LOG(ERROR) << "FileWatcher: cannot signal the watcher thread: " << std::strerror(errno);
  }
  if (thread_.joinable()) thread_.join();
  close(inotify_fd_);
  close(stop_fd_);
}

void FileWatcher::AddMissingWatches() {
  for (size_t i = 0; i < directories_.size(); ++i) {
    if (watched_[i]) continue;
    if (inotify_add_watch(inotify_fd_, directories_[i].c_str(), kEvents) >= 0) {
      watched_[i] = true;
    } else {
      LOG(WARNING) << "Cannot watch directory " << directories_[i] << " (" << std::strerror(errno)
                   << "); checking it every " << absl::FormatDuration(options_.interval);
    }
  }
}

bool FileWatcher::DrainEvents() {
  alignas(inotify_event) char buffer[4096];
  bool any = false;
  while (true) {
    const ssize_t n = read(inotify_fd_, buffer, sizeof(buffer));
    if (n <= 0) break;
    any = true;
    for (ssize_t offset = 0; offset < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
      // The watched directory itself went away (or was replaced): watch it again later.
      if (event->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) watched_.assign(watched_.size(), false);
      offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
  return any;
}

void FileWatcher::Run() {
  absl::Time next_check = absl::Now() + options_.interval;
  bool pending = false;  // events seen, waiting for a quiet period
  absl::Time pending_since;
  while (true) {
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
    const absl::Duration wait = pending ? options_.debounce : next_check - absl::Now();
    const int rc = poll(fds, 2, TimeoutMs(wait));
    if (rc < 0 && errno != EINTR) {
      LOG(ERROR) << "FileWatcher: poll: " << std::strerror(errno);
      return;
    }
    if (rc > 0 && (fds[0].revents & POLLIN)) return;
    const absl::Time now = absl::Now();
    if (rc > 0 && (fds[1].revents & POLLIN) && DrainEvents()) {
      if (!pending) pending_since = now;
      pending = true;
      // Restart the quiet period, unless events have kept coming for a while (a busy directory).
      if (now - pending_since < 10 * options_.debounce) continue;
    } else if (rc != 0) {
      continue;
    } else if (!pending && now < next_check) {
      continue;
    }
    pending = false;
    if (std::find(watched_.begin(), watched_.end(), false) != watched_.end()) AddMissingWatches();
    on_change_();
    next_check = absl::Now() + options_.interval;
  }
}

}  // namespace apiserve::base
