#include "healthz/check_metrics.h"

namespace apiserve::healthz {

CheckMetrics& CheckMetrics::Global() {
  static CheckMetrics* const kGlobal = new CheckMetrics();
  return *kGlobal;
}

CheckMetrics::Series* CheckMetrics::SeriesFor(absl::string_view name, absl::string_view type) {
  base::MutexLock lock(&mu_);
  auto it = series_.try_emplace(std::make_pair(std::string(name), std::string(type))).first;
  return &it->second;
}

std::vector<CheckSample> CheckMetrics::Snapshot() const {
  base::MutexLock lock(&mu_);
  std::vector<CheckSample> out;
  out.reserve(series_.size());
  for (const auto& [key, series] : series_) {
    CheckSample sample;
    sample.name = key.first;
    sample.type = key.second;
    sample.success_total = series.success_total_.load(std::memory_order_relaxed);
    sample.error_total = series.error_total_.load(std::memory_order_relaxed);
    sample.last_result = series.last_result_.load(std::memory_order_relaxed);
    if (sample.success_total + sample.error_total > 0) out.push_back(std::move(sample));
  }
  return out;
}

}  // namespace apiserve::healthz
