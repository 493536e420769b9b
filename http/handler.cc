#include "http/handler.h"

namespace apiserve::http {

HandlerPtr StaticHandler(ResponsePtr response) {
  return HandlerFunc(
      [response = std::move(response)](RequestPtr, ResponseWriter writer) { writer.Send(response).IgnoreError(); });
}

}  // namespace apiserve::http
