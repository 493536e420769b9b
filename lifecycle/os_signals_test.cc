#include "lifecycle/os_signals.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace apiserve::lifecycle {
namespace {

using ::apiserve::base::StatusIs;

// Each case runs in a child process (a death test): the handlers are process-wide and the second signal exits.

TEST(OsSignalsDeathTest, FirstSigtermFiresStopSecondExitsOne) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        Signal stop("stop");
        if (!StopOnOsSignals(&stop).ok()) std::_Exit(3);
        ::kill(::getpid(), SIGTERM);
        if (!stop.WaitFor(absl::Seconds(10))) std::_Exit(4);
        std::fprintf(stderr, "stop fired\n");
        ::kill(::getpid(), SIGTERM);
        ::sleep(10);
        std::_Exit(5);
      },
      ::testing::ExitedWithCode(1), "stop fired");
}

TEST(OsSignalsDeathTest, SigintAlsoStops) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        Signal stop("stop");
        if (!StopOnOsSignals(&stop).ok()) std::_Exit(3);
        ::kill(::getpid(), SIGINT);
        std::_Exit(stop.WaitFor(absl::Seconds(10)) ? 0 : 4);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(OsSignalsDeathTest, RequestShutdownActsAsSigterm) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        if (RequestShutdown().code() != absl::StatusCode::kFailedPrecondition) std::_Exit(6);
        Signal stop("stop");
        if (!StopOnOsSignals(&stop).ok()) std::_Exit(3);
        if (StopOnOsSignals(&stop).code() != absl::StatusCode::kFailedPrecondition) std::_Exit(7);
        if (!RequestShutdown().ok()) std::_Exit(8);
        std::_Exit(stop.WaitFor(absl::Seconds(10)) ? 0 : 4);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(OsSignalsTest, RequestShutdownBeforeInstallIsAnError) {
  // This process never installs the handlers (the cases above ran in children).
  EXPECT_THAT(RequestShutdown(),
              StatusIs(absl::StatusCode::kFailedPrecondition, "RequestShutdown: StopOnOsSignals has not been called"));
}

}  // namespace
}  // namespace apiserve::lifecycle
