#ifndef APISERVE_LIFECYCLE_OS_SIGNALS_H_
#define APISERVE_LIFECYCLE_OS_SIGNALS_H_

// StopOnOsSignals: kube's SetupSignalContext. The first SIGTERM or SIGINT fires `stop`; a second one flushes the
// log and exits the process with status 1.
//
// The signal handler only writes a byte to a self-pipe; a watcher thread reads it and fires `stop` (so `stop`'s
// callbacks run on that thread, never in signal context).

#include "absl/status/status.h"
#include "lifecycle/signal.h"

namespace apiserve::lifecycle {

// StopOnOsSignals installs the handlers and starts the watcher. `stop` is borrowed and must live until the process
// exits. May be called once per process: a second call returns FailedPrecondition. Returns Internal if the pipe,
// the thread or sigaction fails.
absl::Status StopOnOsSignals(Signal* stop);

// RequestShutdown behaves as if SIGTERM had arrived (kube's RequestShutdown). Returns FailedPrecondition if
// StopOnOsSignals was not called. Async-signal-safe.
absl::Status RequestShutdown();

}  // namespace apiserve::lifecycle

#endif  // APISERVE_LIFECYCLE_OS_SIGNALS_H_
