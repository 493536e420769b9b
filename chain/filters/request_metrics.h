#ifndef APISERVE_CHAIN_FILTERS_REQUEST_METRICS_H_
#define APISERVE_CHAIN_FILTERS_REQUEST_METRICS_H_

// WithRequestMetrics records kube's request metrics for every request when it completes (an on-complete hook):
//
//   apiserver_request_total{code,component,dry_run,group,resource,scope,subresource,verb,version}   counter
//   apiserver_request_duration_seconds{component,dry_run,group,resource,scope,subresource,verb,version}  histogram
//   apiserver_response_sizes{component,group,resource,scope,subresource,verb,version}              histogram
//
// Labels follow kube's endpoints/metrics (see RequestMetricLabels). kube instruments handlers, we instrument the
// chain, so every request is counted, including 429s from max-in-flight and 404s. So that clients cannot mint
// series at will, 404 answers are recorded with empty group, version, resource and subresource.
//
// Cost: one label-key string and one thread-local hash lookup per request; the series (three atomics' homes) are
// looked up in the registry under its lock only the first time a thread sees a label combination.
// Must run inside WithRequestInfo (it reads RequestInfo) and WithRequestReceivedTimestamp (latency starts there).

#include <cstdint>
#include <string>

#include "base/metrics/registry.h"
#include "chain/request_info.h"
#include "http/handler.h"

namespace apiserve::chain {

// RequestMetrics holds the three families in a registry. Thread-safe; lives as long as the registry.
class RequestMetrics {
 public:
  explicit RequestMetrics(base::metrics::Registry* registry);
  // Default records into base::metrics::Registry::Default(). Never destroyed.
  static RequestMetrics& Default();

  base::metrics::CounterFamily* total() const { return total_; }
  base::metrics::HistogramFamily* duration() const { return duration_; }
  base::metrics::HistogramFamily* response_sizes() const { return sizes_; }
  // id distinguishes instances in the per-thread series caches.
  uint64_t id() const { return id_; }

 private:
  base::metrics::CounterFamily* total_;
  base::metrics::HistogramFamily* duration_;
  base::metrics::HistogramFamily* sizes_;
  uint64_t id_;
};

// RequestMetricLabels are the label values kube computes for one request.
struct RequestMetricLabels {
  std::string verb;         // LIST, GET, WATCH, POST, PUT, PATCH, APPLY, DELETE, ...; "other" for unknown methods
  std::string dry_run;      // "All", "" or "invalid"
  std::string group;        // resource requests only
  std::string version;      //
  std::string resource;     //
  std::string subresource;  // the path for non-resource requests ("/healthz"), as kube's health handlers
  std::string scope;        // resource, namespace, cluster; "" for non-resource requests
  std::string component;    // "apiserver" for resource requests, "" otherwise
};

// RequestMetricLabels computes the labels for `request` (`info` may be null: treated as non-resource) answered with
// `code`.
RequestMetricLabels MetricLabelsFor(const http::Request& request, const RequestInfo* info, int code);

// `metrics` is borrowed and must outlive the handler.
http::HandlerPtr WithRequestMetrics(http::HandlerPtr next, RequestMetrics* metrics);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_FILTERS_REQUEST_METRICS_H_
