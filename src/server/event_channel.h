// The bytes of one streaming response on their way from the scheduler's worker thread, which
// writes whole SSE events, to the HTTP thread, which sends them. Each push() holds whole events,
// so the HTTP side may put an `event: ping` between any two takes; the push that ends the stream
// closes the channel in the same step, so no ping can slip in after message_stop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>

namespace server {

class EventChannel {
 public:
  // Appends whole events; `close` marks them as the last.
  void push(std::string_view bytes, bool close = false);

  struct Taken {
    std::string bytes;
    bool closed = false;  // nothing more will come
  };
  // Waits up to `timeout` for bytes or the close, then takes everything pending.
  Taken take(std::chrono::milliseconds timeout);

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::string pending_;
  bool closed_ = false;
};

}  // namespace server
