#ifndef APISERVE_TESTS_ADVERSARIAL_ADVERSARIAL_CLIENT_H_
#define APISERVE_TESTS_ADVERSARIAL_ADVERSARIAL_CLIENT_H_

// Helpers for the adversarial tests: run a mode of clients.py (Python's ssl + python3-h2/hyperframe from Debian)
// against a running ApiserverProcess and read the `key=value` line it prints; read the server's RSS, CPU time and
// open descriptors from /proc.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tests/e2e/apiserver_process.h"

namespace apiserve::adversarial {

struct ClientReport {
  int exit_code = -1;
  std::map<std::string, std::string> fields;  // the last `key=value ...` line of standard output
  std::string out;
  std::string err;

  // Int returns fields[key] as an integer, or -999 if missing or not a number.
  int64_t Int(const std::string& key) const;
  std::string Str(const std::string& key) const;
};

// RunClient runs `clients.py <mode> --port <port> <args...>` with /usr/bin/python3, bounded by `timeout`.
ClientReport RunClient(const e2e::ApiserverProcess& server, const std::string& mode,
                       const std::vector<std::string>& args = {}, absl::Duration timeout = absl::Seconds(60));

// RssKib is VmRSS of `pid` in KiB (-1 if unreadable).
int64_t RssKib(pid_t pid);
// CpuTicks is utime + stime of `pid` in clock ticks (-1 if unreadable).
int64_t CpuTicks(pid_t pid);
// OpenFds counts /proc/<pid>/fd entries (-1 if unreadable).
int OpenFds(pid_t pid);
// Alive says whether `pid` still runs (not a zombie).
bool Alive(pid_t pid);
// WaitForFds waits until OpenFds(pid) <= `at_most`; returns the last count.
int WaitForFds(pid_t pid, int at_most, absl::Duration timeout);
// Healthz fetches /healthz over HTTP/1.1 and returns true on 200 "ok".
bool Healthz(const e2e::ApiserverProcess& server);

}  // namespace apiserve::adversarial

#endif  // APISERVE_TESTS_ADVERSARIAL_ADVERSARIAL_CLIENT_H_
