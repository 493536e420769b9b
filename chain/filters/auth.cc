#include "chain/filters/auth.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/go_quote.h"
#include "base/logger.h"
#include "http/kube_status.h"

namespace apiserve::chain {
namespace {

// Authenticated finishes WithAuthentication once `user` is known: 401, or the user attached and the credentials
// removed before `next` serves the request. On the connection's loop.
void Authenticated(absl::StatusOr<auth::UserPtr> user, http::Handler& next, http::RequestPtr request,
                   http::ResponseWriter writer, bool http2_dos_mitigation,
                   const auth::RequestHeaderConfigProvider* request_header_config) {
  static const http::ResponsePtr* const kUnauthorized =
      new http::ResponsePtr(http::Shared(http::UnauthorizedResponse()));
  // kube's UnauthenticatedHTTP2DOSMitigation: one request per connection for unauthenticated HTTP/2 clients.
  const bool demote =
      http2_dos_mitigation && request->protocol == http::Protocol::kHttp2 && (!user.ok() || auth::IsAnonymous(**user));
  if (demote) writer.AddResponseHeader("Connection", "close");
  if (!user.ok()) {
    if (!absl::IsNotFound(user.status())) {
      // kube's klog.ErrorS(err, "Unable to authenticate the request"): a structured line.
      LOG(ERROR) << "\"Unable to authenticate the request\" err=" << base::GoQuote(user.status().message());
    }
    writer.Send(*kUnauthorized).IgnoreError();
    return;
  }
  // The credentials are not needed any more: no handler (or proxy behind it) gets to see them.
  request->headers.Remove("Authorization");
  auth::ClearAuthenticationHeaders(&request->headers, auth::RequestHeaderConfig::StandardHeaders());
  if (request_header_config != nullptr) {
    // The settings in force now (the ConfigMap may have named other headers since start): a shared_ptr copy, no
    // allocation.
    const std::shared_ptr<const auth::RequestHeaderConfig> current = request_header_config->Current();
    if (current != nullptr) auth::ClearAuthenticationHeaders(&request->headers, *current);
  }
  request->SetContext(*std::move(user));
  next.Serve(std::move(request), std::move(writer));
}

// InternalErrorResponse is kube's responsewriters.InternalError: Go's http.Error with
// `Internal Server Error: "<RequestURI>": <err>` (HTML-escaped as kube's sanitizer does).
http::Response InternalErrorResponse(const http::Request& request, absl::string_view error) {
  const std::string text = absl::StrCat("Internal Server Error: ", base::GoQuote(request.target), ": ", error);
  return http::TextResponse(
      500, absl::StrCat(absl::StrReplaceAll(text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}}), "\n"));
}

// Authorized finishes WithAuthorization once `result` is known: `next` serves an allowed request; an error without
// an allow is 500 (kube: "an authorizer like RBAC could encounter evaluation errors and still allow the request");
// anything else is 403 with the reason.
void Authorized(const auth::AuthorizationResult& result, const auth::UserInfo& who, const RequestInfo& request_info,
                http::Handler& next, http::RequestPtr request, http::ResponseWriter writer) {
  if (result.decision == auth::Decision::kAllow) {
    next.Serve(std::move(request), std::move(writer));
    return;
  }
  if (!result.error.ok()) {
    LOG(ERROR) << "\"Authorization failed\" URI=" << base::GoQuote(request->target)
               << " err=" << base::GoQuote(result.error.message());
    writer.Send(InternalErrorResponse(*request, result.error.message())).IgnoreError();
    return;
  }
  VLOG(4) << "\"Forbidden\" URI=" << base::GoQuote(request->target) << " reason=" << base::GoQuote(result.reason);
  http::ForbiddenRequest forbidden;
  forbidden.user = who.name;
  forbidden.verb = request_info.verb;
  forbidden.path = request->path;
  forbidden.resource_request = request_info.is_resource_request;
  forbidden.api_group = request_info.api_group;
  forbidden.resource = request_info.resource;
  forbidden.subresource = request_info.subresource;
  forbidden.namespace_name = request_info.namespace_name;
  forbidden.name = request_info.name;
  forbidden.reason = result.reason;
  writer.Send(http::ForbiddenResponse(forbidden)).IgnoreError();
}

const auth::UserInfo& Nobody() {
  static const auth::UserInfo& kNobody = *auth::AnonymousUserInfo();  // the static user outlives the pointer
  return kNobody;
}

}  // namespace

http::HandlerPtr WithAuthentication(http::HandlerPtr next, std::shared_ptr<const auth::Authenticator> authenticator,
                                    bool http2_dos_mitigation,
                                    std::shared_ptr<const auth::RequestHeaderConfig> request_header_config) {
  return WithAuthentication(
      std::move(next), std::move(authenticator), http2_dos_mitigation,
      request_header_config != nullptr ? auth::StaticRequestHeaderConfig(std::move(request_header_config)) : nullptr);
}

