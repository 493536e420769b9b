#include "options/recommended_options.h"

#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "auth/build.h"

namespace apiserve::options {
namespace {

// The text of kube's utilerrors.NewAggregate: duplicates dropped; one message alone, several as "[a, b]".
std::string Aggregate(const std::vector<std::string>& problems) {
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (const std::string& p : problems) {
    if (seen.insert(p).second) unique.push_back(p);
  }
  if (unique.size() == 1) return unique[0];
  return absl::StrCat("[", absl::StrJoin(unique, ", "), "]");
}

}  // namespace

RecommendedOptions NewDelegatingRecommendedOptions() {
  RecommendedOptions options;
  options.authentication = NewDelegatingAuthenticationOptions();
  options.authorization = NewDelegatingAuthorizationOptions();
  options.client_factory = KubeconfigClientFactory();
  return options;
}

void RecommendedOptions::AddFlags(flags::FlagSet* fs) {
  secure_serving.AddFlags(fs);
  server_run.AddFlags(fs);
  authentication.AddFlags(fs);
  authorization.AddFlags(fs);
  features.AddFlags(fs);
  limits.AddFlags(fs);
  fs->IntVar(&verbosity, "v", verbosity, "number for the log level verbosity");
}

absl::Status RecommendedOptions::Validate() const {
  std::vector<std::string> problems;
  secure_serving.Validate(&problems);
  server_run.Validate(&problems);
  authentication.Validate(&problems);
  authorization.Validate(&problems);
  features.Validate(&problems);
  limits.Validate(&problems);
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(Aggregate(problems));
}

absl::Status RecommendedOptions::ApplyTo(server::Config* config) const { return ApplyTo(config, nullptr); }

absl::Status RecommendedOptions::ApplyTo(server::Config* config, const AuthExtension& extend) const {
  if (absl::Status applied = secure_serving.ApplyTo(config); !applied.ok()) return applied;
  server_run.ApplyTo(config);  // after secure serving: the GOAWAY chance depends on HTTP/2 being served
  features.ApplyTo(config);
  limits.ApplyTo(config);
  auth::AuthOptions auth;
  if (absl::Status applied = authentication.ApplyTo(config, &auth, client_factory); !applied.ok()) return applied;
  if (absl::Status applied = authorization.ApplyTo(&auth, client_factory); !applied.ok()) return applied;
  if (extend != nullptr) {
    if (absl::Status extended = extend(config, &auth); !extended.ok()) return extended;
  }
  absl::StatusOr<auth::AuthConfig> built = auth::BuildFromFlags(auth);
  if (!built.ok()) return built.status();
  config->chain.authenticator = built->authenticator;
  config->chain.authorizer = built->authorizer;
  config->chain.request_header_config = built->request_header_config;
  return absl::OkStatus();
}

}  // namespace apiserve::options
