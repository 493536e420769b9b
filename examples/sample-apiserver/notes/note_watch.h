#ifndef SAMPLE_APISERVER_NOTES_NOTE_WATCH_H_
#define SAMPLE_APISERVER_NOTES_NOTE_WATCH_H_

// StartWatch serves one `?watch=true` request: a 200 stream of JSON watch events, one per line, from the store,
// until the first of: the watch timeout (chain::WatchTimeout: ?timeoutSeconds or --min-request-timeout), the
// server shutting down (the request's shutting_down signal: the stream ends cleanly, as kube's watches do), the
// client leaving, or the client reading too slowly (more than `max_pending_bytes` queued: the stream ends, as
// kube's watch cache drops a blocked watcher). A resourceVersion older than the store keeps gets kube's answer: one
// ERROR event carrying a 410 Expired Status.
//
// Threading: call on the request's loop. Events are written on that loop whatever thread stored them; the
// writer's backpressure (ResourceExhausted, OnWritable) is honoured.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "absl/time/time.h"
#include "http/request.h"
#include "http/response_writer.h"
#include "notes/note_object.h"
#include "notes/note_store.h"

namespace sample::notes {

struct WatchOptions {
  absl::Duration timeout = absl::InfiniteDuration();
  size_t max_pending_bytes = size_t{8} << 20;
};

void StartWatch(std::shared_ptr<NoteStore> store, NoteFilter filter, std::optional<int64_t> resource_version,
                apiserve::http::RequestPtr request, apiserve::http::ResponseWriter writer, WatchOptions options);

}  // namespace sample::notes

#endif  // SAMPLE_APISERVER_NOTES_NOTE_WATCH_H_
