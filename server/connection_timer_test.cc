#include "server/connection_timer.h"

#include <vector>

#include "base/fake_executor.h"
#include "gtest/gtest.h"

namespace apiserve::server {
namespace {

// IdleConnection plays a connection's use of the policy on a fake clock: it arms the chosen timer on the loop and,
// when it fires, does what Connection::OnTimeout does to the state (a trim marks the idle period trimmed; an idle
// timeout or the final GOAWAY is recorded with the time it happened).
class IdleConnection {
 public:
  IdleConnection(ConnectionOptions options, TimerState state) : options_(options), state_(state) {}

  void Arm() {
    const TimerChoice choice = ChooseTimer(state_, options_);
    state_.idle_trimmed = choice.idle_trimmed;
    state_.new_requests = false;
    handle_.Cancel();
    if (choice.kind == TimerKind::kNone) return;
    handle_ = loop.RunAfter(choice.duration, [this, kind = choice.kind] {
      fired.push_back({kind, loop.Now() - start_});
      if (kind == TimerKind::kIdleTrim) {
        state_.idle_trimmed = true;
        Arm();
      } else if (kind == TimerKind::kGoaway) {
        state_.final_goaway_due = false;
        Arm();
      }
    });
  }
  // Request: a request came and went since the timer was last chosen.
  void Request() {
    state_.new_requests = true;
    Arm();
  }
  TimerState& state() { return state_; }

  struct Fired {
    TimerKind kind;
    absl::Duration at;
  };
  base::FakeExecutor loop;
  std::vector<Fired> fired;

 private:
  ConnectionOptions options_;
  TimerState state_;
  absl::Time start_ = loop.Now();
  base::CancelHandle handle_;
};

TimerState OpenIdle() {
  TimerState state;
  state.phase = ConnectionPhase::kOpen;
  state.codec_phase = http::CodecPhase::kIdle;
  return state;
}

TEST(ConnectionTimerTest, IdleTimeoutCountsFromTheStartOfTheIdlePeriodAcrossTheTrim) {
  ConnectionOptions options;  // idle 90 s, trim after 1 s
  IdleConnection c(options, OpenIdle());
  c.Arm();
  c.loop.AdvanceTime(absl::Seconds(100));
  ASSERT_EQ(c.fired.size(), 2u);
  EXPECT_EQ(c.fired[0].kind, TimerKind::kIdleTrim);
  EXPECT_EQ(c.fired[0].at, absl::Seconds(1));
  EXPECT_EQ(c.fired[1].kind, TimerKind::kIdle);
  EXPECT_EQ(c.fired[1].at, absl::Seconds(90));
}

TEST(ConnectionTimerTest, ARequestStartsANewIdlePeriodWithItsOwnTrim) {
  ConnectionOptions options;
  IdleConnection c(options, OpenIdle());
  c.Arm();
  c.loop.AdvanceTime(absl::Seconds(30));  // trimmed at 1 s
  c.Request();                            // at 30 s
  c.loop.AdvanceTime(absl::Seconds(200));
  ASSERT_EQ(c.fired.size(), 3u);
  EXPECT_EQ(c.fired[1].kind, TimerKind::kIdleTrim);
  EXPECT_EQ(c.fired[1].at, absl::Seconds(31));
  EXPECT_EQ(c.fired[2].kind, TimerKind::kIdle);
  EXPECT_EQ(c.fired[2].at, absl::Seconds(120));
}

TEST(ConnectionTimerTest, NoTrimWhenTheTrimDelayIsNotShorterThanTheIdleTimeout) {
  ConnectionOptions options;
  options.idle_timeout = absl::Milliseconds(300);  // trim delay 1 s
  IdleConnection c(options, OpenIdle());
  c.Arm();
  c.loop.AdvanceTime(absl::Seconds(5));
  ASSERT_EQ(c.fired.size(), 1u);
  EXPECT_EQ(c.fired[0].kind, TimerKind::kIdle);
  EXPECT_EQ(c.fired[0].at, absl::Milliseconds(300));
}

TEST(ConnectionTimerTest, DrainingClosesAnIdleConnectionAfterTheGrace) {
  ConnectionOptions options;
  TimerState state = OpenIdle();
  state.draining = true;
  IdleConnection c(options, state);
  c.Arm();
  c.loop.AdvanceTime(absl::Seconds(5));
  ASSERT_EQ(c.fired.size(), 1u);
  EXPECT_EQ(c.fired[0].kind, TimerKind::kIdle);
  EXPECT_EQ(c.fired[0].at, options.drain_idle_grace);
}

TEST(ConnectionTimerTest, FinalGoawayComesAfterTheDelayThenTheIdleTimeout) {
  ConnectionOptions options;
  options.idle_trim_delay = absl::ZeroDuration();
  TimerState state = OpenIdle();
  state.final_goaway_due = true;
  IdleConnection c(options, state);
  c.Arm();
  c.loop.AdvanceTime(absl::Seconds(100));
  ASSERT_EQ(c.fired.size(), 2u);
  EXPECT_EQ(c.fired[0].kind, TimerKind::kGoaway);
  EXPECT_EQ(c.fired[0].at, options.goaway_delay);
  EXPECT_EQ(c.fired[1].kind, TimerKind::kIdle);
  EXPECT_EQ(c.fired[1].at, options.goaway_delay + options.idle_timeout);
}

TEST(ConnectionTimerTest, EachPhaseGetsItsTimer) {
  ConnectionOptions options;
  TimerState state;
  state.phase = ConnectionPhase::kHandshake;
  EXPECT_EQ(ChooseTimer(state, options).kind, TimerKind::kReadHeader);
  EXPECT_EQ(ChooseTimer(state, options).duration, options.read_header_timeout);
  state = OpenIdle();
  state.codec_phase = http::CodecPhase::kReadingHeaders;
  EXPECT_EQ(ChooseTimer(state, options).kind, TimerKind::kReadHeader);
  state.codec_phase = http::CodecPhase::kBusy;
  EXPECT_EQ(ChooseTimer(state, options).kind, TimerKind::kNone);
  state.phase = ConnectionPhase::kClosing;
  EXPECT_EQ(ChooseTimer(state, options).kind, TimerKind::kNone);
  state.lingering = true;
  EXPECT_EQ(ChooseTimer(state, options).kind, TimerKind::kLinger);
  EXPECT_EQ(ChooseTimer(state, options).duration, options.linger_timeout);
  state.phase = ConnectionPhase::kClosed;
  EXPECT_EQ(ChooseTimer(state, options).kind, TimerKind::kNone);
}

}  // namespace
}  // namespace apiserve::server

