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

// Authentication is WithAuthentication's configuration, shared by its handler and the callbacks it leaves behind.
struct Authentication {
  http::HandlerPtr next;
  std::shared_ptr<const auth::Authenticator> authenticator;
  bool http2_dos_mitigation;
  std::shared_ptr<const auth::RequestHeaderConfigProvider> request_header_config;  // may be null

  // Finish completes the request once `user` is known: 401, or the user attached and the credentials removed before
  // `next` serves the request. On the connection's loop.
  void Finish(absl::StatusOr<auth::UserPtr> user, http::RequestPtr request, http::ResponseWriter writer) const;
};

void Authentication::Finish(absl::StatusOr<auth::UserPtr> user, http::RequestPtr request,
                            http::ResponseWriter writer) const {
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
  next->Serve(std::move(request), std::move(writer));
}

// InternalErrorResponse is kube's responsewriters.InternalError: Go's http.Error with
// `Internal Server Error: "<RequestURI>": <err>` (HTML-escaped as kube's sanitizer does).
http::Response InternalErrorResponse(const http::Request& request, absl::string_view error) {
  const std::string text = absl::StrCat("Internal Server Error: ", base::GoQuote(request.target), ": ", error);
  return http::TextResponse(
      500, absl::StrCat(absl::StrReplaceAll(text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}}), "\n"));
}

const auth::UserInfo& Nobody() {
  static const auth::UserInfo& kNobody = *auth::AnonymousUserInfo();  // the static user outlives the pointer
  return kNobody;
}

// AuthorizationSubject holds what WithAuthorization asks the authorizer about `request`: the user WithAuthentication
// attached (else system:anonymous) and the request info WithRequestInfo attached (else parsed here, into `parsed`).
// `attributes` borrows the request and `parsed`, so the subject neither copies nor moves.
struct AuthorizationSubject {
  explicit AuthorizationSubject(const http::Request& request)
      : parsed(request.Context<RequestInfo>() != nullptr ? RequestInfo() : ParseRequestInfo(request)) {
    const RequestInfo* info = request.Context<RequestInfo>();
    const auth::UserInfo* user = request.Context<const auth::UserInfo>();
    attributes = AuthorizationAttributes(user != nullptr ? *user : Nobody(), info != nullptr ? *info : parsed);
  }
  AuthorizationSubject(const AuthorizationSubject&) = delete;
  AuthorizationSubject& operator=(const AuthorizationSubject&) = delete;

  RequestInfo parsed;
  auth::Attributes attributes;
};

// Authorized finishes WithAuthorization once `result` is known for `attributes`: `next` serves an allowed request;
// an error without an allow is 500 (kube: "an authorizer like RBAC could encounter evaluation errors and still allow
// the request"); anything else is 403 with the reason.
void Authorized(const auth::AuthorizationResult& result, const auth::Attributes& attributes, http::Handler& next,
                http::RequestPtr request, http::ResponseWriter writer) {
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
  // In http::ForbiddenRequest's order: user, verb, path, resource_request, api_group, resource, subresource,
  // namespace_name, name, reason.
  const http::ForbiddenRequest forbidden{
      attributes.user->name, attributes.verb,     request->path,          attributes.resource_request,
      attributes.api_group,  attributes.resource, attributes.subresource, attributes.namespace_name,
      attributes.name,       result.reason};
  writer.Send(http::ForbiddenResponse(forbidden)).IgnoreError();
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
  auto filter = std::make_shared<const Authentication>(Authentication{
      std::move(next), std::move(authenticator), http2_dos_mitigation, std::move(request_header_config)});
  if (!filter->authenticator->IsAsync()) {
    // Synchronous authenticators: no callback, nothing allocated per request.
    return http::HandlerFunc([filter](http::RequestPtr&& request, http::ResponseWriter&& writer) {
      absl::StatusOr<auth::UserPtr> user = filter->authenticator->Authenticate(*request);
      filter->Finish(std::move(user), std::move(request), std::move(writer));
    });
  }
  return http::HandlerFunc([filter](http::RequestPtr&& request, http::ResponseWriter&& writer) {
    const http::Request& borrowed = *request;  // kept alive by the callback until it runs
    filter->authenticator->AuthenticateAsync(
        borrowed,
        [filter, request = std::move(request), writer = std::move(writer)](absl::StatusOr<auth::UserPtr> user) mutable {
          // The request timed out or its client went away while it waited: nobody is listening any more.
          if (writer.done()) return;
          filter->Finish(std::move(user), std::move(request), std::move(writer));
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
    return http::HandlerFunc([next = std::move(next), authorizer = std::move(authorizer)](
                                 http::RequestPtr&& request, http::ResponseWriter&& writer) {
      const AuthorizationSubject subject(*request);
      auth::AuthorizationResult result;
      result.decision = authorizer->Authorize(subject.attributes, &result.reason);
      Authorized(result, subject.attributes, *next, std::move(request), std::move(writer));
    });
  }
  return http::HandlerFunc([next = std::move(next), authorizer = std::move(authorizer)](http::RequestPtr&& request,
                                                                                        http::ResponseWriter&& writer) {
    // What the attributes borrow lives here until the callback has run: the request (its user and request info)
    // and the subject (the request info parsed here, if any).
    struct Pending {
      Pending(http::HandlerPtr next, http::RequestPtr request, http::ResponseWriter writer)
          : next(std::move(next)), request(std::move(request)), writer(std::move(writer)), subject(*this->request) {}
      http::HandlerPtr next;
      http::RequestPtr request;
      http::ResponseWriter writer;
      AuthorizationSubject subject;
    };
    base::Executor* executor = request->executor;
    auto pending = std::make_unique<Pending>(next, std::move(request), std::move(writer));
    const auth::Attributes& attributes = pending->subject.attributes;
    authorizer->AuthorizeAsync(attributes, executor, [pending = std::move(pending)](auth::AuthorizationResult result) {
      // Timed out or the client went away while it waited: nobody is listening.
      if (pending->writer.done()) return;
      Authorized(result, pending->subject.attributes, *pending->next, std::move(pending->request),
                 std::move(pending->writer));
    });
  });
}

}  // namespace apiserve::chain
