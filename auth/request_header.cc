#include "auth/request_header.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace apiserve::auth {
namespace {

bool HasPrefixIgnoreCase(absl::string_view s, absl::string_view prefix) {
  return s.size() >= prefix.size() && absl::EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::string> Trimmed(const std::vector<std::string>& names) {
  std::vector<std::string> trimmed;
  trimmed.reserve(names.size());
  for (const std::string& name : names) trimmed.emplace_back(absl::StripAsciiWhitespace(name));
  return trimmed;
}

bool CaseInsensitiveHas(const std::vector<std::string>& names, absl::string_view name) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return absl::EqualsIgnoreCase(n, name); });
}

// FirstValue is kube's headerValue: for each header in order, its first value; the first non-empty one wins.
std::string FirstValue(const http::HeaderMap& headers, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    std::optional<absl::string_view> value = headers.Get(name);
    if (value.has_value() && !value->empty()) return std::string(*value);
  }
  return "";
}

class RequestHeaderAuthenticator : public Authenticator {
 public:
  explicit RequestHeaderAuthenticator(const RequestHeaderConfig& config)
      : allowed_names_(config.allowed_names),
        username_headers_(Trimmed(config.username_headers)),
        uid_headers_(Trimmed(config.uid_headers)),
        group_headers_(Trimmed(config.group_headers)),
        extra_prefixes_(Trimmed(config.extra_headers_prefix)) {}

  absl::StatusOr<UserPtr> Authenticate(const http::Request& request) const override {
    // kube's x509.Verifier: only a verified certificate with an allowed CN lets the headers through.
    const http::ConnectionInfo* connection = request.connection.get();
    if (connection == nullptr) return absl::NotFoundError("no connection information");
    if (!connection->requestheader_client_certificate_error.empty()) {
      return absl::UnauthenticatedError(connection->requestheader_client_certificate_error);
    }
    if (!connection->requestheader_client_certificate.has_value()) {
      return absl::NotFoundError("no client certificate");
    }
    const std::string& common_name = connection->requestheader_client_certificate->common_name;
    if (!allowed_names_.empty() &&
        std::find(allowed_names_.begin(), allowed_names_.end(), common_name) == allowed_names_.end()) {
      return absl::UnauthenticatedError(
          absl::StrCat("x509: subject with cn=", common_name, " is not in the allowed list"));
    }

    // kube's requestHeaderAuthRequestHandler.
    const http::HeaderMap& headers = request.headers;
    std::string name = FirstValue(headers, username_headers_);
    if (name.empty()) return absl::NotFoundError("no username in the request headers");
    auto user = std::make_shared<UserInfo>();
    user->name = std::move(name);
    user->uid = FirstValue(headers, uid_headers_);
    for (const std::string& header : group_headers_) {
      for (const http::HeaderField& field : headers) {
        if (http::HeaderNameEquals(field.name, header) && !field.value.empty()) user->groups.push_back(field.value);
      }
    }
    // Prefixes first, so each key's values keep the prefixes' order.
    for (const std::string& prefix : extra_prefixes_) {
      for (const http::HeaderField& field : headers) {
        if (!HasPrefixIgnoreCase(field.name, prefix)) continue;
        std::string key = UnescapeExtraKey(absl::AsciiStrToLower(absl::string_view(field.name).substr(prefix.size())));
        user->extra[std::move(key)].push_back(field.value);
      }
    }
    return UserPtr(std::move(user));
  }

 private:
  const std::vector<std::string> allowed_names_;
  const std::vector<std::string> username_headers_;
  const std::vector<std::string> uid_headers_;
  const std::vector<std::string> group_headers_;
  const std::vector<std::string> extra_prefixes_;
};

}  // namespace

RequestHeaderConfig RequestHeaderConfig::DelegatingDefaults() {
  RequestHeaderConfig config;
  config.username_headers = {"X-Remote-User"};
  config.group_headers = {"X-Remote-Group"};
  config.extra_headers_prefix = {"X-Remote-Extra-"};
  return config;
}

