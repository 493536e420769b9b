#include "chain/filters/auth.h"

#include <utility>

#include "base/go_quote.h"
#include "base/logger.h"
#include "http/kube_status.h"

namespace apiserve::chain {

http::HandlerPtr WithAuthentication(http::HandlerPtr next, std::shared_ptr<const auth::Authenticator> authenticator,
                                    bool http2_dos_mitigation,
                                    std::shared_ptr<const auth::RequestHeaderConfig> request_header_config) {
  static const http::ResponsePtr* const kUnauthorized =
      new http::ResponsePtr(http::Shared(http::UnauthorizedResponse()));
  return http::HandlerFunc([next = std::move(next), authenticator = std::move(authenticator), http2_dos_mitigation,
                            request_header_config = std::move(request_header_config)](http::RequestPtr request,
                                                                                      http::ResponseWriter writer) {
    absl::StatusOr<auth::UserPtr> user = authenticator->Authenticate(*request);
    // kube's UnauthenticatedHTTP2DOSMitigation: one request per connection for unauthenticated HTTP/2 clients.
    const bool demote = http2_dos_mitigation && request->protocol == http::Protocol::kHttp2 &&
                        (!user.ok() || auth::IsAnonymous(**user));
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
    if (request_header_config != nullptr) auth::ClearAuthenticationHeaders(&request->headers, *request_header_config);
    request->SetContext(*std::move(user));
    next->Serve(std::move(request), std::move(writer));
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
  return http::HandlerFunc([next = std::move(next), authorizer = std::move(authorizer)](http::RequestPtr request,
                                                                                        http::ResponseWriter writer) {
    const auth::UserInfo* user = request->Context<const auth::UserInfo>();
    const RequestInfo* info = request->Context<RequestInfo>();
    const RequestInfo parsed = info != nullptr ? RequestInfo() : ParseRequestInfo(*request);
    const RequestInfo& request_info = info != nullptr ? *info : parsed;
    static const auth::UserInfo& kNobody = *auth::AnonymousUserInfo();  // the static user outlives the pointer
    const auth::UserInfo& who = user != nullptr ? *user : kNobody;
    std::string reason;
    if (authorizer->Authorize(AuthorizationAttributes(who, request_info), &reason) != auth::Decision::kAllow) {
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
      forbidden.reason = reason;
      writer.Send(http::ForbiddenResponse(forbidden)).IgnoreError();
      return;
    }
    next->Serve(std::move(request), std::move(writer));
  });
}

}  // namespace apiserve::chain
