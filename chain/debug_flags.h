#ifndef APISERVE_CHAIN_DEBUG_FLAGS_H_
#define APISERVE_CHAIN_DEBUG_FLAGS_H_

// /debug/flags/v: change the log verbosity at run time, as kube's routes.DebugFlags with StringFlagPutHandler and
// logs.GlogSetter:
//
//   PUT /debug/flags/v  body "3"   → 200 text/plain "successfully set klog.logging.verbosity to 3\n"
//   PUT /debug/flags/v  body "x"   → 400 "failed set klog.logging.verbosity x: strconv.ParseInt: parsing \"x\": invalid
//                                     syntax\n"
//   any other method               → 406 "unsupported http method\n" (kube's answer; not 405)
//
// The body is parsed as Go's strconv.ParseInt(body, 10, 32): no surrounding whitespace is accepted (a trailing
// newline is an error in kube too). Deviation: kube also serves an index at /debug/flags/; we do not. Installed by
// PrepareRun (kube installs it with profiling, which is on by default). Thread-safe.

#include "absl/status/status.h"
#include "base/logger.h"
#include "http/handler.h"

namespace apiserve::chain {

// DebugFlagsVerbosityHandler sets `logger`'s verbosity (borrowed; must outlive the handler).
http::HandlerPtr DebugFlagsVerbosityHandler(base::Logger* logger);

// InstallDebugFlags registers /debug/flags/v for the global logger on `router`. AlreadyExists if taken.
absl::Status InstallDebugFlags(http::Router* router);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_DEBUG_FLAGS_H_
