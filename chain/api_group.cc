#include "chain/api_group.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace apiserve::chain {
namespace {

constexpr absl::string_view kVerbs[] = {"create", "delete", "deletecollection", "get",
                                        "list",   "patch",  "update",           "watch"};

// IsLowercaseName: [a-z0-9] with '-' and '.' inside (DNS-1123 subdomain characters).
bool IsLowercaseName(absl::string_view name) {
  if (name.empty() || !absl::ascii_isalnum(name.front()) || !absl::ascii_isalnum(name.back())) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return absl::ascii_isdigit(c) || absl::ascii_islower(c) || c == '-' || c == '.'; });
}

bool IsJsonObject(absl::string_view json) {
  json = absl::StripAsciiWhitespace(json);
  return json.size() >= 2 && json.front() == '{' && json.back() == '}';
}

void ValidateHandlers(const VerbHandlers& handlers, const std::string& what, std::vector<std::string>* problems) {
  if (handlers.empty()) problems->push_back(absl::StrCat(what, " has no handlers"));
  for (const auto& [verb, handler] : handlers) {
    if (!IsKnownVerb(verb)) {
      problems->push_back(absl::StrCat(what, ": unknown verb \"", verb, "\" (want one of ",
                                       absl::StrJoin(std::begin(kVerbs), std::end(kVerbs), ", "), ")"));
    } else if (handler == nullptr) {
      problems->push_back(absl::StrCat(what, ": the handler for verb \"", verb, "\" is null"));
    }
  }
}

void ValidateResource(const APIResource& resource, const std::string& gv, std::vector<std::string>* problems) {
  const std::string what = absl::StrCat("resource \"", resource.name, "\" of ", gv);
  if (!IsLowercaseName(resource.name)) {
    problems->push_back(absl::StrCat(what, ": the name must be a lowercase plural of [a-z0-9.-]"));
  }
  if (resource.kind.empty()) problems->push_back(absl::StrCat(what, " has no kind"));
  if (!resource.singular_name.empty() && !IsLowercaseName(resource.singular_name)) {
    problems->push_back(absl::StrCat(what, ": singular name \"", resource.singular_name, "\" is not lowercase"));
  }
  if (!resource.openapi_schema.empty() && !IsJsonObject(resource.openapi_schema)) {
    problems->push_back(absl::StrCat(what, ": the OpenAPI schema is not a JSON object"));
  }
  ValidateHandlers(resource.handlers, what, problems);
  std::set<std::string> subresources;
  for (const APISubresource& sub : resource.subresources) {
    const std::string sub_what = absl::StrCat("subresource \"", resource.name, "/", sub.name, "\" of ", gv);
    if (!IsLowercaseName(sub.name)) problems->push_back(absl::StrCat(sub_what, ": the name must be [a-z0-9.-]"));
    if (!subresources.insert(sub.name).second) problems->push_back(absl::StrCat(sub_what, " is installed twice"));
    ValidateHandlers(sub.handlers, sub_what, problems);
  }
}

}  // namespace

bool IsKnownVerb(absl::string_view verb) {
  return std::find(std::begin(kVerbs), std::end(kVerbs), verb) != std::end(kVerbs);
}

absl::Status ValidateAPIGroupInfo(const APIGroupInfo& group, bool legacy) {
  std::vector<std::string> problems;
  if (legacy && !group.name.empty()) {
    problems.push_back(absl::StrCat("the legacy core group must be named \"\", not \"", group.name, "\""));
  }
  if (!legacy && !IsLowercaseName(group.name)) {
    problems.push_back(absl::StrCat("group name \"", group.name, "\" must be a lowercase DNS subdomain"));
  }
  if (group.versions.empty()) problems.push_back(absl::StrCat("group \"", group.name, "\" has no versions"));
  std::set<std::string> versions;
  for (const APIGroupVersion& version : group.versions) {
    const std::string gv = GroupVersionString(group.name, version.version);
    if (!IsLowercaseName(version.version) || version.version.find('.') != std::string::npos) {
      problems.push_back(absl::StrCat("version \"", version.version, "\" of group \"", group.name,
                                      "\" must be a lowercase DNS label"));
    }
    if (!versions.insert(version.version).second) problems.push_back(absl::StrCat(gv, " is installed twice"));
    if (version.resources.empty()) problems.push_back(absl::StrCat(gv, " has no resources"));
    std::set<std::string> names;
    for (const APIResource& resource : version.resources) {
      if (!names.insert(resource.name).second) {
        problems.push_back(absl::StrCat("resource \"", resource.name, "\" of ", gv, " is installed twice"));
      }
      ValidateResource(resource, gv, &problems);
    }
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
}

void NormalizeAPIGroupInfo(APIGroupInfo* group) {
  for (APIGroupVersion& version : group->versions) {
    for (APIResource& resource : version.resources) {
      if (resource.singular_name.empty()) resource.singular_name = absl::AsciiStrToLower(resource.kind);
      std::sort(resource.subresources.begin(), resource.subresources.end(),
                [](const APISubresource& a, const APISubresource& b) { return a.name < b.name; });
    }
    std::sort(version.resources.begin(), version.resources.end(),
              [](const APIResource& a, const APIResource& b) { return a.name < b.name; });
  }
}

std::string GroupVersionString(absl::string_view group, absl::string_view version) {
  return group.empty() ? std::string(version) : absl::StrCat(group, "/", version);
}

std::string GroupVersionPath(absl::string_view group, absl::string_view version) {
  return group.empty() ? absl::StrCat("/api/", version) : absl::StrCat("/apis/", group, "/", version);
}

const APIResource* FindResource(const APIGroupVersion& version, absl::string_view name) {
  for (const APIResource& resource : version.resources) {
    if (resource.name == name) return &resource;
  }
  return nullptr;
}

const APISubresource* FindSubresource(const APIResource& resource, absl::string_view name) {
  for (const APISubresource& sub : resource.subresources) {
    if (sub.name == name) return &sub;
  }
  return nullptr;
}

}  // namespace apiserve::chain
