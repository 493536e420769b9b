#include "server/codecs.h"

#include <memory>

#include "http1/codec.h"
#include "http2/codec.h"

namespace apiserve::server {

CodecFactory DefaultCodecFactory(http1::Options http1_options, http2::Options http2_options) {
  return [http1_options, http2_options](
             absl::string_view alpn,
             const http::CodecContext& context) -> absl::StatusOr<std::unique_ptr<http::ServerCodec>> {
    if (alpn == "h2") {
      absl::StatusOr<std::unique_ptr<http2::Codec>> codec = http2::Codec::Create(context, http2_options);
      if (!codec.ok()) return codec.status();  // options are validated at start: an nghttp2 allocation failure
      return std::unique_ptr<http::ServerCodec>(*std::move(codec));
    }
    return std::unique_ptr<http::ServerCodec>(std::make_unique<http1::Codec>(context, http1_options));
  };
}

}  // namespace apiserve::server
