#ifndef APISERVE_CHAIN_HOOKS_H_
#define APISERVE_CHAIN_HOOKS_H_

// Post-start and pre-shutdown hooks (kube's hooks.go), with kube's registration errors.
//
// Post-start hooks run once every listener is bound, each on its own thread, in no particular order. Each has the
// health check "poststarthook/<name>" that fails with `not finished` until it returns; a hook that fails is fatal:
// `PostStartHook "<name>" failed: <err>` and exit status 255 (klog.Fatalf). Unlike kube's goroutines, the threads
// are joined: a hook may use its server, so the server waits for its hooks (Wait) before it is destroyed. A hook
// that runs past Run should return once its context's `stop` fires.
//
// Pre-shutdown hooks run at ShutdownInitiated, one after another (sorted by name: Go's map order is unspecified, ours
// is stable), each bounded by a timeout — kube#140241 shows an unbounded hook hanging shutdown forever. Errors are
// wrapped (`PreShutdownHook "<name>" failed: <err>`) and aggregated. A hook that times out keeps its thread; it is
// abandoned, not killed.
//
// Thread-safe.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/mutex.h"
#include "healthz/post_start_hook_check.h"
#include "lifecycle/signal.h"

namespace apiserve::chain {

// PostStartHookContext is what a post-start hook receives: `stop` fires when the server stops (kube's context).
struct PostStartHookContext {
  lifecycle::Signal* stop = nullptr;
};

using PostStartHookFunc = std::function<absl::Status(const PostStartHookContext&)>;
using PreShutdownHookFunc = std::function<absl::Status()>;

struct PostStartHookEntry {
  PostStartHookFunc hook;
  std::shared_ptr<healthz::PostStartHookCheck> check;
};

class PostStartHooks {
 public:
  PostStartHooks() = default;
  PostStartHooks(const PostStartHooks&) = delete;
  PostStartHooks& operator=(const PostStartHooks&) = delete;
  ~PostStartHooks() { Wait(); }

  // Add registers `hook` under `name` and returns its health check (to register with the health registries).
  // Errors (FailedPrecondition / InvalidArgument / AlreadyExists): `missing name`, `hook func may not be nil:
  // "<name>"`, `unable to add "<name>" because PostStartHooks have already been called`, `unable to add "<name>"
  // because it was already registered`.
  absl::StatusOr<std::shared_ptr<healthz::PostStartHookCheck>> Add(const std::string& name, PostStartHookFunc hook);
  // AddEntry copies a delegate's hook (same check object; kube copies delegate hooks without re-adding checks).
  absl::Status AddEntry(const std::string& name, const PostStartHookEntry& entry);

  // Run starts every hook on its own thread. `on_failure` (default: LOG(FATAL), exit 255) receives the formatted
  // error of a failing hook. Marks the hooks as called.
  void Run(const PostStartHookContext& context, std::function<void(const std::string&)> on_failure = nullptr);

  // Wait returns once every hook that Run started has returned. Not from a hook's own thread.
  void Wait();

  std::map<std::string, PostStartHookEntry> Entries() const;

 private:
  mutable base::Mutex mu_;
  std::map<std::string, PostStartHookEntry> hooks_ ABSL_GUARDED_BY(mu_);
  bool called_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);  // Run's, until Wait joins them
};

class PreShutdownHooks {
 public:
  // Add registers `hook` under `name`; a null hook is ignored (kube). Errors: `missing name`, `unable to add
  // "<name>" because PreShutdownHooks have already been called`, `unable to add "<name>" because it is already
  // registered`.
  absl::Status Add(const std::string& name, PreShutdownHookFunc hook);

  // Run runs every hook in name order, each bounded by `timeout`, and returns the aggregate of their errors
  // (kube's utilerrors aggregate: one error as is, several as `[e1, e2]`). Blocks. Marks the hooks as called.
  absl::Status Run(absl::Duration timeout);

  std::map<std::string, PreShutdownHookFunc> Entries() const;

 private:
  mutable base::Mutex mu_;
  std::map<std::string, PreShutdownHookFunc> hooks_ ABSL_GUARDED_BY(mu_);
  bool called_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_HOOKS_H_
