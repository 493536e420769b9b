#ifndef APISERVE_CHAIN_TESTING_GROUPS_H_
#define APISERVE_CHAIN_TESTING_GROUPS_H_

// Test fixtures: API groups like the sample extension server's (notes.example.io/v1 notes) and a small core
// group, with handlers that answer "<verb> <resource>" so routing can be checked.

#include <string>

#include "absl/strings/str_cat.h"
#include "chain/api_group.h"
#include "http/handler.h"
#include "http/response.h"

namespace apiserve::chain::testing {

inline http::HandlerPtr Answer(const std::string& text) {
  return http::StaticHandler(http::Shared(http::TextResponse(200, text)));
}

inline VerbHandlers Verbs(const std::string& resource, std::initializer_list<const char*> verbs) {
  VerbHandlers handlers;
  for (const char* verb : verbs) handlers[verb] = Answer(absl::StrCat(verb, " ", resource));
  return handlers;
}

constexpr char kNoteSchema[] =
    R"({"type":"object","properties":{"spec":{"type":"object","properties":{"text":{"type":"string"}}}}})";

// NotesGroup: notes.example.io/v1 with namespaced "notes" (kind Note, short name nt, category all, a status
// subresource) and cluster-scoped "shelves" (get and list only).
inline APIGroupInfo NotesGroup() {
  APIResource notes;
  notes.name = "notes";
  notes.kind = "Note";
  notes.short_names = {"nt"};
  notes.categories = {"all"};
  notes.handlers = Verbs("notes", {"get", "list", "create", "update", "patch", "delete", "deletecollection", "watch"});
  notes.subresources.push_back(APISubresource{"status", "", "", "", Verbs("notes/status", {"get", "update"}), false});
  notes.openapi_schema = kNoteSchema;
  APIResource shelves;
  shelves.name = "shelves";
  shelves.singular_name = "shelf";
  shelves.kind = "Shelf";
  shelves.namespaced = false;
  shelves.handlers = Verbs("shelves", {"list", "get"});
  return APIGroupInfo{"notes.example.io", {APIGroupVersion{"v1", {shelves, notes}}}};
}

// CoreGroup: the legacy group with namespaced "pods" (get, list) and cluster-scoped "namespaces" (get, list).
inline APIGroupInfo CoreGroup() {
  APIResource pods;
  pods.name = "pods";
  pods.kind = "Pod";
  pods.short_names = {"po"};
  pods.handlers = Verbs("pods", {"get", "list"});
  APIResource namespaces;
  namespaces.name = "namespaces";
  namespaces.kind = "Namespace";
  namespaces.namespaced = false;
  namespaces.handlers = Verbs("namespaces", {"get", "list"});
  return APIGroupInfo{"", {APIGroupVersion{"v1", {pods, namespaces}}}};
}

}  // namespace apiserve::chain::testing

#endif  // APISERVE_CHAIN_TESTING_GROUPS_H_
