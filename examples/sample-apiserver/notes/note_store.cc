#include "notes/note_store.h"

#include "absl/strings/str_cat.h"
#include "http/json_writer.h"

namespace sample::notes {
namespace {

using apiserve::base::MutexLock;

void SetResourceVersion(JsonValue* note, int64_t resource_version) {
  note->Find("metadata")->Set("resourceVersion", JsonValue::String(absl::StrCat(resource_version)));
}

}  // namespace

std::string WatchEventLine(absl::string_view type, const JsonValue& object) {
  apiserve::http::JsonWriter json;
  json.BeginObject();
  json.Key("type");
  json.String(type);
  json.Key("object");
  object.WriteTo(&json);
  json.EndObject();
  return json.Take() + "\n";
}

ObjectResult NoteStore::Get(const std::string& namespace_name, const std::string& name) const {
  MutexLock lock(&mu_);
  auto it = notes_.find({namespace_name, name});
  if (it == notes_.end()) return {JsonValue(), NotFound(name)};
  return {it->second, std::nullopt};
}

ListResult NoteStore::List(const NoteFilter& filter) const {
  ListResult result;
  MutexLock lock(&mu_);
  result.resource_version = resource_version_;
  for (const auto& [key, note] : notes_) {
    if (filter.Matches(note)) result.items.push_back(note);
  }
  return result;
}

ObjectResult NoteStore::Create(JsonValue note) {
  Key key{MetadataString(note, "namespace"), MetadataString(note, "name")};
  MutexLock lock(&mu_);
  if (notes_.count(key) != 0) return {JsonValue(), AlreadyExists(key.second)};
  SetResourceVersion(&note, ++resource_version_);
  notes_.emplace(key, note);
  Emit(Event{resource_version_, "ADDED", std::nullopt, note});
  return {std::move(note), std::nullopt};
}

ObjectResult NoteStore::Update(const std::string& namespace_name, const std::string& name, Mutation mutate) {
  MutexLock lock(&mu_);
  auto it = notes_.find({namespace_name, name});
  if (it == notes_.end()) return {JsonValue(), NotFound(name)};
  JsonValue next = it->second;
  if (std::optional<ApiError> error = mutate(it->second, &next)) return {JsonValue(), std::move(error)};
  const std::string current_version = MetadataString(it->second, "resourceVersion");
  const std::string next_version = MetadataString(next, "resourceVersion");
  if (!next_version.empty() && next_version != current_version) return {JsonValue(), Conflict(name)};
  SetResourceVersion(&next, 0);  // compare without the version
  JsonValue current_unversioned = it->second;
  SetResourceVersion(&current_unversioned, 0);
  if (next == current_unversioned) return {it->second, std::nullopt};  // a no-op write keeps its version, as kube
  SetResourceVersion(&next, ++resource_version_);
  JsonValue previous = std::exchange(it->second, next);
  Emit(Event{resource_version_, "MODIFIED", std::move(previous), next});
  return {std::move(next), std::nullopt};
}

ObjectResult NoteStore::Delete(const std::string& namespace_name, const std::string& name) {
  MutexLock lock(&mu_);
  auto it = notes_.find({namespace_name, name});
  if (it == notes_.end()) return {JsonValue(), NotFound(name)};
  JsonValue previous = std::move(it->second);
  notes_.erase(it);
  JsonValue deleted = previous;
  SetResourceVersion(&deleted, ++resource_version_);
  Emit(Event{resource_version_, "DELETED", std::move(previous), deleted});
  return {std::move(deleted), std::nullopt};
}

void NoteStore::Emit(Event event) {
  for (const auto& [id, watcher] : watchers_) Send(event, watcher);
  history_.push_back(std::move(event));
  while (history_.size() > history_size_) {
    compacted_ = history_.front().resource_version;
    history_.pop_front();
  }
}

// Send translates the event for one watcher as kube's watch cache does: an object that starts (stops) matching the
// filter is ADDED (DELETED) for that watcher.
void NoteStore::Send(const Event& event, const Watcher& watcher) {
  const bool now_matches = event.type != "DELETED" && watcher.filter.Matches(event.object);
  const bool matched = event.previous.has_value() && watcher.filter.Matches(*event.previous);
  std::string line;
  if (event.type == "DELETED") {
    if (matched) line = WatchEventLine("DELETED", event.object);
  } else if (now_matches) {
    line = WatchEventLine(matched || event.type == "ADDED" ? event.type : "ADDED", event.object);
  } else if (matched) {
    line = WatchEventLine("DELETED", event.object);
  }
  if (!line.empty()) watcher.sink->Deliver(std::make_shared<const std::string>(std::move(line)));
}

NoteStore::WatchStart NoteStore::Watch(NoteFilter filter, std::optional<int64_t> resource_version,
                                       std::shared_ptr<WatchSink> sink) {
  MutexLock lock(&mu_);
  Watcher watcher{std::move(filter), std::move(sink)};
  if (!resource_version.has_value() || *resource_version == 0) {
    for (const auto& [key, note] : notes_) {
      if (watcher.filter.Matches(note)) {
        watcher.sink->Deliver(std::make_shared<const std::string>(WatchEventLine("ADDED", note)));
      }
    }
  } else {
    if (*resource_version < compacted_) {
      return {0, Expired(absl::StrCat("too old resource version: ", *resource_version, " (", compacted_ + 1, ")"))};
    }
    for (const Event& event : history_) {
      if (event.resource_version > *resource_version) Send(event, watcher);
    }
  }
  const uint64_t id = next_watch_id_++;
  watchers_.emplace(id, std::move(watcher));
  return {id, std::nullopt};
}

void NoteStore::Unwatch(uint64_t id) {
  std::shared_ptr<WatchSink> sink;  // released after the lock: a sink's destructor may do anything
  MutexLock lock(&mu_);
  auto it = watchers_.find(id);
  if (it == watchers_.end()) return;
  sink = std::move(it->second.sink);
  watchers_.erase(it);
}

int64_t NoteStore::resource_version() const {
  MutexLock lock(&mu_);
  return resource_version_;
}

size_t NoteStore::watch_count() const {
  MutexLock lock(&mu_);
  return watchers_.size();
}

}  // namespace sample::notes
