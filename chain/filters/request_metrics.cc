#include "chain/filters/request_metrics.h"

#include <algorithm>
#include <atomic>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

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

// kube's validRequestMethods (endpoints/metrics), upper case: anything else is reported as "other". Returns the
// table's own view (static) for `verb` in any case.
absl::string_view CanonicalVerb(absl::string_view verb) {
  static constexpr absl::string_view kVerbs[] = {"APPLY", "CONNECT", "CREATE", "DELETE", "DELETECOLLECTION",
                                                 "GET",   "HEAD",    "LIST",   "PATCH",  "POST",
                                                 "PROXY", "PUT",     "UPDATE", "WATCH",  "WATCHLIST"};
  for (absl::string_view known : kVerbs) {
    if (absl::EqualsIgnoreCase(known, verb)) return known;
  }
  return "other";
}

// kube's cleanDryRun: the sorted dryRun values if valid (only "All", once), "invalid" otherwise.
absl::string_view DryRun(const http::Request& request) {
  if (request.raw_query.find("dryRun") == std::string::npos) return "";
  std::vector<std::string> values = request.QueryAll("dryRun");
  if (values.empty()) return "";
  if (values.size() != 1 || values[0] != "All") return "invalid";
  return "All";
}

// LabelViews are RequestMetricLabels as views: into the request and its RequestInfo, or static strings. Computing
// them copies nothing; the series cache is looked up with them and copies them only on a miss.
struct LabelViews {
  absl::string_view verb, dry_run, group, version, resource, subresource, scope, component;
};

LabelViews LabelViewsFor(const http::Request& request, const RequestInfo* info, int code) {
  LabelViews l;
  l.dry_run = DryRun(request);
  absl::string_view verb = CanonicalVerb(request.method);
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
    l.subresource = info != nullptr ? absl::string_view(info->path) : absl::string_view(request.path);
    if (verb == "HEAD") verb = "GET";
  }
  l.verb = verb;
  if (code == 404) l.group = l.version = l.resource = l.subresource = "";
  return l;
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
  LabelViews labels;
};

struct SeriesKey {
  uint64_t id;
  int code;
  RequestMetricLabels labels;
  SeriesKeyView View() const {
    const RequestMetricLabels& l = labels;
    return SeriesKeyView{
        id, code, {l.verb, l.dry_run, l.group, l.version, l.resource, l.subresource, l.scope, l.component}};
  }
};

struct SeriesKeyHash {
  using is_transparent = void;
  size_t operator()(const SeriesKeyView& k) const {
    const LabelViews& l = k.labels;
    return absl::Hash<
        std::tuple<uint64_t, int, absl::string_view, absl::string_view, absl::string_view, absl::string_view,
                   absl::string_view, absl::string_view, absl::string_view, absl::string_view>>()(
        std::make_tuple(k.id, k.code, l.verb, l.dry_run, l.group, l.version, l.resource, l.subresource, l.scope,
                        l.component));
  }
  size_t operator()(const SeriesKey& k) const { return (*this)(k.View()); }
};

struct SeriesKeyEq {
  using is_transparent = void;
  static bool Same(const SeriesKeyView& a, const SeriesKeyView& b) {
    const LabelViews& x = a.labels;
    const LabelViews& y = b.labels;
    return a.id == b.id && a.code == b.code && x.verb == y.verb && x.dry_run == y.dry_run && x.group == y.group &&
           x.version == y.version && x.resource == y.resource && x.subresource == y.subresource && x.scope == y.scope &&
           x.component == y.component;
  }
  bool operator()(const SeriesKey& a, const SeriesKey& b) const { return Same(a.View(), b.View()); }
  bool operator()(const SeriesKey& a, const SeriesKeyView& b) const { return Same(a.View(), b); }
  bool operator()(const SeriesKeyView& a, const SeriesKey& b) const { return Same(a, b.View()); }
};

RequestMetricLabels Materialize(const LabelViews& v) {
  return RequestMetricLabels{std::string(v.verb),    std::string(v.dry_run),  std::string(v.group),
                             std::string(v.version), std::string(v.resource), std::string(v.subresource),
                             std::string(v.scope),   std::string(v.component)};
}

Series LookUp(RequestMetrics* metrics, const LabelViews& views, int status) {
  thread_local absl::flat_hash_map<SeriesKey, Series, SeriesKeyHash, SeriesKeyEq> cache;
  // Most requests repeat the previous one's labels (a client polling one resource, a probe): check that first,
  // without hashing. The memo points into the cache, so it is dropped with it.
  thread_local const std::pair<const SeriesKey, Series>* last = nullptr;
  const SeriesKeyView key{metrics->id(), status, views};
  if (last != nullptr && SeriesKeyEq::Same(last->first.View(), key)) return last->second;
  if (auto it = cache.find(key); it != cache.end()) {
    last = &*it;
    return it->second;
  }
  const std::string code = absl::StrCat(status);
  const RequestMetricLabels l = Materialize(views);
  Series series;
  series.total = metrics->total()->WithLabelValues(
      {code, l.component, l.dry_run, l.group, l.resource, l.scope, l.subresource, l.verb, l.version});
  series.duration = metrics->duration()->WithLabelValues(
      {l.component, l.dry_run, l.group, l.resource, l.scope, l.subresource, l.verb, l.version});
  series.sizes = metrics->response_sizes()->WithLabelValues(
      {l.component, l.group, l.resource, l.scope, l.subresource, l.verb, l.version});
  if (cache.size() >= kMaxCached) cache.clear();
  last = nullptr;  // an insert may move every element
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
  return Materialize(LabelViewsFor(request, info, code));
}

http::HandlerPtr WithRequestMetrics(http::HandlerPtr next, RequestMetrics* metrics) {
  return http::HandlerFunc(
      [next = std::move(next), metrics](http::RequestPtr&& request, http::ResponseWriter&& writer) {
        // Latency is measured on the request's clock, from when it arrived (the codec's stamp; see StampReceivedTime).
        http::StampReceivedTime(request.get());
        // The hook captures only the request (it fits AnyInvocable's inline storage: no allocation per request); the
        // metrics travel in the request's context, held without ownership.
        request->SetContext(std::shared_ptr<RequestMetrics>(std::shared_ptr<void>(), metrics));
        writer.OnComplete([request](const http::Completion& done) {
          const LabelViews labels = LabelViewsFor(*request, request->Context<RequestInfo>(), done.status);
          const Series series = LookUp(request->Context<RequestMetrics>(), labels, done.status);
          series.total->Inc();
          // Whole nanoseconds times 1e-9: absl::ToDoubleSeconds goes through FDivDuration, a general Duration division.
          const absl::Duration latency = http::RequestClockNow(*request) - request->received_time;
          series.duration->Observe(static_cast<double>(absl::ToInt64Nanoseconds(latency)) * 1e-9);
          series.sizes->Observe(static_cast<double>(done.body_bytes));
        });
        next->Serve(std::move(request), std::move(writer));
      });
}

}  // namespace apiserve::chain
