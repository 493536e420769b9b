#ifndef APISERVE_BASE_METRICS_METRIC_H_
#define APISERVE_BASE_METRICS_METRIC_H_

// base::metrics instruments: one labelled series each. Counter, Gauge and Histogram are lock-free (relaxed atomics):
// safe to update from every event loop at once; a scrape reads them without stopping writers, so a histogram's
// buckets, sum and count may be a few observations apart from each other (Prometheus tolerates this).
//
//   Counter* requests = family->WithLabelValues({"GET", "200"});   // look up once (takes a lock), cache the pointer
//   requests->Inc();                                                // then one atomic add per event
//
// Instruments are owned by their family (registry.h) and live as long as it; pointers to them are stable.
// LoopCounter is the exception: a counter with a single writer thread (an event loop) and readers anywhere, for
// per-loop counters that are summed at scrape time without an atomic read-modify-write on the hot path.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace apiserve::base::metrics {

// Counter only goes up. Thread-safe.
class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Gauge is a value that goes up and down. Thread-safe.
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Histogram counts observations into buckets with inclusive upper bounds (Prometheus `le`), plus +Inf. Thread-safe.
class Histogram {
 public:
  // `bounds` must be sorted ascending, finite; it is borrowed from the family and outlives the histogram.
  explicit Histogram(const std::vector<double>* bounds);

  void Observe(double value);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  const std::vector<double>* const bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_->size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

// LoopCounter: one writer thread, any number of reader threads. Inc is a relaxed load and store (no locked
// instruction); Value may be read from any thread. Copyable (a copy reads the value), so structs of them can be
// summed and returned by value.
class LoopCounter {
 public:
  LoopCounter() = default;
  LoopCounter(uint64_t value) : value_(value) {}  // NOLINT: implicit, so `LoopCounter c = 0` and sums read naturally
  LoopCounter(const LoopCounter& other) : value_(other.Value()) {}
  LoopCounter& operator=(const LoopCounter& other) {
    Set(other.Value());
    return *this;
  }

  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }
  operator uint64_t() const { return Value(); }  // NOLINT: reads like the plain integer it replaces
  // Writer thread only.
  void Set(uint64_t value) { value_.store(value, std::memory_order_relaxed); }
  LoopCounter& operator+=(uint64_t n) {
    Set(Value() + n);
    return *this;
  }
  LoopCounter& operator-=(uint64_t n) {
    Set(Value() - n);
    return *this;
  }
  LoopCounter& operator++() { return *this += 1; }
  LoopCounter& operator--() { return *this -= 1; }

 private:
  std::atomic<uint64_t> value_{0};
};

}  // namespace apiserve::base::metrics

#endif  // APISERVE_BASE_METRICS_METRIC_H_
