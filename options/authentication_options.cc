#include "options/authentication_options.h"

#include "absl/strings/str_cat.h"
#include "base/logger.h"
#include "options/secure_serving_options.h"

namespace apiserve::options {

AuthenticationOptions NewAuthenticationOptions() { return AuthenticationOptions(); }

AuthenticationOptions NewDelegatingAuthenticationOptions() {
  AuthenticationOptions options;
  options.request_header = auth::RequestHeaderConfig::DelegatingDefaults();
  options.delegating = DelegatingAuthenticationOptions();
  return options;
}

void AuthenticationOptions::AddFlags(flags::FlagSet* fs) {
  fs->StringVar(&client_ca_file, "client-ca-file", client_ca_file,
                "If set, any request presenting a client certificate signed by one of the authorities in the "
                "client-ca-file is authenticated with an identity corresponding to the CommonName of the client "
                "certificate.");
  fs->StringVar(&token_auth_file, "token-auth-file", token_auth_file,
                "If set, the file that will be used to secure the secure port of the API server via token "
                "authentication.");
  fs->BoolVar(&anonymous_auth, "anonymous-auth", anonymous_auth,
              "Enables anonymous requests to the secure port of the API server. Requests that are not rejected by "
              "another authentication method are treated as anonymous requests. Anonymous requests have a username "
              "of system:anonymous, and a group name of system:unauthenticated.");
  auth::RequestHeaderConfig& r = request_header;
  fs->StringVar(&r.client_ca_file, "requestheader-client-ca-file", r.client_ca_file,
                "Root certificate bundle to use to verify client certificates on incoming requests before trusting "
                "usernames in headers specified by --requestheader-username-headers. WARNING: generally do not "
                "depend on authorization being already done for incoming requests.");
  fs->StringSliceVar(&r.allowed_names, "requestheader-allowed-names", r.allowed_names,
                     "List of client certificate common names to allow to provide usernames in headers specified by "
                     "--requestheader-username-headers. If empty, any client certificate validated by the "
                     "authorities in --requestheader-client-ca-file is allowed.");
  fs->StringSliceVar(&r.username_headers, "requestheader-username-headers", r.username_headers,
                     "List of request headers to inspect for usernames. X-Remote-User is common.");
  fs->StringSliceVar(&r.uid_headers, "requestheader-uid-headers", r.uid_headers,
                     "List of request headers to inspect for UIDs. X-Remote-Uid is suggested.");
  fs->StringSliceVar(&r.group_headers, "requestheader-group-headers", r.group_headers,
                     "List of request headers to inspect for groups. X-Remote-Group is suggested.");
  fs->StringSliceVar(&r.extra_headers_prefix, "requestheader-extra-headers-prefix", r.extra_headers_prefix,
                     "List of request header prefixes to inspect. X-Remote-Extra- is suggested.");
  if (!delegating.has_value()) return;
  DelegatingAuthenticationOptions& d = *delegating;
  fs->StringVar(&d.remote_kubeconfig_file, "authentication-kubeconfig", d.remote_kubeconfig_file,
                "kubeconfig file pointing at the 'core' kubernetes server with enough rights to create "
                "tokenreviews.authentication.k8s.io.");
  fs->DurationVar(&d.cache_ttl, "authentication-token-webhook-cache-ttl", d.cache_ttl,
                  "The duration to cache responses from the webhook token authenticator.");
  fs->BoolVar(&d.skip_in_cluster_lookup, "authentication-skip-lookup", d.skip_in_cluster_lookup,
              "If false, the authentication-kubeconfig will be used to lookup missing authentication configuration "
              "from the cluster.");
  fs->BoolVar(&d.tolerate_in_cluster_lookup_failure, "authentication-tolerate-lookup-failure",
              d.tolerate_in_cluster_lookup_failure,
              "If true, failures to look up missing authentication configuration from the cluster are not considered "
              "fatal. Note that this can result in authentication that treats all requests as anonymous.");
}

void AuthenticationOptions::Validate(std::vector<std::string>* problems) const {
  if (absl::Status valid = request_header.Validate(); !valid.ok()) problems->emplace_back(valid.message());
}

absl::Status AuthenticationOptions::ApplyTo(server::Config* config, auth::AuthOptions* auth,
                                            const ClientFactory& factory) const {
  config->tls.client_ca_file = ResolvePath(client_ca_file);
  config->tls.requestheader_client_ca_file = ResolvePath(request_header.client_ca_file);
  auth->client_ca_configured = !client_ca_file.empty();
  auth->token_auth_file = ResolvePath(token_auth_file);
  auth->anonymous_auth = anonymous_auth;
  auth->request_header = request_header;
  auth->request_header.client_ca_file = config->tls.requestheader_client_ca_file;
  for (const std::string& warning : request_header.Warnings()) LOG(WARNING) << warning;
  if (!delegating.has_value()) return absl::OkStatus();
  absl::StatusOr<std::shared_ptr<client::HttpClient>> client =
      DelegatedClient(factory, delegating->remote_kubeconfig_file, "authentication");
  if (!client.ok()) return client.status();
  auth->token_review_client = *std::move(client);
  auth->token_review_kubeconfig = ResolvePath(delegating->remote_kubeconfig_file);
  auth->token_review.cache_ttl = delegating->cache_ttl;
  auth->token_review.failure_cache_ttl = delegating->cache_ttl;  // kube: cache.New(..., ttl, ttl)
  auth->token_review.timeout = delegating->token_request_timeout;
  return absl::OkStatus();
}

}  // namespace apiserve::options
