#ifndef APISERVE_CHAIN_FILTERS_PANIC_RECOVERY_H_
#define APISERVE_CHAIN_FILTERS_PANIC_RECOVERY_H_

// WithPanicRecovery: a handler that throws gets kube's 500 (`This request caused apiserver to panic. Look in the logs
// for details.`), logged with the request line; if the response head was already sent, the stream is aborted.
// Deviation from kube, documented in DESIGN §8: kube re-panics and drops the connection; C++ unwinds safely, so the
// connection stays.

#include "http/handler.h"

namespace apiserve::chain {

http::HandlerPtr WithPanicRecovery(http::HandlerPtr next);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_FILTERS_PANIC_RECOVERY_H_
