#ifndef APISERVE_CHAIN_FILTERS_ACCESS_LOG_H_
#define APISERVE_CHAIN_FILTERS_ACCESS_LOG_H_

// WithAccessLog logs every request at -v=3 when it completes, in the spirit of kube's httplog:
//   "HTTP" verb="GET" URI="/healthz" latency="1.2ms" userAgent="curl/7.88.1" audit-ID="..." srcIP="127.0.0.1:5555"
//   resp=200 protocol="HTTP/2.0"
// Nothing is formatted when -v is below 3.

#include "http/handler.h"

namespace apiserve::chain {

http::HandlerPtr WithAccessLog(http::HandlerPtr next);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_FILTERS_ACCESS_LOG_H_
