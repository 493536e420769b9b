#ifndef APISERVE_AUTH_TOKEN_FILE_H_
#define APISERVE_AUTH_TOKEN_FILE_H_

// Static bearer tokens from kube's --token-auth-file, reloaded when the file changes.
//
// The file is CSV (Go's encoding/csv rules: RFC 4180 quoting, `""` inside quotes, blank lines ignored, no comment
// syntax), one record per token:
//
//   31ada4fd-adec-460c-809a-9e56ceb75269,alice,1001,"developers,ops"
//
// token, user name, uid, and an optional fourth column of comma-separated groups (more columns are ignored). A
// record with fewer than three columns makes the whole file invalid; an empty token is skipped and a duplicate
// token replaces the earlier one (both logged), as kube does.
//
// TokenFileAuthenticator answers `Authorization: Bearer <token>` (scheme case-insensitive, kube's bearertoken
// authenticator): no Authorization header, another scheme or an empty token is "no credentials" (NotFound); an
// unknown token is Unauthenticated "invalid bearer token".

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "auth/authenticator.h"
#include "base/file_watcher.h"
#include "base/mutex.h"

namespace apiserve::auth {

using TokenMap = absl::flat_hash_map<std::string, UserInfo>;

// ParseTokenFile parses `content`, read from `path` (used in messages only). InvalidArgument naming the path and the
// line for a CSV syntax error (`token file "<path>": parse error on line 3, column 5: bare " in non-quoted field`) or
// a short record (`token file "<path>" must have at least 3 columns (token, user name, user uid), found 2 on line 4`).
absl::StatusOr<TokenMap> ParseTokenFile(absl::string_view content, absl::string_view path);

class TokenFileAuthenticator : public Authenticator {
 public:
  struct Options {
    std::string path;
    // Watch the file and reload it on change (inotify on its directory, plus a poll every `poll_interval`).
    bool watch = true;
    absl::Duration poll_interval = absl::Minutes(1);
  };

  // New loads the file; NotFound/PermissionDenied if it cannot be read, InvalidArgument if it is malformed (kube
  // refuses to start either way). With `options.watch`, starts a watcher thread owned by the authenticator.
  static absl::StatusOr<std::shared_ptr<TokenFileAuthenticator>> New(Options options);
  ~TokenFileAuthenticator() override;

  // Authenticate looks the bearer token up in the current table. Thread-safe, never blocks on I/O.
  absl::StatusOr<UserPtr> Authenticate(const http::Request& request) const override;

  // Reload re-reads the file and swaps the table in if it parses. On any error the old tokens stay in use and the
  // error is returned (and logged). Unchanged content is a no-op. Thread-safe; called by the watcher thread, and by
  // tests directly.
  absl::Status Reload();

  // TokenCount is the number of tokens in the current table.
  size_t TokenCount() const;

 private:
  explicit TokenFileAuthenticator(Options options) : options_(std::move(options)) {}

  const Options options_;
  mutable base::Mutex mu_;
  std::shared_ptr<const TokenMap> tokens_ ABSL_GUARDED_BY(mu_);
  std::string content_ ABSL_GUARDED_BY(mu_);                  // the content tokens_ was parsed from
  base::Mutex reload_mu_;                                     // serialises Reload (file read outside mu_)
  std::string rejected_content_ ABSL_GUARDED_BY(reload_mu_);  // the last content that failed to parse
  // Declared last: destroyed (thread joined) before the table its callback touches.
  std::unique_ptr<base::FileWatcher> watcher_;
};

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_TOKEN_FILE_H_
