#include "base/metrics/registry.h"

#include <thread>
#include <vector>

#include "base/metrics/text_format.h"
#include "gtest/gtest.h"

namespace apiserve::base::metrics {
namespace {

TEST(RegistryTest, CounterSeriesByLabelValues) {
  Registry registry;
  CounterFamily* total = registry.AddCounter("requests_total", "Requests.", {"verb", "code"});
  Counter* get_ok = total->WithLabelValues({"GET", "200"});
  get_ok->Inc();
  get_ok->Inc(2);
  total->WithLabelValues({"PUT", "400"})->Inc();
  EXPECT_EQ(total->WithLabelValues({"GET", "200"}), get_ok);  // stable pointer
  EXPECT_EQ(WriteTextFormat(registry.Gather()),
            "# HELP requests_total Requests.\n"
            "# TYPE requests_total counter\n"
            "requests_total{verb=\"GET\",code=\"200\"} 3\n"
            "requests_total{verb=\"PUT\",code=\"400\"} 1\n");
}

TEST(RegistryTest, AddIsIdempotentForTheSameDefinition) {
  Registry registry;
  CounterFamily* a = registry.AddCounter("x_total", "X.", {"a"});
  EXPECT_EQ(registry.AddCounter("x_total", "X.", {"a"}), a);
}

TEST(RegistryDeathTest, ConflictingDefinitionAborts) {
  Registry registry;
  registry.AddCounter("x_total", "X.", {"a"});
  EXPECT_DEATH(registry.AddCounter("x_total", "X.", {"b"}), "different labels");
  EXPECT_DEATH(registry.AddGauge("x_total", "X.", {"a"}), "different types");
  EXPECT_DEATH(registry.AddCounter("y_total", "Y.", {"a"})->WithLabelValues({"1", "2"}), "2 label values for 1");
}

TEST(RegistryTest, GaugeSetAndAdd) {
  Registry registry;
  Gauge* g = registry.AddGauge("inflight", "In flight.", {})->WithLabelValues({});
  g->Set(3);
  g->Add(-1.5);
  EXPECT_EQ(g->Value(), 1.5);
}

TEST(RegistryTest, HistogramBucketsAreCumulativeWithInclusiveBounds) {
  Registry registry;
  HistogramFamily* h = registry.AddHistogram("latency_seconds", "Latency.", {"verb"}, {0.1, 1});
  Histogram* get = h->WithLabelValues({"GET"});
  get->Observe(0.1);  // le="0.1" is inclusive
  get->Observe(0.5);
  get->Observe(7);
  EXPECT_EQ(WriteTextFormat(registry.Gather()),
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{verb=\"GET\",le=\"0.1\"} 1\n"
            "latency_seconds_bucket{verb=\"GET\",le=\"1\"} 2\n"
            "latency_seconds_bucket{verb=\"GET\",le=\"+Inf\"} 3\n"
            "latency_seconds_sum{verb=\"GET\"} 7.6\n"
            "latency_seconds_count{verb=\"GET\"} 3\n");
}

TEST(RegistryTest, CollectorsJoinTheScrapeSortedByNameUntilTheirHandleGoes) {
  Registry registry;
  registry.AddCounter("b_total", "B.", {})->WithLabelValues({})->Inc();
  {
    CollectorHandle handle = registry.AddCollector([](std::vector<FamilySnapshot>* out) {
      out->push_back({"a_total", "A.", MetricType::kCounter, {{"", {{"kind", "x"}}, 5}}});
    });
    std::vector<FamilySnapshot> families = registry.Gather();
    ASSERT_EQ(families.size(), 2u);
    EXPECT_EQ(families[0].name, "a_total");
    EXPECT_EQ(families[1].name, "b_total");
  }
  EXPECT_EQ(registry.Gather().size(), 1u);
}

TEST(RegistryTest, ConcurrentIncrementsAreAllCounted) {
  Registry registry;
  CounterFamily* family = registry.AddCounter("c_total", "C.", {"t"});
  HistogramFamily* histogram = registry.AddHistogram("h", "H.", {}, {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      Counter* c = family->WithLabelValues({"same"});
      Histogram* h = histogram->WithLabelValues({});
      for (int i = 0; i < 10000; ++i) {
        c->Inc();
        h->Observe(0.5);
      }
    });
  }
  // Scrapes while writers run (TSan checks this).
  for (int i = 0; i < 10; ++i) registry.Gather();
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(family->WithLabelValues({"same"})->Value(), 40000u);
  EXPECT_EQ(histogram->WithLabelValues({})->Read().count, 40000u);
  EXPECT_EQ(histogram->WithLabelValues({})->Read().sum, 20000);
}

TEST(LoopCounterTest, SingleWriterManyReaders) {
  LoopCounter counter;
  std::thread writer([&] {
    for (int i = 0; i < 10000; ++i) ++counter;
  });
  uint64_t last = 0;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t now = counter.Value();
    EXPECT_GE(now, last);
    last = now;
  }
  writer.join();
  EXPECT_EQ(counter.Value(), 10000u);
  LoopCounter copy = counter;
  copy += 5;
  --copy;
  EXPECT_EQ(static_cast<uint64_t>(copy), 10004u);
}

TEST(ExponentialBucketsTest, KubesResponseSizes) {
  EXPECT_EQ(ExponentialBuckets(1000, 10, 3), (std::vector<double>{1000, 10000, 100000}));
}

}  // namespace
}  // namespace apiserve::base::metrics
