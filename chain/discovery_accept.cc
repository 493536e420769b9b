#include "chain/discovery_accept.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace apiserve::chain {
namespace {

struct Clause {
  std::string type;
  std::string subtype;
  double q = 1;
  std::vector<std::pair<std::string, std::string>> params;  // without q
};

std::vector<Clause> ParseAccept(absl::string_view accept) {
  std::vector<Clause> clauses;
  for (absl::string_view part : absl::StrSplit(accept, ',')) {
    std::vector<absl::string_view> fields = absl::StrSplit(part, ';');
    absl::string_view media = absl::StripAsciiWhitespace(fields[0]);
    Clause clause;
    const size_t slash = media.find('/');
    if (media == "*") {
      clause.type = clause.subtype = "*";
    } else if (slash == absl::string_view::npos) {
      continue;  // goautoneg skips a media range without '/'
    } else {
      clause.type = absl::AsciiStrToLower(media.substr(0, slash));
      clause.subtype = absl::AsciiStrToLower(media.substr(slash + 1));
    }
    for (size_t i = 1; i < fields.size(); ++i) {
      std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(fields[i], absl::MaxSplits('=', 1));
      const std::string key(absl::StripAsciiWhitespace(kv.first));
      const std::string value(absl::StripAsciiWhitespace(kv.second));
      if (key.empty()) continue;
      if (key == "q") {
        if (!absl::SimpleAtod(value, &clause.q)) clause.q = 0;  // Go's ParseFloat error leaves 0
      } else {
        clause.params.emplace_back(key, value);
      }
    }
    clauses.push_back(std::move(clause));
  }
  std::stable_sort(clauses.begin(), clauses.end(), [](const Clause& a, const Clause& b) {
    if (a.q != b.q) return a.q > b.q;
    if ((a.type == "*") != (b.type == "*")) return b.type == "*";
    if ((a.subtype == "*") != (b.subtype == "*")) return b.subtype == "*";
    return a.params.size() > b.params.size();
  });
  return clauses;
}

// Verdict of one clause: not acceptable, legacy JSON, or an aggregated version.
enum class Verdict { kUnacceptable, kLegacy, kV2, kV2Beta1 };

Verdict Judge(const Clause& clause) {
  if (clause.q <= 0) return Verdict::kUnacceptable;
  const bool json = (clause.type == "application" && (clause.subtype == "json" || clause.subtype == "*")) ||
                    (clause.type == "*" && clause.subtype == "*");
  if (!json) return Verdict::kUnacceptable;
  std::string group, version, kind;
  bool convert = false;
  for (const auto& [key, value] : clause.params) {
    if (key == "g") {
      group = value;
    } else if (key == "v") {
      version = value;
    } else if (key == "as") {
      kind = value;
    } else if (key != "pretty") {
      return Verdict::kUnacceptable;  // kube: "this media type has an invalid parameter"
    }
    convert = convert || key != "pretty";
  }
  if (!convert) return Verdict::kLegacy;
  if (group != "apidiscovery.k8s.io" || kind != "APIGroupDiscoveryList") return Verdict::kUnacceptable;
  if (version == "v2") return Verdict::kV2;
  if (version == "v2beta1") return Verdict::kV2Beta1;
  return Verdict::kUnacceptable;
}

}  // namespace

std::optional<AggregatedVersion> NegotiateDiscovery(absl::string_view accept) {
  for (const Clause& clause : ParseAccept(accept)) {
    switch (Judge(clause)) {
      case Verdict::kUnacceptable:
        continue;
      case Verdict::kLegacy:
        return std::nullopt;
      case Verdict::kV2:
        return AggregatedVersion::kV2;
      case Verdict::kV2Beta1:
        return AggregatedVersion::kV2Beta1;
    }
  }
  return std::nullopt;
}

}  // namespace apiserve::chain
