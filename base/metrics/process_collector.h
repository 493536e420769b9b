#ifndef APISERVE_BASE_METRICS_PROCESS_COLLECTOR_H_
#define APISERVE_BASE_METRICS_PROCESS_COLLECTOR_H_

// ProcessCollector reads this process's resource usage from /proc at scrape time, with client_golang's names:
//
//   process_cpu_seconds_total       counter  user + system CPU time
//   process_start_time_seconds      gauge    since the Unix epoch
//   process_resident_memory_bytes   gauge
//   process_virtual_memory_bytes    gauge
//   process_open_fds                gauge    entries in /proc/self/fd
//   process_max_fds                 gauge    RLIMIT_NOFILE soft limit
//
// A file that cannot be read leaves its metrics out (no error at scrape time). Linux only. Thread-safe.

#include "base/metrics/registry.h"

namespace apiserve::base::metrics {

// ProcessCollector returns a collector for Registry::AddCollector. `proc_self` names the /proc directory to read
// (tests point it at a fake tree); `proc_stat` the system-wide stat file (for the boot time).
Collector ProcessCollector(std::string proc_self = "/proc/self", std::string proc_stat = "/proc/stat");

}  // namespace apiserve::base::metrics

#endif  // APISERVE_BASE_METRICS_PROCESS_COLLECTOR_H_
