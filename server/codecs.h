#ifndef APISERVE_SERVER_CODECS_H_
#define APISERVE_SERVER_CODECS_H_

// DefaultCodecFactory: HTTP/2 when ALPN chose "h2", HTTP/1.1 otherwise (ALPN "http/1.1" or none).

#include "http1/options.h"
#include "http2/options.h"
#include "server/connection.h"

namespace apiserve::server {

CodecFactory DefaultCodecFactory(http1::Options http1_options, http2::Options http2_options);

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_CODECS_H_
