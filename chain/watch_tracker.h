#ifndef APISERVE_CHAIN_WATCH_TRACKER_H_
#define APISERVE_CHAIN_WATCH_TRACKER_H_

// chain::WatchTracker: kube's WatchRequestWaitGroup with its rate-limited release (--shutdown-watch-termination-
// grace-period > 0). Every watch gets its own ShuttingDown signal; at shutdown ReleaseAtRate fires them at
// max(200, active/grace) per second, so thousands of watch clients do not all reconnect to the other replicas in
// the same instant, and Wait-style draining (StartDrain) ends when the last watch completed. Thread-safe.

#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "base/mutex.h"
#include "chain/wait_group.h"
#include "lifecycle/signal.h"

namespace apiserve::chain {

class WatchTracker {
 public:
  // Add counts a watch and returns its own shutdown signal (hand it to the request), or null once draining began.
  std::shared_ptr<lifecycle::Signal> Add();
  void Done() { group_.Done(); }

  // ReleaseAtRate fires the shutdown signal of every registered watch, at least 200 per second (faster when
  // `active / grace` is higher), and returns when all are fired or `grace` passed (the rest are fired then). Blocks.
  void ReleaseAtRate(absl::Duration grace);

  SafeWaitGroup& group() { return group_; }

 private:
  SafeWaitGroup group_;
  base::Mutex mu_;
  std::vector<std::weak_ptr<lifecycle::Signal>> signals_ ABSL_GUARDED_BY(mu_);
};

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_WATCH_TRACKER_H_
