#ifndef APISERVE_AUTH_USER_INFO_H_
#define APISERVE_AUTH_USER_INFO_H_

// auth::UserInfo: who sent a request (kube's k8s.io/apiserver/pkg/authentication/user), the well-known user and
// group names, and the anonymous user.
//
// Users travel as UserPtr, shared and immutable, so a fixed identity (the anonymous user, a token file's entry) is
// handed to each request without a copy. Thread-safe to share once built.

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace apiserve::auth {

// The well-known user and group names.
inline constexpr char kAnonymousUser[] = "system:anonymous";
inline constexpr char kUnauthenticatedGroup[] = "system:unauthenticated";
inline constexpr char kAuthenticatedGroup[] = "system:authenticated";
inline constexpr char kMastersGroup[] = "system:masters";

struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
  // extra is kube's user.Info.GetExtra(): more facts about the user, e.g. from the request-header authenticator's
  // X-Remote-Extra-<key> headers. Keys are lower-case.
  std::map<std::string, std::vector<std::string>> extra = {};
};

using UserPtr = std::shared_ptr<const UserInfo>;

// InGroup reports whether `user` is a member of `group`.
inline bool InGroup(const UserInfo& user, const char* group) {
  return std::find(user.groups.begin(), user.groups.end(), group) != user.groups.end();
}

// IsAnonymous reports whether `user` is the anonymous user: named system:anonymous or in system:unauthenticated
// (kube's isAnonymousUser, used by the HTTP/2 DoS mitigation).
inline bool IsAnonymous(const UserInfo& user) {
  return user.name == kAnonymousUser || InGroup(user, kUnauthenticatedGroup);
}

// AnonymousUserInfo returns the shared system:anonymous user (groups: system:unauthenticated).
inline UserPtr AnonymousUserInfo() {
  static const UserPtr* const kAnonymous =
      new UserPtr(std::make_shared<const UserInfo>(UserInfo{kAnonymousUser, "", {kUnauthenticatedGroup}}));
  return *kAnonymous;
}

}  // namespace apiserve::auth

#endif  // APISERVE_AUTH_USER_INFO_H_
