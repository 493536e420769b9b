#include "options/authorization_options.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "auth/authorizers.h"
#include "base/logger.h"
#include "flags/go_strconv.h"
#include "options/secure_serving_options.h"

namespace apiserve::options {

AuthorizationOptions NewDelegatingAuthorizationOptions() {
  AuthorizationOptions options;
  options.modes.clear();  // no mode unless --authorization-mode is given: fail closed without a cluster (ApplyTo)
  options.delegating = DelegatingAuthorizationOptions();
  return options;
}

void AuthorizationOptions::AddFlags(flags::FlagSet* fs) {
  fs->StringSliceVar(&modes, "authorization-mode", modes,
                     "Ordered list of plug-ins to do authorization on secure port. Comma-delimited list of: "
                     "AlwaysAllow,AlwaysDeny,Bootstrap.");
  if (!delegating.has_value()) return;
  DelegatingAuthorizationOptions& d = *delegating;
  fs->StringVar(&d.remote_kubeconfig_file, "authorization-kubeconfig", d.remote_kubeconfig_file,
                "kubeconfig file pointing at the 'core' kubernetes server with enough rights to create "
                "subjectaccessreviews.authorization.k8s.io.");
  fs->DurationVar(&d.allow_cache_ttl, "authorization-webhook-cache-authorized-ttl", d.allow_cache_ttl,
                  "The duration to cache 'authorized' responses from the webhook authorizer.");
  fs->DurationVar(&d.deny_cache_ttl, "authorization-webhook-cache-unauthorized-ttl", d.deny_cache_ttl,
                  "The duration to cache 'unauthorized' responses from the webhook authorizer.");
  fs->StringSliceVar(&d.always_allow_paths, "authorization-always-allow-paths", d.always_allow_paths,
                     "A list of HTTP paths to skip during authorization, i.e. these are authorized without "
                     "contacting the 'core' kubernetes server.");
  fs->StringSliceVar(&d.always_allow_groups, "authorization-always-allow-groups", d.always_allow_groups,
                     "A list of groups whose members are authorized without contacting the 'core' kubernetes "
                     "server.");
}

absl::Status AuthorizationOptions::ApplyTo(auth::AuthOptions* auth, const ClientFactory& factory) const {
  auth->authorization_mode = modes;
  auth->delegated_authorization.reset();
  if (!delegating.has_value()) return absl::OkStatus();
  const DelegatingAuthorizationOptions& d = *delegating;
  absl::StatusOr<std::shared_ptr<client::HttpClient>> client;
  if (auth->token_review_client != nullptr && auth->token_review_kubeconfig == ResolvePath(d.remote_kubeconfig_file)) {
    client = auth->token_review_client;  // one client when both flags name the same cluster
  } else {
    client = DelegatedClient(factory, d.remote_kubeconfig_file, "authorization");
  }
  if (!client.ok()) return client.status();
  if (*client == nullptr && !modes.empty()) return absl::OkStatus();  // --authorization-mode given: it applies
  if (*client == nullptr) {
    LOG(WARNING) << "No authorization-kubeconfig provided, so SubjectAccessReview of authorization tokens won't work.";
  }
  auth::AuthOptions::Delegated delegated;
  delegated.always_allow_groups = d.always_allow_groups;
  delegated.always_allow_paths = d.always_allow_paths;
  delegated.subject_access_review_client = *std::move(client);
  delegated.subject_access_review.authorized_ttl = d.allow_cache_ttl;
  delegated.subject_access_review.unauthorized_ttl = d.deny_cache_ttl;
  delegated.subject_access_review.timeout = d.client_timeout;
  auth->delegated_authorization = std::move(delegated);
  return absl::OkStatus();
}

void AuthorizationOptions::Validate(std::vector<std::string>* problems) const {
  if (modes.empty() && !delegating.has_value()) problems->push_back("at least one authorization-mode must be passed");
  for (const std::string& mode : modes) {
    if (mode != "AlwaysAllow" && mode != "AlwaysDeny" && mode != "Bootstrap") {
      problems->push_back(absl::StrCat("authorization-mode ", flags::GoQuote(mode), " is not a valid mode"));
    }
  }
  if (std::set<std::string>(modes.begin(), modes.end()).size() != modes.size()) {
    std::vector<std::string> quoted;
    for (const std::string& mode : modes) quoted.push_back(flags::GoQuote(mode));
    problems->push_back(
        absl::StrCat("authorization-mode [", absl::StrJoin(quoted, " "), "] has mode specified more than once"));
  }
  if (delegating.has_value()) {
    // kube finds this when it builds the authorizer (path.NewAuthorizer); reported here with the other problems.
    if (absl::StatusOr<std::shared_ptr<const auth::Authorizer>> paths =
            auth::AlwaysAllowPathsAuthorizer(delegating->always_allow_paths);
        !paths.ok()) {
      problems->emplace_back(paths.status().message());
    }
  }
}

}  // namespace apiserve::options
