#include "healthz/check_metrics.h"

namespace apiserve::healthz {

CheckMetrics& CheckMetrics::Global() {
  static CheckMetrics* const kGlobal = new CheckMetrics();
  return *kGlobal;
}

void CheckMetrics::Record(absl::string_view name, absl::string_view type, bool success) {
  base::MutexLock lock(&mu_);
  auto key = std::make_pair(std::string(name), std::string(type));
  auto it = samples_.find(key);
  if (it == samples_.end()) {
    CheckSample sample;
    sample.name = key.first;
    sample.type = key.second;
    it = samples_.emplace(std::move(key), std::move(sample)).first;
  }
  CheckSample& sample = it->second;
  sample.last_result = success ? 1 : 0;
  if (success) {
    ++sample.success_total;
  } else {
    ++sample.error_total;
  }
}

std::vector<CheckSample> CheckMetrics::Snapshot() const {
  base::MutexLock lock(&mu_);
  std::vector<CheckSample> out;
  out.reserve(samples_.size());
  for (const auto& [key, sample] : samples_) out.push_back(sample);
  return out;
}

}  // namespace apiserve::healthz
