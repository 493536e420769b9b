#ifndef APISERVE_BASE_FILE_WATCHER_H_
#define APISERVE_BASE_FILE_WATCHER_H_

// FileWatcher: calls a function when files may have changed (certificate and CA bundles, token files). It watches the
// *directories* holding the files with inotify (Kubernetes updates mounted secrets by swapping a `..data` symlink,
// which never touches the file's own inode), waits for a short quiet period so a burst of events gives one call, and
// also calls the function every `interval` as a fallback (and to retry directories that could not be watched).
//
// Owns one thread, an inotify descriptor and an eventfd; the destructor stops and joins the thread (RAII). The
// callback runs on that thread, never concurrently with itself; it must not destroy the watcher.

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace apiserve::base {

class FileWatcher {
 public:
  struct Options {
    std::vector<std::string> files;  // the directories holding these are watched
    absl::Duration interval = absl::Minutes(1);
    absl::Duration debounce = absl::Milliseconds(100);
  };

  // Start begins watching. Internal error if inotify or eventfd cannot be created; a directory that cannot be
  // watched yet is only logged and retried every interval.
  static absl::StatusOr<std::unique_ptr<FileWatcher>> Start(Options options, std::function<void()> on_change);
  ~FileWatcher();
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

 private:
  FileWatcher(Options options, std::function<void()> on_change, int inotify_fd, int stop_fd);
  void Run();
  // AddMissingWatches tries to watch every directory not watched yet.
  void AddMissingWatches();
  // DrainEvents reads every queued inotify event; returns true if there was at least one.
  bool DrainEvents();

  const Options options_;
  const std::function<void()> on_change_;
  const int inotify_fd_;
  const int stop_fd_;
  std::vector<std::string> directories_;
  std::vector<bool> watched_;  // parallel to directories_; touched only by the thread (and before it starts)
  std::thread thread_;
};

}  // namespace apiserve::base

#endif  // APISERVE_BASE_FILE_WATCHER_H_
