#include "http2/closed_streams.h"

namespace apiserve::http2 {

ClosedStreams::Entry* ClosedStreams::Find(int32_t id) {
  for (Entry& entry : entries_) {
    if (entry.id == id) return &entry;
  }
  return nullptr;
}

void ClosedStreams::Remember(int32_t id, By by) {
  if (id <= 0) return;
  if (Entry* entry = Find(id); entry != nullptr) {
    entry->by = by;
    return;
  }
  entries_[next_] = Entry{id, by};
  next_ = (next_ + 1) % kCapacity;
}

void ClosedStreams::OnPeerReset(int32_t id) {
  if (Find(id) != nullptr) return;  // ours already, or the client's already
  Remember(id, By::kPeer);
}

void ClosedStreams::OnOurReset(int32_t id) { Remember(id, By::kUs); }

bool ClosedStreams::TakeStreamClosedAnswer(int32_t id) {
  Entry* entry = Find(id);
  if (entry == nullptr || entry->by != By::kPeer) return false;
  entry->by = By::kUs;
  return true;
}

}  // namespace apiserve::http2