namespace apiserve::server {
namespace {

// The connection's uv timer stays armed while the wanted deadline moves later (each HTTP/1.1 request moves the idle
// deadline); it is restarted only for an earlier deadline, and a firing before the wanted deadline re-arms for the
// rest, so the timeout still happens exactly when wanted.
TEST(LazyDeadlineTest, ArmsOnlyForEarlierDeadlines) {
  LazyDeadline deadline;
  EXPECT_EQ(deadline.Want(1000, 500), 500);  // nothing armed: start for 500 ms (due 1500)
  EXPECT_EQ(deadline.Want(1100, 500), -1);   // due 1600: the armed timer fires first
  deadline.Clear();                          // busy: nothing wanted, the timer stays
  EXPECT_EQ(deadline.Want(1200, 500), -1);   // idle again, due 1700
  int64_t rearm = 0;
  EXPECT_FALSE(deadline.Fired(1500, &rearm));  // early: 200 ms left
  EXPECT_EQ(rearm, 200);
  EXPECT_EQ(deadline.Want(1550, 50), 50);  // due 1600, before the armed 1700: restart
  EXPECT_TRUE(deadline.Fired(1600, &rearm));
  EXPECT_EQ(rearm, -1);
  EXPECT_EQ(deadline.Want(1600, 10), 10);  // nothing armed after a real firing
  deadline.Clear();
  EXPECT_FALSE(deadline.Fired(1610, &rearm));  // fired for nothing: not re-armed
  EXPECT_EQ(rearm, -1);
  EXPECT_EQ(deadline.Want(1700, 100), 100);
}

}  // namespace
}  // namespace apiserve::server