namespace {

class StaticProvider : public RequestHeaderConfigProvider {
 public:
  explicit StaticProvider(std::shared_ptr<const RequestHeaderConfig> config) : config_(std::move(config)) {}
  std::shared_ptr<const RequestHeaderConfig> Current() const override { return config_; }

 private:
  const std::shared_ptr<const RequestHeaderConfig> config_;
};

}  // namespace

std::shared_ptr<const RequestHeaderConfigProvider> StaticRequestHeaderConfig(
    std::shared_ptr<const RequestHeaderConfig> config) {
  return std::make_shared<const StaticProvider>(std::move(config));
}

const RequestHeaderConfig& RequestHeaderConfig::StandardHeaders() {
  static const RequestHeaderConfig* const kStandard = [] {
    auto* config = new RequestHeaderConfig();
    config->username_headers = {"X-Remote-User"};
    config->uid_headers = {"X-Remote-Uid"};
    config->group_headers = {"X-Remote-Group"};
    config->extra_headers_prefix = {"X-Remote-Extra-"};
    return config;
  }();
  return *kStandard;
}

absl::Status RequestHeaderConfig::Validate() const {
  std::vector<std::string> errors;
  auto check = [&errors](absl::string_view flag, const std::vector<std::string>& values) {
    for (const std::string& value : values) {
      if (absl::StripAsciiWhitespace(value).empty()) {
        errors.push_back(absl::StrCat("empty value in \"", flag, "\""));
        return;
      }
    }
  };
  check("requestheader-username-headers", username_headers);
  check("requestheader-uid-headers", uid_headers);
  check("requestheader-group-headers", group_headers);
  check("requestheader-extra-headers-prefix", extra_headers_prefix);
  check("requestheader-allowed-names", allowed_names);
  if (errors.empty()) return absl::OkStatus();
  if (errors.size() == 1) return absl::InvalidArgumentError(errors.front());
  return absl::InvalidArgumentError(absl::StrCat("[", absl::StrJoin(errors, ", "), "]"));
}

std::vector<std::string> RequestHeaderConfig::Warnings() const {
  std::vector<std::string> warnings;
  auto check = [&warnings](absl::string_view flag, const std::vector<std::string>& values, absl::string_view standard,
                           absl::string_view what) {
    if (values.empty() || CaseInsensitiveHas(values, standard)) return;
    warnings.push_back(absl::StrCat("--", flag, " is set without specifying the standard ", standard, " ", what,
                                    " - API aggregation will not work"));
  };
  check("requestheader-username-headers", username_headers, "X-Remote-User", "header");
  check("requestheader-uid-headers", uid_headers, "X-Remote-Uid", "header");
  check("requestheader-group-headers", group_headers, "X-Remote-Group", "header");
  check("requestheader-extra-headers-prefix", extra_headers_prefix, "X-Remote-Extra-", "header prefix");
  return warnings;
}

std::shared_ptr<const Authenticator> NewRequestHeaderAuthenticator(const RequestHeaderConfig& config) {
  return std::make_shared<RequestHeaderAuthenticator>(config);
}

void ClearAuthenticationHeaders(http::HeaderMap* headers, const RequestHeaderConfig& config) {
  headers->RemoveIf([&config](const http::HeaderField& field) {
    auto named = [&field](const std::vector<std::string>& names) {
      return std::any_of(names.begin(), names.end(),
                         [&field](const std::string& name) { return http::HeaderNameEquals(field.name, name); });
    };
    return named(config.username_headers) || named(config.uid_headers) || named(config.group_headers) ||
           std::any_of(config.extra_headers_prefix.begin(), config.extra_headers_prefix.end(),
                       [&field](const std::string& prefix) { return HasPrefixIgnoreCase(field.name, prefix); });
  });
}

std::string UnescapeExtraKey(absl::string_view encoded) {
  std::string key;
  key.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '%') {
      key.push_back(encoded[i]);
      continue;
    }
    if (i + 2 >= encoded.size()) return std::string(encoded);
    const int high = HexValue(encoded[i + 1]);
    const int low = HexValue(encoded[i + 2]);
    if (high < 0 || low < 0) return std::string(encoded);
    key.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return key;
}

}  // namespace apiserve::auth
