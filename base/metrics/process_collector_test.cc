#include "base/metrics/process_collector.h"

#include <unistd.h>

#include <fstream>
#include <map>
#include <string>

#include "gtest/gtest.h"

namespace apiserve::base::metrics {
namespace {

std::map<std::string, double> Collect(const Collector& collector) {
  std::vector<FamilySnapshot> families;
  collector(&families);
  std::map<std::string, double> values;
  for (const FamilySnapshot& family : families) {
    EXPECT_EQ(family.samples.size(), 1u) << family.name;
    if (!family.samples.empty()) values[family.name] = family.samples[0].value;
  }
  return values;
}

TEST(ProcessCollectorTest, ReadsAFakeProcTree) {
  const std::string dir = ::testing::TempDir() + "/proc_self";
  ASSERT_EQ(
      system(("rm -rf " + dir + " && mkdir -p " + dir + "/fd && touch " + dir + "/fd/0 " + dir + "/fd/1").c_str()), 0);
  const long ticks = sysconf(_SC_CLK_TCK);
  const long page = sysconf(_SC_PAGESIZE);
  {
    // pid (comm with spaces) state ppid ... utime=14 stime=15 ... starttime=22 vsize=23 rss=24
    std::ofstream stat(dir + "/stat");
    stat << "42 (a b) S 1 2 3 4 5 6 7 8 9 10 " << 3 * ticks << " " << ticks << " 0 0 0 0 1 0 " << 10 * ticks
         << " 4096000 100 0\n";
    std::ofstream system_stat(dir + "/system_stat");
    system_stat << "cpu 1 2 3\nbtime 1700000000\nprocesses 5\n";
  }
  const std::map<std::string, double> values = Collect(ProcessCollector(dir, dir + "/system_stat"));
  EXPECT_EQ(values.at("process_cpu_seconds_total"), 4);
  EXPECT_EQ(values.at("process_start_time_seconds"), 1700000010);
  EXPECT_EQ(values.at("process_virtual_memory_bytes"), 4096000);
  EXPECT_EQ(values.at("process_resident_memory_bytes"), 100.0 * page);
  EXPECT_EQ(values.at("process_open_fds"), 2);
  EXPECT_GT(values.at("process_max_fds"), 0);
}

TEST(ProcessCollectorTest, ReadsThisProcess) {
  const std::map<std::string, double> values = Collect(ProcessCollector());
  EXPECT_GT(values.at("process_resident_memory_bytes"), 0);
  EXPECT_GT(values.at("process_start_time_seconds"), 1.5e9);
  EXPECT_GE(values.at("process_open_fds"), 3);
  EXPECT_EQ(values.count("process_cpu_seconds_total"), 1u);
}

}  // namespace
}  // namespace apiserve::base::metrics
