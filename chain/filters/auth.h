#ifndef APISERVE_CHAIN_FILTERS_AUTH_H_
#define APISERVE_CHAIN_FILTERS_AUTH_H_

// The authentication and authorization slots of the filter chain (kube's WithAuthentication / WithAuthorization).
//
// The interfaces they call live in auth/ (auth::Authenticator, auth::Authorizer, auth::UserInfo); the concrete
// authenticators and authorizers built from flags (x509, request-header, token file, Bootstrap, ...) too. The slots
// default to kube's defaults: anonymous allowed (system:anonymous in system:unauthenticated) and AlwaysAllow.
//
// Asynchronous authenticators and authorizers (webhooks: auth::Authenticator::IsAsync) park the request: the filter
// continues it in their callback, on the connection's loop, while the loop serves other requests. A request whose
// writer completed meanwhile (the request timeout answered 504, or the client went away) is dropped when the callback
// runs. Synchronous ones are called directly, with no callback and nothing allocated per request.
//
// Threading: the filters run on the connection's loop; authenticators and authorizers are shared by every loop.

#include <memory>

#include "auth/anonymous.h"
#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "auth/authorizers.h"
#include "auth/request_header.h"
#include "auth/user_info.h"
#include "chain/request_info.h"
#include "http/handler.h"

namespace apiserve::chain {

// WithAuthentication attaches the auth::UserInfo (as request->Context<const auth::UserInfo>()), or answers 401
// (kube's Unauthorized Status) on an authentication error or when no authenticator accepted the request (NotFound:
// no credentials and anonymous disabled). Errors other than NotFound are logged ("Unable to authenticate the
// request", as kube).
//
// On success, as kube: the Authorization header is removed, and so are the front-proxy identity headers — the
// standard X-Remote-User / X-Remote-Uid / X-Remote-Group / X-Remote-Extra-* always, and those of the request-header
// settings `request_header_config` gives for this request (may be null: none configured; a dynamic provider, fed by
// the cluster's ConfigMap, is asked per request, so headers it names later are removed too) — whichever
// authenticator succeeded, so no handler ever sees identity headers a client sent.
//
// With `http2_dos_mitigation` (kube's UnauthenticatedHTTP2DOSMitigation feature gate, on by default since 1.29),
// an HTTP/2 request that is anonymous (auth::IsAnonymous) or answered 401 gets `Connection: close`, which the
// HTTP/2 codec turns into a graceful GOAWAY after that stream: an unauthenticated client gets one request per
// connection. HTTP/1.x requests are never touched.
http::HandlerPtr WithAuthentication(
    http::HandlerPtr next, std::shared_ptr<const auth::Authenticator> authenticator, bool http2_dos_mitigation = true,
    std::shared_ptr<const auth::RequestHeaderConfigProvider> request_header_config = nullptr);
// WithAuthentication with request-header settings fixed at start (auth::StaticRequestHeaderConfig).
http::HandlerPtr WithAuthentication(http::HandlerPtr next, std::shared_ptr<const auth::Authenticator> authenticator,
                                    bool http2_dos_mitigation,
                                    std::shared_ptr<const auth::RequestHeaderConfig> request_header_config);

// AuthorizationAttributes fills kube's authorizer.Attributes for `user` from `info`. The result borrows both.
auth::Attributes AuthorizationAttributes(const auth::UserInfo& user, const RequestInfo& info);

// WithAuthorization answers 403 (kube's Forbidden Status naming user, verb and path, with the authorizer's reason)
// unless `authorizer` allows the request's attributes (the user attached by WithAuthentication, else
// system:anonymous; the request info attached by WithRequestInfo, else parsed here). An authorizer error without an
// allow (a failed SubjectAccessReview) is kube's responsewriters.InternalError: 500, text/plain,
// `Internal Server Error: "<request URI>": <error>`.
http::HandlerPtr WithAuthorization(http::HandlerPtr next, std::shared_ptr<const auth::Authorizer> authorizer);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_FILTERS_AUTH_H_
