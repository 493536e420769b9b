#include "lifecycle/lifecycle_signals.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::lifecycle {
namespace {

using ::testing::ElementsAre;

TEST(LifecycleSignalsTest, NamesAreKubes) {
  LifecycleSignals signals;
  EXPECT_EQ(signals.shutdown_initiated.name(), "ShutdownInitiated");
  EXPECT_EQ(signals.after_shutdown_delay_duration.name(), "AfterShutdownDelayDuration");
  EXPECT_EQ(signals.pre_shutdown_hooks_stopped.name(), "PreShutdownHooksStopped");
  EXPECT_EQ(signals.not_accepting_new_request->name(), "NotAcceptingNewRequest");
  EXPECT_EQ(signals.in_flight_requests_drained.name(), "InFlightRequestsDrained");
  EXPECT_EQ(signals.http_server_stopped_listening.name(), "HTTPServerStoppedListening");
  EXPECT_EQ(signals.has_been_ready.name(), "HasBeenReady");
  EXPECT_EQ(signals.mux_and_discovery_complete.name(), "MuxAndDiscoveryComplete");
  EXPECT_EQ(&signals.ShuttingDown(), signals.not_accepting_new_request.get());
}

TEST(LifecycleSignalsTest, NotAcceptingNewRequestNeedsDelayAndHooks) {
  for (bool hooks_first : {false, true}) {
    LifecycleSignals signals;
    std::vector<std::string> order;
    std::vector<Subscription> subscriptions;
    for (Signal* s : {&signals.after_shutdown_delay_duration, &signals.pre_shutdown_hooks_stopped,
                      signals.not_accepting_new_request.get()}) {
      subscriptions.push_back(s->OnFired([&order, s] { order.push_back(s->name()); }));
    }
    if (hooks_first) {
      signals.pre_shutdown_hooks_stopped.Fire();
      EXPECT_FALSE(signals.not_accepting_new_request->HasFired());
      signals.after_shutdown_delay_duration.Fire();
      EXPECT_THAT(order,
                  ElementsAre("PreShutdownHooksStopped", "AfterShutdownDelayDuration", "NotAcceptingNewRequest"));
    } else {
      signals.after_shutdown_delay_duration.Fire();
      EXPECT_FALSE(signals.not_accepting_new_request->HasFired());
      signals.pre_shutdown_hooks_stopped.Fire();
      EXPECT_THAT(order,
                  ElementsAre("AfterShutdownDelayDuration", "PreShutdownHooksStopped", "NotAcceptingNewRequest"));
    }
  }
}

}  // namespace
}  // namespace apiserve::lifecycle
