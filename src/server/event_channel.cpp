#include "server/event_channel.h"

#include <utility>

namespace server {

void EventChannel::push(std::string_view bytes, bool close) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;  // the stream ended; late bytes have nowhere to go
    pending_ += bytes;
    closed_ = close;
  }
  ready_.notify_all();
}

EventChannel::Taken EventChannel::take(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, timeout, [&] { return !pending_.empty() || closed_; });
  Taken taken{.bytes = std::move(pending_), .closed = closed_};
  pending_.clear();
  return taken;
}

}  // namespace server
