#include "chain/filters/auth.h"

#include <algorithm>

#include "base/logger.h"
#include "http/kube_status.h"

namespace apiserve::chain {
namespace {

class Anonymous : public Authenticator {
 public:
  absl::StatusOr<UserPtr> Authenticate(const http::Request&) const override { return AnonymousUserInfo(); }
};

class AlwaysAllow : public Authorizer {
 public:
  Decision Authorize(const UserInfo&, const RequestInfo&) const override { return Decision::kAllow; }
};

}  // namespace

UserPtr AnonymousUserInfo() {
  static const UserPtr* const kAnonymous =
      new UserPtr(std::make_shared<const UserInfo>(UserInfo{kAnonymousUser, "", {kUnauthenticatedGroup}}));
  return *kAnonymous;
}

bool IsAnonymous(const UserInfo& user) {
  return user.name == kAnonymousUser ||
         std::find(user.groups.begin(), user.groups.end(), kUnauthenticatedGroup) != user.groups.end();
}

std::shared_ptr<const Authenticator> AnonymousAuthenticator() { return std::make_shared<Anonymous>(); }
std::shared_ptr<const Authorizer> AlwaysAllowAuthorizer() { return std::make_shared<AlwaysAllow>(); }

http::HandlerPtr WithAuthentication(http::HandlerPtr next, std::shared_ptr<const Authenticator> authenticator,
                                    bool http2_dos_mitigation) {
  static const http::ResponsePtr* const kUnauthorized =
      new http::ResponsePtr(http::Shared(http::UnauthorizedResponse()));
  return http::HandlerFunc([next = std::move(next), authenticator = std::move(authenticator), http2_dos_mitigation](
                               http::RequestPtr request, http::ResponseWriter writer) {
    absl::StatusOr<UserPtr> user = authenticator->Authenticate(*request);
    // kube's UnauthenticatedHTTP2DOSMitigation: one request per connection for unauthenticated HTTP/2 clients.
    const bool demote =
        http2_dos_mitigation && request->protocol == http::Protocol::kHttp2 && (!user.ok() || IsAnonymous(**user));
    if (demote) writer.AddResponseHeader("Connection", "close");
    if (!user.ok()) {
      if (!absl::IsNotFound(user.status())) {
        LOG(ERROR) << "Unable to authenticate the request: " << user.status().message();
      }
      writer.Send(*kUnauthorized).IgnoreError();
      return;
    }
    request->SetContext(*std::move(user));
    next->Serve(std::move(request), std::move(writer));
  });
}

http::HandlerPtr WithAuthorization(http::HandlerPtr next, std::shared_ptr<const Authorizer> authorizer) {
  return http::HandlerFunc([next = std::move(next), authorizer = std::move(authorizer)](http::RequestPtr request,
                                                                                        http::ResponseWriter writer) {
    static const UserInfo kNobody{kAnonymousUser, "", {kUnauthenticatedGroup}};
    const UserInfo* user = request->Context<const UserInfo>();
    const RequestInfo* info = request->Context<RequestInfo>();
    const RequestInfo parsed = info != nullptr ? RequestInfo() : ParseRequestInfo(*request);
    const RequestInfo& attributes = info != nullptr ? *info : parsed;
    const UserInfo& who = user != nullptr ? *user : kNobody;
    if (authorizer->Authorize(who, attributes) != Decision::kAllow) {
      writer.Send(http::ForbiddenResponse(who.name, attributes.verb, request->path)).IgnoreError();
      return;
    }
    next->Serve(std::move(request), std::move(writer));
  });
}

}  // namespace apiserve::chain
