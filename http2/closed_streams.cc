#include "http2/closed_streams.h"

namespace apiserve::http2 {

ClosedStreams::Entry* ClosedStreams::Find(int32_t id) {
  for (Entry& entry : entries_) {
    if (entry.id == id) return &entry;
  }
  return nullptr;
}

void ClosedStreams::Set(Entry& entry, Entry value) {
  if (entry.id != 0 && entry.by == By::kPeer) --awaiting_answer_;
  entry = value;
  if (entry.id != 0 && entry.by == By::kPeer) ++awaiting_answer_;
}

void ClosedStreams::Remember(int32_t id, By by) {
  if (id <= 0) return;
  if (Entry* entry = Find(id); entry != nullptr) {
    Set(*entry, Entry{id, by});
    return;
  }
  Set(entries_[next_], Entry{id, by});
  next_ = (next_ + 1) % kCapacity;
}

void ClosedStreams::OnPeerReset(int32_t id) {
  if (Find(id) != nullptr) return;  // ours already, or the client's already
  Remember(id, By::kPeer);
}

void ClosedStreams::OnOurReset(int32_t id) { Remember(id, By::kUs); }

bool ClosedStreams::TakeStreamClosedAnswer(int32_t id) {
  if (awaiting_answer_ == 0) return false;
  Entry* entry = Find(id);
  if (entry == nullptr || entry->by != By::kPeer) return false;
  Set(*entry, Entry{id, By::kUs});
  return true;
}

}  // namespace apiserve::http2
