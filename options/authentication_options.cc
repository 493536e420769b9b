#include "options/authentication_options.h"

#include "base/logger.h"
#include "options/secure_serving_options.h"

namespace apiserve::options {

AuthenticationOptions NewAuthenticationOptions() { return AuthenticationOptions(); }

AuthenticationOptions NewDelegatingAuthenticationOptions() {
  AuthenticationOptions options;
  options.request_header = auth::RequestHeaderConfig::DelegatingDefaults();
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
}

void AuthenticationOptions::Validate(std::vector<std::string>* problems) const {
  if (absl::Status valid = request_header.Validate(); !valid.ok()) problems->emplace_back(valid.message());
}

void AuthenticationOptions::ApplyTo(server::Config* config, auth::AuthOptions* auth) const {
  config->tls.client_ca_file = ResolvePath(client_ca_file);
  config->tls.requestheader_client_ca_file = ResolvePath(request_header.client_ca_file);
  auth->client_ca_configured = !client_ca_file.empty();
  auth->token_auth_file = ResolvePath(token_auth_file);
  auth->anonymous_auth = anonymous_auth;
  auth->request_header = request_header;
  auth->request_header.client_ca_file = config->tls.requestheader_client_ca_file;
  for (const std::string& warning : request_header.Warnings()) LOG(WARNING) << warning;
}

}  // namespace apiserve::options
