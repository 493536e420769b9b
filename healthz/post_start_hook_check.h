#ifndef APISERVE_HEALTHZ_POST_START_HOOK_CHECK_H_
#define APISERVE_HEALTHZ_POST_START_HOOK_CHECK_H_

// PostStartHookCheck: the check named "poststarthook/<hook>" that each post-start hook gets (kube's
// postStartHookHealthz): it fails with `not finished` until the hook has returned successfully and its runner
// called MarkDone(). Registered with HealthRegistries::AddBootSequenceHealthChecks (healthz, readyz, and livez
// behind the grace period).
//
//   auto check = std::make_shared<healthz::PostStartHookCheck>("start-informers");
//   registries.AddBootSequenceHealthChecks({check});
//   ... hook thread: if (RunHook().ok()) check->MarkDone();
//
// Thread-safe: MarkDone may be called from the hook's thread while handlers call Check on event loops.

#include <atomic>
#include <string>

#include "absl/strings/string_view.h"
#include "healthz/health_checker.h"

namespace apiserve::healthz {

class PostStartHookCheck : public HealthChecker {
 public:
  // `hook_name` is the hook's registered name; the check is named "poststarthook/<hook_name>".
  explicit PostStartHookCheck(absl::string_view hook_name);

  const std::string& Name() const override { return name_; }
  // Check returns OK once MarkDone has been called, else Unavailable("not finished").
  absl::Status Check(const http::Request& request) const override;

  // MarkDone records that the hook returned without error. Idempotent.
  void MarkDone() { done_.store(true, std::memory_order_release); }
  bool done() const { return done_.load(std::memory_order_acquire); }

 private:
  const std::string name_;
  std::atomic<bool> done_{false};
};

}  // namespace apiserve::healthz

#endif  // APISERVE_HEALTHZ_POST_START_HOOK_CHECK_H_
