#include "tests/adversarial/adversarial_client.h"

#include <dirent.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace apiserve::adversarial {
namespace {

std::string ClientsScript() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".", "/", workspace != nullptr ? workspace : "apiserve",
                      "/tests/adversarial/clients.py");
}

std::string ReadProc(pid_t pid, const char* file) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/", file));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

int64_t ClientReport::Int(const std::string& key) const {
  auto it = fields.find(key);
  int64_t value = -999;
  if (it == fields.end() || !absl::SimpleAtoi(it->second, &value)) return -999;
  return value;
}

std::string ClientReport::Str(const std::string& key) const {
  auto it = fields.find(key);
  return it == fields.end() ? "" : it->second;
}

ClientReport RunClient(const e2e::ApiserverProcess& server, const std::string& mode,
                       const std::vector<std::string>& args, absl::Duration timeout) {
  std::vector<std::string> argv = {"/usr/bin/python3", ClientsScript(), mode, "--port", absl::StrCat(server.port())};
  argv.insert(argv.end(), args.begin(), args.end());
  e2e::CommandResult run = e2e::RunCommand(argv, "", timeout);
  ClientReport report;
  report.exit_code = run.exit_code;
  report.out = run.out;
  report.err = run.err;
  std::vector<std::string> lines = absl::StrSplit(run.out, '\n', absl::SkipWhitespace());
  if (lines.empty()) return report;
  for (absl::string_view pair : absl::StrSplit(lines.back(), ' ', absl::SkipWhitespace())) {
    const size_t eq = pair.find('=');
    if (eq != absl::string_view::npos)
      report.fields[std::string(pair.substr(0, eq))] = std::string(pair.substr(eq + 1));
  }
  return report;
}

int64_t RssKib(pid_t pid) {
  for (absl::string_view line : absl::StrSplit(ReadProc(pid, "status"), '\n')) {
    if (absl::ConsumePrefix(&line, "VmRSS:")) {
      line = absl::StripAsciiWhitespace(line);
      int64_t kib = -1;
      if (absl::SimpleAtoi(line.substr(0, line.find(' ')), &kib)) return kib;
    }
  }
  return -1;
}

int64_t CpuTicks(pid_t pid) {
  const std::string stat = ReadProc(pid, "stat");
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
  std::vector<std::string> fields = absl::StrSplit(stat.substr(paren + 2), ' ');
  int64_t utime = 0, stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) || !absl::SimpleAtoi(fields[12], &stime)) return -1;
  return utime + stime;
}

int OpenFds(pid_t pid) {
  DIR* dir = ::opendir(absl::StrCat("/proc/", pid, "/fd").c_str());
  if (dir == nullptr) return -1;
  int count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count;
}

bool Alive(pid_t pid) {
  const std::string stat = ReadProc(pid, "stat");
  const size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

int WaitForFds(pid_t pid, int at_most, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  int fds = OpenFds(pid);
  while (fds > at_most && absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    fds = OpenFds(pid);
  }
  return fds;
}

bool Healthz(const e2e::ApiserverProcess& server) {
  e2e::CurlResult r = e2e::Curl(server, "/healthz", {"--http1.1", "--max-time", "5"});
  return r.status == 200 && r.body == "ok";
}

}  // namespace apiserve::adversarial
