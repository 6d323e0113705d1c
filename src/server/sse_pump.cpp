#include "server/sse_pump.h"

#include <algorithm>

namespace server {

bool pump_events(EventChannel& channel, httplib::DataSink& sink, serve::CancelFlag& cancel,
                 std::chrono::milliseconds ping_interval) {
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_write = Clock::now();
  while (true) {
    const auto quiet =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last_write);
    const auto wait =
        std::clamp(ping_interval - quiet, std::chrono::milliseconds(1), kDisconnectPoll);
    EventChannel::Taken taken = channel.take(wait);
    if (!taken.bytes.empty()) {
      if (!sink.write(taken.bytes.data(), taken.bytes.size())) break;
      last_write = Clock::now();
    }
    if (taken.closed) {
      sink.done();
      return true;
    }
    if (!sink.is_writable()) break;
    if (Clock::now() - last_write >= ping_interval) {
      if (!sink.write(kPingEvent.data(), kPingEvent.size())) break;
      last_write = Clock::now();
    }
  }
  cancel.cancel();
  return false;
}

}  // namespace server