http::HandlerPtr WithAuthentication(http::HandlerPtr next, std::shared_ptr<const auth::Authenticator> authenticator,
                                    bool http2_dos_mitigation,
                                    std::shared_ptr<const auth::RequestHeaderConfigProvider> request_header_config) {
  if (!authenticator->IsAsync()) {
    // Synchronous authenticators: no callback, nothing allocated per request.
    return http::HandlerFunc([next = std::move(next), authenticator = std::move(authenticator), http2_dos_mitigation,
                              request_header_config = std::move(request_header_config)](http::RequestPtr request,
                                                                                        http::ResponseWriter writer) {
      absl::StatusOr<auth::UserPtr> user = authenticator->Authenticate(*request);
      Authenticated(std::move(user), *next, std::move(request), std::move(writer), http2_dos_mitigation,
                    request_header_config.get());
    });
  }
  return http::HandlerFunc([next = std::move(next), authenticator = std::move(authenticator), http2_dos_mitigation,
                            request_header_config = std::move(request_header_config)](http::RequestPtr request,
                                                                                      http::ResponseWriter writer) {
    const http::Request& borrowed = *request;  // kept alive by the callback until it runs
    authenticator->AuthenticateAsync(
        borrowed, [next, request = std::move(request), writer = std::move(writer), http2_dos_mitigation,
                   request_header_config](absl::StatusOr<auth::UserPtr> user) mutable {
          // The request timed out or its client went away while it waited: nobody is listening any more.
          if (writer.done()) return;
          Authenticated(std::move(user), *next, std::move(request), std::move(writer), http2_dos_mitigation,
                        request_header_config.get());
        });
  });
}

auth::Attributes AuthorizationAttributes(const auth::UserInfo& user, const RequestInfo& info) {
  auth::Attributes attributes;
  attributes.user = &user;
  attributes.verb = info.verb;
  attributes.namespace_name = info.namespace_name;
  attributes.resource = info.resource;
  attributes.subresource = info.subresource;
  attributes.name = info.name;
  attributes.api_group = info.api_group;
  attributes.api_version = info.api_version;
  attributes.path = info.path;
  attributes.resource_request = info.is_resource_request;
  return attributes;
}

http::HandlerPtr WithAuthorization(http::HandlerPtr next, std::shared_ptr<const auth::Authorizer> authorizer) {
  if (!authorizer->IsAsync()) {
    // Synchronous authorizers: no callback, nothing allocated per request.
    return http::HandlerFunc([next = std::move(next), authorizer = std::move(authorizer)](http::RequestPtr request,
                                                                                          http::ResponseWriter writer) {
      const auth::UserInfo* user = request->Context<const auth::UserInfo>();
      const RequestInfo* info = request->Context<RequestInfo>();
      const RequestInfo parsed = info != nullptr ? RequestInfo() : ParseRequestInfo(*request);
      const RequestInfo& request_info = info != nullptr ? *info : parsed;
      const auth::UserInfo& who = user != nullptr ? *user : Nobody();
      auth::AuthorizationResult result;
      result.decision = authorizer->Authorize(AuthorizationAttributes(who, request_info), &result.reason);
      Authorized(result, who, request_info, *next, std::move(request), std::move(writer));
    });
  }
  return http::HandlerFunc([next = std::move(next), authorizer = std::move(authorizer)](http::RequestPtr request,
                                                                                        http::ResponseWriter writer) {
    // What the attributes borrow lives here until the callback has run: the request (its user and request info)
    // and, when no filter attached request info, the parsed copy.
    struct Pending {
      http::HandlerPtr next;
      http::RequestPtr request;
      http::ResponseWriter writer;
      RequestInfo parsed;
      const RequestInfo* info = nullptr;
      const auth::UserInfo* who = nullptr;
      auth::Attributes attributes;
    };
    auto pending = std::make_unique<Pending>();
    Pending& p = *pending;
    p.next = next;
    p.info = request->Context<RequestInfo>();
    if (p.info == nullptr) {
      p.parsed = ParseRequestInfo(*request);
      p.info = &p.parsed;
    }
    const auth::UserInfo* user = request->Context<const auth::UserInfo>();
    p.who = user != nullptr ? user : &Nobody();
    p.attributes = AuthorizationAttributes(*p.who, *p.info);
    base::Executor* executor = request->executor;
    p.request = std::move(request);
    p.writer = std::move(writer);
    authorizer->AuthorizeAsync(
        p.attributes, executor, [pending = std::move(pending)](auth::AuthorizationResult result) {
          Pending& state = *pending;
          // Timed out or the client went away while it waited: nobody is listening.
          if (state.writer.done()) return;
          Authorized(result, *state.who, *state.info, *state.next, std::move(state.request), std::move(state.writer));
        });
  });
}

}  // namespace apiserve::chain
