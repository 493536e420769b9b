#include "lifecycle/lifecycle_signals.h"

namespace apiserve::lifecycle {

LifecycleSignals::LifecycleSignals()
    : not_accepting_new_request(
          AllOf("NotAcceptingNewRequest", {&after_shutdown_delay_duration, &pre_shutdown_hooks_stopped})) {}

}  // namespace apiserve::lifecycle
