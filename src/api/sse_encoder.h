// Anthropic's server-sent events for a streaming /v1/messages answer, byte for byte as the API
// writes them ("event: <name>\ndata: <json>\n\n", compact JSON, keys in the API's order):
//
//   message_start {"type":"message_start","message":{...,"content":[],"stop_reason":null,...}}
//   content_block_start
//   {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}
//   content_block_delta
//   {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}
//                        (thinking_delta, signature_delta, input_json_delta with partial_json)
//   content_block_stop   {"type":"content_block_stop","index":0}
//   message_delta        {"type":"message_delta","delta":{"stop_reason":..,"stop_sequence":..,
//                         "stop_details":null},"usage":{input, cache and output counts}}
//   message_stop         {"type":"message_stop"}
//   ping                 {"type": "ping"}   (the API writes this one with a space)
//   error                {"type":"error","error":{"type":..,"message":..}}
#pragma once

#include <functional>
#include <string_view>
#include <utility>

#include "api/response_sink.h"

namespace api {

// The Content-Type of an SSE response.
inline constexpr std::string_view kSseContentType = "text/event-stream; charset=utf-8";

class SseEncoder final : public ResponseSink {
 public:
  // Receives the bytes of each event, one whole event per call.
  using Writer = std::function<void(std::string_view bytes)>;

  explicit SseEncoder(Writer writer) : writer_(std::move(writer)) {}

 protected:
  void on_start(const ResponseMessage& message) override;
  void on_begin_block(int index, const ResponseBlock& block) override;
  void on_delta(int index, Delta type, std::string_view value) override;
  void on_end_block(int index, nlohmann::ordered_json tool_input) override;
  void on_finish(StopReason reason, std::optional<std::string_view> stop_sequence,
                 const Usage& usage) override;
  void on_ping() override;
  void on_fail(const Error& error) override;

 private:
  void emit(std::string_view event, const nlohmann::ordered_json& data);

  Writer writer_;
};

}  // namespace api
