#ifndef APISERVE_AUTH_REQUEST_HEADER_H_
#define APISERVE_AUTH_REQUEST_HEADER_H_

// Request-header (front-proxy) authentication: kube's headerrequest authenticator behind its x509 verifier
// (k8s.io/apiserver/pkg/authentication/request/headerrequest and request/x509).
//
// kube-aggregator proxies to an extension server over TLS with a front-proxy client certificate and puts the user in
// headers:
//
//   X-Remote-User: alice
//   X-Remote-Uid: 1001
//   X-Remote-Group: dev
//   X-Remote-Group: ops
//   X-Remote-Extra-Scopes: view
//   X-Remote-Extra-Example.com%2fteam: blue   → extra {"scopes": ["view"], "example.com/team": ["blue"]}
//
// The headers are trusted only on a connection whose client certificate verified against the request-header CA
// (--requestheader-client-ca-file, verified by tls/ during the connection's set-up: http::ConnectionInfo::
// requestheader_client_certificate) and whose CN is in --requestheader-allowed-names (any CN when empty). Otherwise:
//
//   no certificate, or no request-header CA                 → NotFound (the next authenticator is tried)
//   certificate that did not verify against that CA        → Unauthenticated "verifying certificate ... failed: ..."
//   verified, CN not allowed                               → Unauthenticated "x509: subject with cn=<cn> is not in
//                                                             the allowed list"
//   trusted, but no username header with a value           → NotFound
//
// As in kube's union, an error here does not stop the other authenticators: a client certificate from the
// --client-ca-file CA or a bearer token still authenticates; only when none succeeds is the request a 401.
//
// The identity headers are removed by the authentication filter (chain/filters/auth.h) once any authenticator
// succeeded, as kube's WithAuthentication does: the standard X-Remote-* set always, and those of the settings in force
// when the request is authenticated (RequestHeaderConfigProvider, ClearAuthenticationHeaders) — fixed at start from
// the flags, or changing at run time (authconfig's extension-apiserver-authentication ConfigMap). Headers of a
// request answered 401 are not touched (it never reaches a handler).

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "auth/authenticator.h"
#include "http/header_map.h"

namespace apiserve::auth {

// RequestHeaderConfig: the --requestheader-* settings (kube's RequestHeaderAuthenticationOptions, which become its
// authenticatorfactory.RequestHeaderConfig). Header names and prefixes match case-insensitively. Plain values.
struct RequestHeaderConfig {
  // --requestheader-client-ca-file: the CA bundle that signs the front proxy's client certificate. It is loaded,
  // reloaded and verified by tls/ (tls::TlsOptions::requestheader_client_ca_file must be set to the same file).
  // Empty: request-header authentication is off, whatever the headers below say (kube's rule).
  std::string client_ca_file;
  // --requestheader-allowed-names: client certificate common names allowed to assert identities. Empty: any
  // certificate verified by the request-header CA.
  std::vector<std::string> allowed_names;
  std::vector<std::string> username_headers;      // --requestheader-username-headers: first with a value wins
  std::vector<std::string> uid_headers;           // --requestheader-uid-headers: first with a value wins
  std::vector<std::string> group_headers;         // --requestheader-group-headers: every value of each
  std::vector<std::string> extra_headers_prefix;  // --requestheader-extra-headers-prefix

  // KubeApiserverDefaults is kube-apiserver's: everything empty, so request-header authentication is off until
  // configured.
  static RequestHeaderConfig KubeApiserverDefaults() { return {}; }
  // DelegatingDefaults is what extension API servers default to (kube's NewDelegatingAuthenticationOptions):
  // X-Remote-User, X-Remote-Group, X-Remote-Extra-. No UID header: kube (1.33+) ignores incoming UID headers
  // unless --requestheader-uid-headers names one (the aggregator sends X-Remote-Uid), and its delegating defaults
  // name none. The CA file stays empty: the extension server must be given the front proxy's CA.
  static RequestHeaderConfig DelegatingDefaults();
  // StandardHeaders is kube's standardRequestHeaderConfig: the X-Remote-User / X-Remote-Uid / X-Remote-Group /
  // X-Remote-Extra- set that the authentication filter always removes from authenticated requests.
  static const RequestHeaderConfig& StandardHeaders();

  // Enabled reports whether request-header authentication is configured (a CA file is set).
  bool Enabled() const { return !client_ca_file.empty(); }

  // Validate returns OK or one InvalidArgument error listing every problem (the message alone for one, "[a, b]" for
  // several), kube's: `empty value in "requestheader-username-headers"` (likewise -uid-headers, -group-headers,
  // -extra-headers-prefix, -allowed-names) for a value that is empty or only white space.
  absl::Status Validate() const;
  // Warnings lists kube's warnings for a configuration aggregation cannot use: `--requestheader-username-headers is
  // set without specifying the standard X-Remote-User header - API aggregation will not work`, and likewise for the
  // UID, group and extra settings.
  std::vector<std::string> Warnings() const;
};

// RequestHeaderConfigProvider gives the request-header settings in force now (kube's
// headerrequest.RequestHeaderAuthRequestProvider): fixed at start (StaticRequestHeaderConfig) or changed at run time
// (authconfig::DynamicRequestHeaderAuthenticator, from the cluster's ConfigMap). chain::WithAuthentication asks it
// for every authenticated request which identity headers to remove.
class RequestHeaderConfigProvider {
 public:
  virtual ~RequestHeaderConfigProvider() = default;
  // Current returns the settings in force, or null when request-header authentication is off. Thread-safe; called
  // once per authenticated request, so it must not allocate (copying a shared_ptr does not).
  virtual std::shared_ptr<const RequestHeaderConfig> Current() const = 0;
};

// StaticRequestHeaderConfig returns a provider whose Current() is always `config` (may be null). Thread-safe.
std::shared_ptr<const RequestHeaderConfigProvider> StaticRequestHeaderConfig(
    std::shared_ptr<const RequestHeaderConfig> config);

// NewRequestHeaderAuthenticator returns the authenticator for `config` (which must be Enabled() and valid; header
// names and prefixes are trimmed of white space, as kube's). Stateless apart from `config`; thread-safe.
std::shared_ptr<const Authenticator> NewRequestHeaderAuthenticator(const RequestHeaderConfig& config);

// ClearAuthenticationHeaders removes from `headers` every field named by `config`'s username, UID and group headers
// and every field whose name starts with one of its extra prefixes (all case-insensitively): kube's
// headerrequest.ClearAuthenticationHeaders. Does not allocate.
void ClearAuthenticationHeaders(http::HeaderMap* headers, const RequestHeaderConfig& config);

// UnescapeExtraKey decodes the %XX escapes of an extra key (Go's url.PathUnescape; '+' stays '+'). A malformed
// escape leaves the whole key as it is (kube's unescapeExtraKey: "always record extra strings").
std::string UnescapeExtraKey(absl::string_view encoded);

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_REQUEST_HEADER_H_
