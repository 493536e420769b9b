#include "notes/note_watch.h"

#include <deque>
#include <string>
#include <utility>

#include "base/mutex.h"
#include "lifecycle/signal.h"

namespace sample::notes {
namespace {

using apiserve::base::MutexLock;

class NoteWatch : public WatchSink, public std::enable_shared_from_this<NoteWatch> {
 public:
  NoteWatch(std::shared_ptr<NoteStore> store, apiserve::http::RequestPtr request, apiserve::http::ResponseWriter writer,
            size_t max_pending_bytes)
      : store_(std::move(store)),
        request_(std::move(request)),
        max_pending_bytes_(max_pending_bytes),
        writer_(std::move(writer)) {}

  // Start registers with the store and arms the end conditions. Loop thread.
  void Start(NoteFilter filter, std::optional<int64_t> resource_version, absl::Duration timeout) {
    std::weak_ptr<NoteWatch> weak = weak_from_this();
    if (!writer_.WriteHead(200, apiserve::http::HeaderMap{{"Content-Type", "application/json"}}).ok()) return;
    std::shared_ptr<NoteStore> store = store_.lock();
    if (store == nullptr) return;
    NoteStore::WatchStart started = store->Watch(std::move(filter), resource_version, shared_from_this());
    if (started.error.has_value()) {
      // kube's answer to a watch from a compacted resourceVersion: one ERROR event with the Status, then the end.
      absl::StatusOr<JsonValue> status = apiserve::http::ParseJson(EncodeStatus(*started.error));
      writer_.Write(WatchEventLine("ERROR", *status)).IgnoreError();
      writer_.Finish().IgnoreError();
      return;
    }
    watch_id_ = started.id;
    if (timeout != absl::InfiniteDuration()) {
      timer_ = request_->executor->RunAfter(timeout, [weak] {
        if (auto self = weak.lock()) self->End();
      });
    }
    if (request_->shutting_down != nullptr) {
      apiserve::base::Executor* loop = request_->executor;
      shutdown_ = request_->shutting_down->OnFired([weak, loop] {
        loop->Post([weak] {
          if (auto self = weak.lock()) self->End();
        });
      });
    }
    writer_.OnComplete([weak](const apiserve::http::Completion&) {
      if (auto self = weak.lock()) self->End();  // the client left: stop watching
    });
  }

  void Deliver(std::shared_ptr<const std::string> line) override {
    MutexLock lock(&mu_);
    if (!overflowed_) {
      pending_bytes_ += line->size();
      if (pending_bytes_ > max_pending_bytes_) {
        overflowed_ = true;
        pending_.clear();
      } else {
        pending_.push_back(std::move(line));
      }
    }
    if (!flush_posted_) {
      flush_posted_ = true;
      std::weak_ptr<NoteWatch> weak = weak_from_this();
      request_->executor->Post([weak] {
        if (auto self = weak.lock()) self->Flush();
      });
    }
  }

 private:
  // Flush writes what is queued, pausing while the writer is above its high-water mark. Loop thread.
  void Flush() {
    bool overflowed;
    {
      MutexLock lock(&mu_);
      flush_posted_ = false;
      overflowed = overflowed_;
      for (auto& line : pending_) unsent_.push_back(std::move(line));
      pending_.clear();
    }
    if (ended_) return;
    if (overflowed) {
      End();
      return;
    }
    size_t written_bytes = 0;
    absl::Status written;
    while (!unsent_.empty()) {
      written = writer_.Write(*unsent_.front());
      if (!written.ok()) break;
      written_bytes += unsent_.front()->size();
      unsent_.pop_front();
    }
    {
      MutexLock lock(&mu_);
      pending_bytes_ -= written_bytes;
    }
    if (absl::IsResourceExhausted(written)) {
      std::weak_ptr<NoteWatch> weak = weak_from_this();
      writer_.OnWritable([weak] {
        if (auto self = weak.lock()) self->Flush();
      });
    } else if (!written.ok()) {
      End();
    }
  }

  // End stops the watch and ends the stream. Idempotent. Loop thread.
  void End() {
    if (ended_) return;
    ended_ = true;
    if (std::shared_ptr<NoteStore> store = store_.lock(); store != nullptr && watch_id_ != 0) store->Unwatch(watch_id_);
    timer_.Cancel();
    shutdown_.Cancel();
    writer_.Finish().IgnoreError();
  }

  // Weak: the store holds this watch until Unwatch; a strong reference back would make a cycle.
  const std::weak_ptr<NoteStore> store_;
  const apiserve::http::RequestPtr request_;
  const size_t max_pending_bytes_;

  // Loop thread only.
  apiserve::http::ResponseWriter writer_;
  uint64_t watch_id_ = 0;
  apiserve::base::CancelHandle timer_;
  apiserve::lifecycle::Subscription shutdown_;
  std::deque<std::shared_ptr<const std::string>> unsent_;
  bool ended_ = false;

  apiserve::base::Mutex mu_;
  std::deque<std::shared_ptr<const std::string>> pending_ ABSL_GUARDED_BY(mu_);
  size_t pending_bytes_ ABSL_GUARDED_BY(mu_) = 0;  // queued, not yet taken by the writer (pending_ and unsent_)
  bool flush_posted_ ABSL_GUARDED_BY(mu_) = false;
  bool overflowed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

void StartWatch(std::shared_ptr<NoteStore> store, NoteFilter filter, std::optional<int64_t> resource_version,
                apiserve::http::RequestPtr request, apiserve::http::ResponseWriter writer, WatchOptions options) {
  auto watch =
      std::make_shared<NoteWatch>(std::move(store), std::move(request), std::move(writer), options.max_pending_bytes);
  watch->Start(std::move(filter), resource_version, options.timeout);
}

}  // namespace sample::notes
