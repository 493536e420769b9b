#ifndef SAMPLE_APISERVER_NOTES_NOTE_STORE_H_
#define SAMPLE_APISERVER_NOTES_NOTE_STORE_H_

// NoteStore: the notes, in memory, with kube's storage semantics — one resourceVersion counter for every write
// (as etcd's revision), conflicts on a stale resourceVersion, and watches that start from a resourceVersion.
//
//   NoteStore store;
//   ObjectResult created = store.Create(note);            // note prepared by PrepareForCreate
//   ObjectResult updated = store.Update("ns", "a", [](const JsonValue& current, JsonValue* next) { ...; return
//                                                      std::nullopt; });
//   store.Watch(filter, /*resource_version=*/5, sink);    // events after 5, then live
//
// Thread-safe: handlers on every event loop call it. Watch sinks are called with the store's lock held, so events
// reach each sink in resourceVersion order and none is missed between a watch's replay and its live events; a
// sink must only queue (never block, never call the store).

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "base/mutex.h"
#include "http/json_value.h"
#include "notes/api_errors.h"
#include "notes/note_object.h"

namespace sample::notes {

// WatchSink receives a watch's events, each one serialized JSON line (`{"type":"ADDED","object":{...}}\n`).
class WatchSink {
 public:
  virtual ~WatchSink() = default;
  // Deliver is called with the store's lock held, on whichever thread wrote: queue the line and return.
  virtual void Deliver(std::shared_ptr<const std::string> line) = 0;
};

// ObjectResult is an object, or the kube error that answers the request instead.
struct ObjectResult {
  JsonValue object;
  std::optional<ApiError> error;
  bool ok() const { return !error.has_value(); }
};

struct ListResult {
  std::vector<JsonValue> items;  // by namespace, then name
  int64_t resource_version = 0;  // the store's resourceVersion when listed
};

class NoteStore {
 public:
  // `history_size` events are kept for watches that start from a resourceVersion (kube's watch cache window).
  explicit NoteStore(size_t history_size = 1000) : history_size_(history_size) {}
  NoteStore(const NoteStore&) = delete;
  NoteStore& operator=(const NoteStore&) = delete;

  // Get returns the note, or 404 NotFound.
  ObjectResult Get(const std::string& namespace_name, const std::string& name) const;
  // List returns the notes `filter` selects.
  ListResult List(const NoteFilter& filter) const;
  // Create stores `note` (metadata.namespace and metadata.name set) with the next resourceVersion: 409
  // AlreadyExists if the name is taken. Emits ADDED.
  ObjectResult Create(JsonValue note);
  // Mutation turns the current object into the next one, or returns the error to answer with.
  using Mutation = absl::FunctionRef<std::optional<ApiError>(const JsonValue& current, JsonValue* next)>;
  // Update runs `mutate` on the current object under the lock (a read-modify-write: patch and update are atomic),
  // then: 404 if there is none; 409 Conflict if the next object carries a resourceVersion other than the current
  // one; the current object unchanged (no new resourceVersion, no event) if nothing changed; else stores it with
  // the next resourceVersion and emits MODIFIED.
  ObjectResult Update(const std::string& namespace_name, const std::string& name, Mutation mutate);
  // Delete removes the note and returns it (with the deletion's resourceVersion), or 404. Emits DELETED.
  ObjectResult Delete(const std::string& namespace_name, const std::string& name);

  struct WatchStart {
    uint64_t id = 0;
    std::optional<ApiError> error;  // 410 Expired: the events after resource_version are no longer kept
  };
  // Watch registers `sink` for the notes `filter` selects. Without `resource_version` (or with 0) the sink first
  // gets an ADDED event for every selected note, as kube does; with one, every kept event after it. Then live
  // events, until Unwatch.
  WatchStart Watch(NoteFilter filter, std::optional<int64_t> resource_version, std::shared_ptr<WatchSink> sink);
  // Unwatch removes a watch; the sink is not called after it returns. Unknown ids are ignored.
  void Unwatch(uint64_t id);

  int64_t resource_version() const;
  size_t watch_count() const;

 private:
  using Key = std::pair<std::string, std::string>;  // namespace, name
  struct Event {
    int64_t resource_version;
    std::string type;                   // ADDED, MODIFIED, DELETED
    std::optional<JsonValue> previous;  // MODIFIED, DELETED: before the write
    JsonValue object;                   // after (DELETED: the deleted object)
  };
  struct Watcher {
    NoteFilter filter;
    std::shared_ptr<WatchSink> sink;
  };

  // Emit records `event` in the history and sends it to every watcher whose filter it concerns.
  void Emit(Event event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static void Send(const Event& event, const Watcher& watcher);

  const size_t history_size_;
  mutable apiserve::base::Mutex mu_;
  std::map<Key, JsonValue> notes_ ABSL_GUARDED_BY(mu_);
  int64_t resource_version_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<Event> history_ ABSL_GUARDED_BY(mu_);
  int64_t compacted_ ABSL_GUARDED_BY(mu_) = 0;  // highest resourceVersion dropped from history_
  std::map<uint64_t, Watcher> watchers_ ABSL_GUARDED_BY(mu_);
  uint64_t next_watch_id_ ABSL_GUARDED_BY(mu_) = 1;
};

// WatchEventLine serializes one watch event: {"type":"<type>","object":<object>} and a newline.
std::string WatchEventLine(absl::string_view type, const JsonValue& object);

}  // namespace sample::notes

#endif  // SAMPLE_APISERVER_NOTES_NOTE_STORE_H_
