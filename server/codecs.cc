#include "server/codecs.h"

#include <memory>

#include "base/logger.h"
#include "http1/codec.h"
#include "http2/codec.h"

namespace apiserve::server {

CodecFactory DefaultCodecFactory(http1::Options http1_options, http2::Options http2_options) {
  return [http1_options, http2_options](absl::string_view alpn,
                                        const http::CodecContext& context) -> std::unique_ptr<http::ServerCodec> {
    if (alpn == "h2") {
      auto codec = http2::Codec::Create(context, http2_options);
      if (codec.ok()) return *std::move(codec);
      // Options are validated at start, so this is an nghttp2 allocation failure. The HTTP/1.1 codec answers the
      // client's HTTP/2 preface with 400 and closes the connection.
      LOG(ERROR) << "cannot create an HTTP/2 session: " << codec.status().message();
    }
    return std::make_unique<http1::Codec>(context, http1_options);
  };
}

}  // namespace apiserve::server
