#ifndef APISERVE_HTTP_HANDLER_H_
#define APISERVE_HTTP_HANDLER_H_

// http::Handler answers requests; http::Router is where handlers are registered by path (chain::PathMux implements
// it; healthz installs its endpoints on one).

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "http/request.h"
#include "http/response_writer.h"

namespace apiserve::http {

class Handler {
 public:
  virtual ~Handler() = default;
  // Serve answers `request` through `writer`, now or later (the writer may move to any thread). Called on the
  // connection's loop: it must not block.
  virtual void Serve(RequestPtr request, ResponseWriter writer) = 0;
};

using HandlerPtr = std::shared_ptr<Handler>;

// HandlerFunc adapts a callable `void(RequestPtr, ResponseWriter)` into a Handler.
template <typename F>
HandlerPtr HandlerFunc(F fn) {
  class FuncHandler : public Handler {
   public:
    explicit FuncHandler(F f) : fn_(std::move(f)) {}
    void Serve(RequestPtr request, ResponseWriter writer) override { fn_(std::move(request), std::move(writer)); }

   private:
    F fn_;
  };
  return std::make_shared<FuncHandler>(std::move(fn));
}

// StaticHandler answers every request with the same prebuilt response (no allocation per request).
HandlerPtr StaticHandler(ResponsePtr response);

class Router {
 public:
  virtual ~Router() = default;
  // Handle registers `handler` for exactly `path`, listed in the index. AlreadyExists if `path` is taken.
  virtual absl::Status Handle(absl::string_view path, HandlerPtr handler) = 0;
  // HandlePrefix registers `handler` for every path under `prefix`, which must end with '/'. Listed.
  virtual absl::Status HandlePrefix(absl::string_view prefix, HandlerPtr handler) = 0;
  // Unlisted variants: served the same, but not shown in the index ("/" and "/index.html" themselves).
  virtual absl::Status UnlistedHandle(absl::string_view path, HandlerPtr handler) = 0;
  virtual absl::Status UnlistedHandlePrefix(absl::string_view prefix, HandlerPtr handler) = 0;
};

}  // namespace apiserve::http

#endif  // APISERVE_HTTP_HANDLER_H_
