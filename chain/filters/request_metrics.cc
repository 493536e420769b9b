#include "chain/filters/request_metrics.h"

#include <algorithm>
#include <atomic>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"

namespace apiserve::chain {
namespace {

using base::metrics::Counter;
using base::metrics::Histogram;

// kube's apiserver_request_duration_seconds buckets.
const std::vector<double>& DurationBuckets() {
  static const auto* const buckets = new std::vector<double>{
      0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60};
  return *buckets;
}

std::atomic<uint64_t> next_id{1};

// kube's validRequestMethods (endpoints/metrics): anything else is reported as "other".
bool IsValidVerb(absl::string_view verb) {
  static constexpr absl::string_view kVerbs[] = {"APPLY", "CONNECT", "CREATE", "DELETE",   "DELETECOLLECTION",
                                                 "GET",   "LIST",    "PATCH",  "POST",     "PROXY",
                                                 "PUT",   "UPDATE",  "WATCH",  "WATCHLIST"};
  return std::find(std::begin(kVerbs), std::end(kVerbs), verb) != std::end(kVerbs);
}

// kube's cleanDryRun: the sorted dryRun values if valid (only "All", once), "invalid" otherwise.
std::string DryRun(const http::Request& request) {
  if (request.raw_query.find("dryRun") == std::string::npos) return "";
  std::vector<std::string> values = request.QueryAll("dryRun");
  if (values.empty()) return "";
  if (values.size() != 1 || values[0] != "All") return "invalid";
  return values[0];
}

// Series are the three instruments of one label combination.
struct Series {
  Counter* total;
  Histogram* duration;
  Histogram* sizes;
};

// A per-thread cache from (metrics id, code, labels) to series. Bounded: cleared when it grows past kMaxCached.
// Looked up by a view of the labels (no key string is built per request).
constexpr size_t kMaxCached = 4096;

struct SeriesKeyView {
  uint64_t id;
  int code;
  const RequestMetricLabels* labels;
};

struct SeriesKey {
  uint64_t id;
  int code;
  RequestMetricLabels labels;
  SeriesKeyView View() const { return SeriesKeyView{id, code, &labels}; }
};

struct SeriesKeyHash {
  using is_transparent = void;
  size_t operator()(const SeriesKeyView& k) const {
    const RequestMetricLabels& l = *k.labels;
    return absl::Hash<
        std::tuple<uint64_t, int, absl::string_view, absl::string_view, absl::string_view, absl::string_view,
                   absl::string_view, absl::string_view, absl::string_view, absl::string_view>>()(
        std::make_tuple(k.id, k.code, absl::string_view(l.verb), absl::string_view(l.dry_run),
                        absl::string_view(l.group), absl::string_view(l.version), absl::string_view(l.resource),
                        absl::string_view(l.subresource), absl::string_view(l.scope), absl::string_view(l.component)));
  }
  size_t operator()(const SeriesKey& k) const { return (*this)(k.View()); }
};

struct SeriesKeyEq {
  using is_transparent = void;
  static bool Same(const SeriesKeyView& a, const SeriesKeyView& b) {
    const RequestMetricLabels& x = *a.labels;
    const RequestMetricLabels& y = *b.labels;
    return a.id == b.id && a.code == b.code && x.verb == y.verb && x.dry_run == y.dry_run && x.group == y.group &&
           x.version == y.version && x.resource == y.resource && x.subresource == y.subresource && x.scope == y.scope &&
           x.component == y.component;
  }
  bool operator()(const SeriesKey& a, const SeriesKey& b) const { return Same(a.View(), b.View()); }
  bool operator()(const SeriesKey& a, const SeriesKeyView& b) const { return Same(a.View(), b); }
  bool operator()(const SeriesKeyView& a, const SeriesKey& b) const { return Same(a, b.View()); }
};

Series LookUp(RequestMetrics* metrics, const RequestMetricLabels& l, int status) {
  thread_local absl::flat_hash_map<SeriesKey, Series, SeriesKeyHash, SeriesKeyEq> cache;
  if (auto it = cache.find(SeriesKeyView{metrics->id(), status, &l}); it != cache.end()) return it->second;
  const std::string code = absl::StrCat(status);
  Series series;
  series.total = metrics->total()->WithLabelValues(
      {code, l.component, l.dry_run, l.group, l.resource, l.scope, l.subresource, l.verb, l.version});
  series.duration = metrics->duration()->WithLabelValues(
      {l.component, l.dry_run, l.group, l.resource, l.scope, l.subresource, l.verb, l.version});
  series.sizes = metrics->response_sizes()->WithLabelValues(
      {l.component, l.group, l.resource, l.scope, l.subresource, l.verb, l.version});
  if (cache.size() >= kMaxCached) cache.clear();
  cache.emplace(SeriesKey{metrics->id(), status, l}, series);
  return series;
}

}  // namespace

RequestMetrics::RequestMetrics(base::metrics::Registry* registry)
    : total_(registry->AddCounter(
          "apiserver_request_total",
          "Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, "
          "component, and HTTP response code.",
          {"code", "component", "dry_run", "group", "resource", "scope", "subresource", "verb", "version"})),
      duration_(registry->AddHistogram(
          "apiserver_request_duration_seconds",
          "Response latency distribution in seconds for each verb, dry run value, group, version, resource, "
          "subresource, scope and component.",
          {"component", "dry_run", "group", "resource", "scope", "subresource", "verb", "version"}, DurationBuckets())),
      sizes_(registry->AddHistogram(
          "apiserver_response_sizes",
          "Response size distribution in bytes for each group, version, verb, resource, subresource, scope and "
          "component.",
          {"component", "group", "resource", "scope", "subresource", "verb", "version"},
          base::metrics::ExponentialBuckets(1000, 10, 8))),
      id_(next_id.fetch_add(1)) {}

RequestMetrics& RequestMetrics::Default() {
  static RequestMetrics* const metrics = new RequestMetrics(&base::metrics::Registry::Default());
  return *metrics;
}

RequestMetricLabels MetricLabelsFor(const http::Request& request, const RequestInfo* info, int code) {
  RequestMetricLabels l;
  l.dry_run = DryRun(request);
  std::string verb = absl::AsciiStrToUpper(request.method);
  if (info != nullptr && info->is_resource_request) {
    l.component = "apiserver";
    l.group = info->api_group;
    l.version = info->api_version;
    l.resource = info->resource;
    l.subresource = info->subresource;
    // kube's CleanScope.
    if (!info->name.empty() || info->verb == "create") {
      l.scope = "resource";
    } else if (!info->namespace_name.empty()) {
      l.scope = "namespace";
    } else {
      l.scope = "cluster";
    }
    // kube's CanonicalVerb and CleanVerb.
    if ((verb == "GET" || verb == "HEAD") && l.scope != "resource") verb = "LIST";
    if (verb == "HEAD") verb = "GET";
    if (info->verb == "watch") verb = "WATCH";
    if (verb == "PATCH" && request.headers.Get("Content-Type") == "application/apply-patch+yaml") verb = "APPLY";
  } else {
    l.subresource = info != nullptr ? info->path : request.path;
    if (verb == "HEAD") verb = "GET";
  }
  l.verb = IsValidVerb(verb) ? verb : "other";
  if (code == 404) {
    l.group.clear();
    l.version.clear();
    l.resource.clear();
    l.subresource.clear();
  }
  return l;
}

http::HandlerPtr WithRequestMetrics(http::HandlerPtr next, RequestMetrics* metrics) {
  return http::HandlerFunc([next = std::move(next), metrics](http::RequestPtr request, http::ResponseWriter writer) {
    // Latency is measured on the request's executor clock (the wall clock in production), from when it arrived.
    auto now = [executor = request->executor] { return executor != nullptr ? executor->Now() : absl::Now(); };
    const absl::Time start = request->received_time != absl::InfinitePast() ? request->received_time : now();
    writer.OnComplete([metrics, request, start, now](const http::Completion& done) {
      const RequestMetricLabels labels = MetricLabelsFor(*request, request->Context<RequestInfo>(), done.status);
      const Series series = LookUp(metrics, labels, done.status);
      series.total->Inc();
      series.duration->Observe(absl::ToDoubleSeconds(now() - start));
      series.sizes->Observe(static_cast<double>(done.body_bytes));
    });
    next->Serve(std::move(request), std::move(writer));
  });
}

}  // namespace apiserve::chain
