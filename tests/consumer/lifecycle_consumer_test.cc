// Uses @apiserve//lifecycle from another workspace: the shutdown signals compose as kube's do.
#include "gtest/gtest.h"
#include "lifecycle/lifecycle_signals.h"

TEST(ConsumerTest, NotAcceptingNewRequestFollowsDelayAndHooks) {
  apiserve::lifecycle::LifecycleSignals signals;
  signals.after_shutdown_delay_duration.Fire();
  EXPECT_FALSE(signals.not_accepting_new_request->HasFired());
  signals.pre_shutdown_hooks_stopped.Fire();
  EXPECT_TRUE(signals.not_accepting_new_request->HasFired());
}
