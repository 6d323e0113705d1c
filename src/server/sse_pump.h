// Sends a streaming response from its EventChannel to the client, on the HTTP thread (inside
// cpp-httplib's chunked content provider). The stream never goes quiet: after `ping_interval`
// without an event it writes `event: ping`. A client that goes away is noticed within
// kDisconnectPoll (cpp-httplib's DataSink::is_writable peeks at the socket) or at the first failed
// write, and its run is cancelled at once.
#pragma once

#include <chrono>

#include <httplib.h>

#include "serve/generation.h"
#include "server/event_channel.h"

namespace server {

inline constexpr std::chrono::milliseconds kDisconnectPoll{100};

// The bytes of Anthropic's keep-alive event.
inline constexpr std::string_view kPingEvent = "event: ping\ndata: {\"type\": \"ping\"}\n\n";

// Returns true when the whole stream was sent; false (after cancelling the run) when the client
// left. On shutdown the scheduler cancels the run, whose stream then ends with an error event.
bool pump_events(EventChannel& channel, httplib::DataSink& sink, serve::CancelFlag& cancel,
                 std::chrono::milliseconds ping_interval);

}  // namespace server
