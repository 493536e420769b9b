#include "base/metrics/process_collector.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace apiserve::base::metrics {
namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream file(path);
  if (!file) return false;
  std::ostringstream buffer;
  buffer << file.rdbuf();
  *out = buffer.str();
  return true;
}

FamilySnapshot Single(const char* name, const char* help, MetricType type, double value) {
  return FamilySnapshot{name, help, type, {Sample{"", {}, value}}};
}

// StatFields returns /proc/<pid>/stat's fields after the command name (field 3, "state", is index 0).
std::vector<std::string> StatFields(const std::string& stat) {
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return {};
  return absl::StrSplit(absl::string_view(stat).substr(paren + 1), ' ', absl::SkipEmpty());
}

void CollectProcess(const std::string& proc_self, const std::string& proc_stat, std::vector<FamilySnapshot>* out) {
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page_size = static_cast<double>(sysconf(_SC_PAGESIZE));
  std::string text;
  if (ReadFile(proc_self + "/stat", &text)) {
    const std::vector<std::string> f = StatFields(text);
    // stat(5): utime 14, stime 15, starttime 22, vsize 23, rss 24 → indexes 11, 12, 19, 20, 21 here.
    uint64_t utime = 0, stime = 0, start = 0, vsize = 0, rss = 0;
    if (f.size() > 21 && absl::SimpleAtoi(f[11], &utime) && absl::SimpleAtoi(f[12], &stime) &&
        absl::SimpleAtoi(f[19], &start) && absl::SimpleAtoi(f[20], &vsize) && absl::SimpleAtoi(f[21], &rss)) {
      out->push_back(Single("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                            MetricType::kCounter, static_cast<double>(utime + stime) / ticks));
      out->push_back(Single("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::kGauge,
                            static_cast<double>(rss) * page_size));
      out->push_back(Single("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::kGauge,
                            static_cast<double>(vsize)));
      std::string system;
      if (ReadFile(proc_stat, &system)) {
        for (absl::string_view line : absl::StrSplit(system, '\n')) {
          uint64_t boot = 0;
          if (absl::ConsumePrefix(&line, "btime ") && absl::SimpleAtoi(line, &boot)) {
            out->push_back(Single("process_start_time_seconds",
                                  "Start time of the process since unix epoch in seconds.", MetricType::kGauge,
                                  static_cast<double>(boot) + static_cast<double>(start) / ticks));
          }
        }
      }
    }
  }
  if (DIR* dir = opendir((proc_self + "/fd").c_str()); dir != nullptr) {
    int open = 0;
    while (const dirent* entry = readdir(dir)) {
      if (entry->d_name[0] != '.') ++open;
    }
    closedir(dir);
    // The directory stream itself held a descriptor while we counted.
    if (proc_self == "/proc/self") --open;
    out->push_back(Single("process_open_fds", "Number of open file descriptors.", MetricType::kGauge, open));
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    out->push_back(Single("process_max_fds", "Maximum number of open file descriptors.", MetricType::kGauge,
                          static_cast<double>(limit.rlim_cur)));
  }
}

}  // namespace

Collector ProcessCollector(std::string proc_self, std::string proc_stat) {
  return [proc_self = std::move(proc_self), proc_stat = std::move(proc_stat)](std::vector<FamilySnapshot>* out) {
    CollectProcess(proc_self, proc_stat, out);
  };
}

}  // namespace apiserve::base::metrics
