#include "server/connection_timer.h"

#include <algorithm>

namespace apiserve::server {
namespace {

bool TrimEnabled(const ConnectionOptions& options) {
  return options.idle_trim_delay > absl::ZeroDuration() && options.idle_trim_delay < options.idle_timeout;
}

}  // namespace

TimerChoice ChooseTimer(const TimerState& state, const ConnectionOptions& options) {
  TimerChoice choice;
  bool idle_trimmed = state.idle_trimmed;
  // A request ends the idle period, even one answered within a single pass that never showed the codec busy.
  if (state.new_requests) idle_trimmed = false;
  switch (state.phase) {
    case ConnectionPhase::kHandshake:
      choice = {TimerKind::kReadHeader, options.read_header_timeout};
      break;
    case ConnectionPhase::kClosing:
      if (state.lingering) choice = {TimerKind::kLinger, options.linger_timeout};
      break;
    case ConnectionPhase::kClosed:
      break;
    case ConnectionPhase::kOpen:
      if (state.final_goaway_due) {
        choice = {TimerKind::kGoaway, options.goaway_delay};
        break;
      }
      switch (state.codec_phase) {
        case http::CodecPhase::kIdle:
          if (state.draining) {
            choice = {TimerKind::kIdle, std::min(options.drain_idle_grace, options.idle_timeout)};
          } else if (!idle_trimmed && TrimEnabled(options)) {
            choice = {TimerKind::kIdleTrim, options.idle_trim_delay};
          } else {
            choice = {TimerKind::kIdle,
                      idle_trimmed ? options.idle_timeout - options.idle_trim_delay : options.idle_timeout};
          }
          break;
        case http::CodecPhase::kReadingHeaders:
          choice = {TimerKind::kReadHeader, options.read_header_timeout};
          break;
        case http::CodecPhase::kBusy:
          break;
      }
      break;
  }
  choice.idle_trimmed = choice.kind == TimerKind::kIdle && idle_trimmed;
  return choice;
}

int64_t LazyDeadline::Want(uint64_t now, uint64_t ms) {
  wanted_ = true;
  due_ = now + ms;
  if (armed_ && armed_due_ <= due_) return -1;
  armed_ = true;
  armed_due_ = due_;
  return static_cast<int64_t>(ms);
}

bool LazyDeadline::Fired(uint64_t now, int64_t* rearm_ms) {
  armed_ = false;
  *rearm_ms = -1;
  if (!wanted_) return false;
  if (due_ <= now) {
    wanted_ = false;
    return true;
  }
  armed_ = true;
  armed_due_ = due_;
  *rearm_ms = static_cast<int64_t>(due_ - now);
  return false;
}

}  // namespace apiserve::server
