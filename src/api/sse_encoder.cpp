#include "api/sse_encoder.h"

#include <string>

namespace api {

using Json = nlohmann::ordered_json;

void SseEncoder::emit(std::string_view event, const Json& data) {
  std::string bytes = "event: ";
  bytes += event;
  bytes += "\ndata: ";
  bytes += dump_json(data);
  bytes += "\n\n";
  writer_(bytes);
}

void SseEncoder::on_start(const ResponseMessage& message) {
  Json data;
  data["type"] = "message_start";
  data["message"] = message_json(message);
  emit("message_start", data);
}

void SseEncoder::on_begin_block(int index, const ResponseBlock& block) {
  Json data;
  data["type"] = "content_block_start";
  data["index"] = index;
  data["content_block"] = content_block_json(block);
  emit("content_block_start", data);
}

void SseEncoder::on_delta(int index, Delta type, std::string_view value) {
  Json delta;
  switch (type) {
    case Delta::kText:
      delta["type"] = "text_delta";
      delta["text"] = value;
      break;
    case Delta::kThinking:
      delta["type"] = "thinking_delta";
      delta["thinking"] = value;
      break;
    case Delta::kSignature:
      delta["type"] = "signature_delta";
      delta["signature"] = value;
      break;
    case Delta::kInputJson:
      delta["type"] = "input_json_delta";
      delta["partial_json"] = value;
      break;
  }
  Json data;
  data["type"] = "content_block_delta";
  data["index"] = index;
  data["delta"] = std::move(delta);
  emit("content_block_delta", data);
}

void SseEncoder::on_end_block(int index, Json) {
  Json data;
  data["type"] = "content_block_stop";
  data["index"] = index;
  emit("content_block_stop", data);
}

void SseEncoder::on_finish(StopReason reason, std::optional<std::string_view> stop_sequence,
                           const Usage& usage) {
  Json delta;
  delta["stop_reason"] = stop_reason_name(reason);
  delta["stop_sequence"] = stop_sequence ? Json(*stop_sequence) : Json(nullptr);
  delta["stop_details"] = nullptr;
  // message_delta carries the cumulative counts, without the cache_creation breakdown.
  Json counts;
  counts["input_tokens"] = usage.input_tokens;
  counts["cache_creation_input_tokens"] = usage.cache_creation_input_tokens;
  counts["cache_read_input_tokens"] = usage.cache_read_input_tokens;
  counts["output_tokens"] = usage.output_tokens;
  Json data;
  data["type"] = "message_delta";
  data["delta"] = std::move(delta);
  data["usage"] = std::move(counts);
  emit("message_delta", data);
  emit("message_stop", Json{{"type", "message_stop"}});
}

void SseEncoder::on_ping() {
  writer_("event: ping\ndata: {\"type\": \"ping\"}\n\n");
}

void SseEncoder::on_fail(const Error& error) {
  writer_("event: error\ndata: " + error_json(error) + "\n\n");
}

}  // namespace api
