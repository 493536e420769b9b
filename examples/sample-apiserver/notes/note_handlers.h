#ifndef SAMPLE_APISERVER_NOTES_NOTE_HANDLERS_H_
#define SAMPLE_APISERVER_NOTES_NOTE_HANDLERS_H_

// NotesAPIGroup: the notes.example.io/v1 group with its one resource, `notes` (kind Note, short name nt), served
// from a NoteStore — every verb a kube client uses:
//
//   get     GET    .../namespaces/<ns>/notes/<name>
//   list    GET    .../notes, .../namespaces/<ns>/notes           (?labelSelector, ?fieldSelector)
//   watch   GET    ...?watch=true                                  (?resourceVersion, ?timeoutSeconds)
//   create  POST   .../namespaces/<ns>/notes                       201
//   update  PUT    .../namespaces/<ns>/notes/<name>                409 Conflict on a stale resourceVersion
//   patch   PATCH  .../namespaces/<ns>/notes/<name>                merge, JSON, strategic-merge (as merge) patches
//   delete  DELETE .../namespaces/<ns>/notes/<name>                200 with kube's Success Status
//
//   auto store = std::make_shared<sample::notes::NoteStore>();
//   RETURN_IF_ERROR(server->InstallAPIGroup(sample::notes::NotesAPIGroup(store, {min_request_timeout})));
//
// Handlers run on the connection's loop and never block (the store's lock is held only to copy an object).

#include <memory>

#include "absl/time/time.h"
#include "chain/api_group.h"
#include "notes/note_store.h"

namespace sample::notes {

struct NotesOptions {
  // --min-request-timeout: bounds watches without ?timeoutSeconds (chain::WatchTimeout).
  absl::Duration min_request_timeout = absl::Minutes(30);
};

// NotesResource returns the `notes` resource, its handlers bound to `store`.
apiserve::chain::APIResource NotesResource(std::shared_ptr<NoteStore> store, NotesOptions options);

// NotesAPIGroup returns notes.example.io with version v1 holding NotesResource.
apiserve::chain::APIGroupInfo NotesAPIGroup(std::shared_ptr<NoteStore> store, NotesOptions options);

}  // namespace sample::notes

#endif  // SAMPLE_APISERVER_NOTES_NOTE_HANDLERS_H_
