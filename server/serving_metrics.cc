#include "server/serving_metrics.h"

#include <string>
#include <utility>
#include <vector>

namespace apiserve::server {

using base::metrics::FamilySnapshot;
using base::metrics::MetricType;
using base::metrics::Sample;

namespace {

Sample Labelled(const char* name, const std::string& value, uint64_t count) {
  return Sample{"", {{name, value}}, static_cast<double>(count)};
}

}  // namespace

base::metrics::Collector ServingCollector(const std::atomic<SecureServer*>* server) {
  return [server](std::vector<FamilySnapshot>* out) {
    const SecureServer* s = server->load(std::memory_order_acquire);
    if (s == nullptr) return;
    const ConnectionCounters c = s->ScrapeCounters();
    out->push_back({"apiserve_connections_accepted_total",
                    "Number of TCP connections accepted.",
                    MetricType::kCounter,
                    {Sample{"", {}, static_cast<double>(c.accepted)}}});
    out->push_back({"apiserve_connections_evicted_total",
                    "Number of idle connections closed to admit a new one at --max-connections.",
                    MetricType::kCounter,
                    {Sample{"", {}, static_cast<double>(c.evictions)}}});
    out->push_back({"apiserve_connections_refused_total",
                    "Number of new connections closed at --max-connections because no connection was idle.",
                    MetricType::kCounter,
                    {Sample{"", {}, static_cast<double>(c.refusals)}}});
    out->push_back({"apiserve_connection_codec_failures_total",
                    "Number of connections closed after the handshake because their HTTP codec could not be made.",
                    MetricType::kCounter,
                    {Sample{"", {}, static_cast<double>(c.codec_failures)}}});
    out->push_back({"apiserve_connection_internal_errors_total",
                    "Number of connections closed because a library call (libuv, BoringSSL, nghttp2) failed.",
                    MetricType::kCounter,
                    {Sample{"", {}, static_cast<double>(c.internal_errors)}}});
    out->push_back({"apiserve_open_connections",
                    "Number of open connections by negotiated protocol.",
                    MetricType::kGauge,
                    {Labelled("protocol", "h2", c.open_http2), Labelled("protocol", "http/1.1", c.open_http1)}});
    out->push_back({"apiserve_connection_timeouts_total",
                    "Number of connections closed by a timeout, by phase.",
                    MetricType::kCounter,
                    {Labelled("phase", "handshake", c.handshake_timeouts), Labelled("phase", "idle", c.idle_closes),
                     Labelled("phase", "read_header", c.read_header_timeouts)}});
    FamilySnapshot floods{"apiserve_http2_floods_total",
                          "Number of HTTP/2 connections answered with GOAWAY(ENHANCE_YOUR_CALM), by flood kind.",
                          MetricType::kCounter,
                          {}};
    for (size_t i = 0; i < http::kFloodKinds; ++i) {
      floods.samples.push_back(Labelled("kind", std::string(http::kFloodKindNames[i]), c.floods[i]));
    }
    out->push_back(std::move(floods));
    out->push_back({"apiserve_http2_goaways_sent_total",
                    "Number of HTTP/2 GOAWAY frames sent on closed connections, graceful (NO_ERROR) or error.",
                    MetricType::kCounter,
                    {Labelled("kind", "error", c.error_goaways_sent),
                     Labelled("kind", "graceful", c.goaways_sent - c.error_goaways_sent)}});
    out->push_back({"apiserve_http2_resets_received_total",
                    "Number of RST_STREAM frames received on closed HTTP/2 connections.",
                    MetricType::kCounter,
                    {Sample{"", {}, static_cast<double>(c.resets_received)}}});
  };
}

base::metrics::Collector TlsCollector(const tls::HandshakeErrorCounters* errors) {
  return [errors](std::vector<FamilySnapshot>* out) {
    out->push_back({"apiserver_tls_handshake_errors_total",
                    "[ALPHA] Number of requests dropped with 'TLS handshake error from' error",
                    MetricType::kCounter,
                    {Sample{"", {}, static_cast<double>(errors->Total())}}});
    FamilySnapshot by_kind{"apiserve_tls_handshake_errors_by_kind_total",
                           "Number of failed TLS handshakes by kind.",
                           MetricType::kCounter,
                           {}};
    for (size_t i = 0; i < tls::kHandshakeErrorKinds; ++i) {
      const auto kind = static_cast<tls::HandshakeErrorKind>(i);
      by_kind.samples.push_back(Labelled("kind", std::string(tls::HandshakeErrorKindName(kind)), errors->Count(kind)));
    }
    out->push_back(std::move(by_kind));
  };
}

}  // namespace apiserve::server
