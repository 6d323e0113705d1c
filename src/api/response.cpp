#include "api/response.h"

#include "api/check.h"

namespace api {

using Json = nlohmann::ordered_json;

std::string_view stop_reason_name(StopReason reason) {
  switch (reason) {
    case StopReason::kEndTurn:
      return "end_turn";
    case StopReason::kMaxTokens:
      return "max_tokens";
    case StopReason::kStopSequence:
      return "stop_sequence";
    case StopReason::kToolUse:
      return "tool_use";
    case StopReason::kPauseTurn:
      return "pause_turn";
    case StopReason::kRefusal:
      return "refusal";
    case StopReason::kModelContextWindowExceeded:
      return "model_context_window_exceeded";
  }
  API_CHECK(false, "unknown StopReason");
}

Json usage_json(const Usage& usage) {
  Json out;
  out["input_tokens"] = usage.input_tokens;
  out["cache_creation_input_tokens"] = usage.cache_creation_input_tokens;
  out["cache_read_input_tokens"] = usage.cache_read_input_tokens;
  // Our cache entries have no TTL classes; count them all as the default 5-minute kind.
  out["cache_creation"] = {{"ephemeral_5m_input_tokens", usage.cache_creation_input_tokens},
                           {"ephemeral_1h_input_tokens", 0}};
  out["output_tokens"] = usage.output_tokens;
  out["service_tier"] = "standard";
  return out;
}

Json content_block_json(const ResponseBlock& block) {
  Json out;
  if (const auto* text = std::get_if<TextBlock>(&block)) {
    out["type"] = "text";
    out["text"] = text->text;
  } else if (const auto* thinking = std::get_if<ThinkingBlock>(&block)) {
    out["type"] = "thinking";
    out["thinking"] = thinking->thinking;
    out["signature"] = thinking->signature;
  } else {
    const auto& tool_use = std::get<ToolUseBlock>(block);
    out["type"] = "tool_use";
    out["id"] = tool_use.id;
    out["name"] = tool_use.name;
    out["input"] = tool_use.input;
  }
  return out;
}

Json message_json(const ResponseMessage& message) {
  Json out;
  out["id"] = message.id;
  out["type"] = "message";
  out["role"] = "assistant";
  out["model"] = message.model;
  out["content"] = Json::array();
  for (const ResponseBlock& block : message.content)
    out["content"].push_back(content_block_json(block));
  out["stop_reason"] =
      message.stop_reason ? Json(stop_reason_name(*message.stop_reason)) : Json(nullptr);
  out["stop_sequence"] = message.stop_sequence ? Json(*message.stop_sequence) : Json(nullptr);
  out["stop_details"] = nullptr;  // only refusals carry details
  out["usage"] = usage_json(message.usage);
  return out;
}

std::string encode_message(const ResponseMessage& message) {
  return dump_json(message_json(message));
}

std::string encode_count_tokens(int64_t input_tokens) {
  return dump_json(Json{{"input_tokens", input_tokens}});
}

Json model_info_json(const ModelInfo& model) {
  Json out;
  out["type"] = "model";
  out["id"] = model.id;
  out["display_name"] = model.display_name;
  out["created_at"] = model.created_at;
  out["max_input_tokens"] = model.max_input_tokens ? Json(*model.max_input_tokens) : Json(nullptr);
  out["max_tokens"] = model.max_tokens ? Json(*model.max_tokens) : Json(nullptr);
  out["capabilities"] = nullptr;
  out["lifecycle"] = "active";
  out["line"] = nullptr;
  out["deprecated_at"] = nullptr;
  out["retires_at"] = nullptr;
  return out;
}

std::string encode_model(const ModelInfo& model) {
  return dump_json(model_info_json(model));
}

std::string encode_model_list(const std::vector<ModelInfo>& models) {
  Json out;
  out["data"] = Json::array();
  for (const ModelInfo& model : models) out["data"].push_back(model_info_json(model));
  out["has_more"] = false;
  out["first_id"] = models.empty() ? Json(nullptr) : Json(models.front().id);
  out["last_id"] = models.empty() ? Json(nullptr) : Json(models.back().id);
  return dump_json(out);
}

std::string dump_json(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace api
