#include "base/metrics/registry.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "base/metrics/text_format.h"

namespace apiserve::base::metrics {
namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "base::metrics: %s\n", message.c_str());
  std::abort();
}

Labels Zip(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  Labels labels;
  labels.reserve(names.size() + 1);
  for (size_t i = 0; i < names.size(); ++i) labels.emplace_back(names[i], values[i]);
  return labels;
}

template <typename Child>
void AppendSamples(const Labels& labels, const Child& child, const std::vector<double>& bounds,
                   std::vector<Sample>* out);

template <>
void AppendSamples(const Labels& labels, const Counter& child, const std::vector<double>&, std::vector<Sample>* out) {
  out->push_back({"", labels, static_cast<double>(child.Value())});
}

template <>
void AppendSamples(const Labels& labels, const Gauge& child, const std::vector<double>&, std::vector<Sample>* out) {
  out->push_back({"", labels, child.Value()});
}

template <>
void AppendSamples(const Labels& labels, const Histogram& child, const std::vector<double>& bounds,
                   std::vector<Sample>* out) {
  const Histogram::Snapshot snapshot = child.Read();
  for (size_t i = 0; i <= bounds.size(); ++i) {
    Labels with_le = labels;
    with_le.emplace_back("le", i < bounds.size() ? FormatValue(bounds[i]) : "+Inf");
    out->push_back({"_bucket", std::move(with_le), static_cast<double>(snapshot.cumulative[i])});
  }
  out->push_back({"_sum", labels, snapshot.sum});
  out->push_back({"_count", labels, static_cast<double>(snapshot.count)});
}

template <typename F>
F* AddFamily(std::map<std::string, std::unique_ptr<F>>* families, bool name_taken_elsewhere, const std::string& name,
             const std::string& help, MetricType type, std::vector<std::string> labels, std::vector<double> bounds) {
  auto it = families->find(name);
  if (it != families->end()) {
    if (it->second->label_names() != labels || it->second->bounds() != bounds) {
      Die("metric " + name + " registered twice with different labels or buckets");
    }
    return it->second.get();
  }
  if (name_taken_elsewhere) Die("metric " + name + " registered twice with different types");
  if (!std::is_sorted(bounds.begin(), bounds.end())) Die("metric " + name + ": buckets must be sorted");
  auto family = std::make_unique<F>(name, help, type, std::move(labels), std::move(bounds));
  F* raw = family.get();
  families->emplace(name, std::move(family));
  return raw;
}

}  // namespace

template <typename Child>
std::unique_ptr<Child> Family<Child>::NewChild() const {
  if constexpr (std::is_same_v<Child, Histogram>) {
    return std::make_unique<Histogram>(&bounds_);
  } else {
    return std::make_unique<Child>();
  }
}

template <typename Child>
Child* Family<Child>::WithLabelValues(const std::vector<std::string>& values) {
  if (values.size() != label_names_.size()) {
    Die("metric " + name_ + ": " + std::to_string(values.size()) + " label values for " +
        std::to_string(label_names_.size()) + " labels");
  }
  MutexLock lock(&mu_);
  std::unique_ptr<Child>& child = children_[values];
  if (child == nullptr) child = NewChild();
  return child.get();
}

template <typename Child>
void Family<Child>::Collect(std::vector<FamilySnapshot>* out) const {
  FamilySnapshot snapshot{name_, help_, type_, {}};
  {
    MutexLock lock(&mu_);
    for (const auto& [values, child] : children_) {
      AppendSamples(Zip(label_names_, values), *child, bounds_, &snapshot.samples);
    }
  }
  out->push_back(std::move(snapshot));
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

CollectorHandle& CollectorHandle::operator=(CollectorHandle&& other) noexcept {
  if (this != &other) {
    Reset();
    registry_ = other.registry_;
    id_ = other.id_;
    other.registry_ = nullptr;
  }
  return *this;
}

void CollectorHandle::Reset() {
  if (registry_ != nullptr) registry_->RemoveCollector(id_);
  registry_ = nullptr;
}

Registry& Registry::Default() {
  static Registry* const registry = new Registry();
  return *registry;
}

CounterFamily* Registry::AddCounter(const std::string& name, const std::string& help, std::vector<std::string> labels) {
  MutexLock lock(&mu_);
  return AddFamily(&counters_, gauges_.count(name) + histograms_.count(name) > 0, name, help, MetricType::kCounter,
                   std::move(labels), {});
}

GaugeFamily* Registry::AddGauge(const std::string& name, const std::string& help, std::vector<std::string> labels) {
  MutexLock lock(&mu_);
  return AddFamily(&gauges_, counters_.count(name) + histograms_.count(name) > 0, name, help, MetricType::kGauge,
                   std::move(labels), {});
}

HistogramFamily* Registry::AddHistogram(const std::string& name, const std::string& help,
                                        std::vector<std::string> labels, std::vector<double> bounds) {
  MutexLock lock(&mu_);
  return AddFamily(&histograms_, counters_.count(name) + gauges_.count(name) > 0, name, help, MetricType::kHistogram,
                   std::move(labels), std::move(bounds));
}

CollectorHandle Registry::AddCollector(Collector collector) {
  MutexLock lock(&mu_);
  const uint64_t id = next_collector_id_++;
  collectors_.emplace(id, std::move(collector));
  return CollectorHandle(this, id);
}

void Registry::RemoveCollector(uint64_t id) {
  MutexLock lock(&mu_);
  collectors_.erase(id);
}

std::vector<FamilySnapshot> Registry::Gather() const {
  std::vector<FamilySnapshot> out;
  {
    MutexLock lock(&mu_);
    for (const auto& [name, family] : counters_) family->Collect(&out);
    for (const auto& [name, family] : gauges_) family->Collect(&out);
    for (const auto& [name, family] : histograms_) family->Collect(&out);
    for (const auto& [id, collector] : collectors_) collector(&out);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const FamilySnapshot& a, const FamilySnapshot& b) { return a.name < b.name; });
  return out;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> bounds;
  for (int i = 0; i < count; ++i, start *= factor) bounds.push_back(start);
  return bounds;
}

}  // namespace apiserve::base::metrics
