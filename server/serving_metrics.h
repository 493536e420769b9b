#ifndef APISERVE_SERVER_SERVING_METRICS_H_
#define APISERVE_SERVER_SERVING_METRICS_H_

// Collectors for what the serving layer counts, read at scrape time (base::metrics::Registry::AddCollector):
//
//   apiserver_tls_handshake_errors_total                  counter  kube's (ALPHA), every failed handshake
//   apiserve_tls_handshake_errors_by_kind_total{kind}     counter  the same, by tls::HandshakeErrorKind name
//   apiserve_connections_accepted_total                   counter
//   apiserve_connections_evicted_total                    counter  idle ones closed to admit one at --max-connections
//   apiserve_connections_refused_total                    counter  new ones closed at --max-connections (none idle)
//   apiserve_connection_codec_failures_total               counter  closed after the handshake: no codec could be made
//   apiserve_connection_internal_errors_total             counter  closed because a libuv/BoringSSL/nghttp2 call failed
//   apiserve_open_connections{protocol}                   gauge    "http/1.1" or "h2" (after the handshake)
//   apiserve_connection_timeouts_total{phase}             counter  handshake, read_header, idle
//   apiserve_http2_floods_total{kind}                     counter  GOAWAY(ENHANCE_YOUR_CALM) answers, by flood
//   apiserve_http2_goaways_sent_total{kind}               counter  graceful (NO_ERROR) or error
//   apiserve_http2_resets_received_total                  counter  RST_STREAM frames from clients
//
// kube's names where kube has the metric; our own (`apiserve_` prefix) otherwise, so nobody mistakes them for
// kube's. HTTP/2 codec counters join the sums when their connection closes (a flood closes it at once).
// Thread-safe: the collectors read atomics and may run on an event loop (the /metrics handler).

#include <atomic>

#include "base/metrics/registry.h"
#include "server/secure_server.h"
#include "tls/handshake_error.h"

namespace apiserve::server {

// ServingCollector reads the server `*server` points to (null before serving and after it stops: nothing is
// reported). `server` is borrowed and must outlive the collector.
base::metrics::Collector ServingCollector(const std::atomic<SecureServer*>* server);

// TlsCollector reads `errors` (borrowed; must outlive the collector).
base::metrics::Collector TlsCollector(const tls::HandshakeErrorCounters* errors);

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_SERVING_METRICS_H_
