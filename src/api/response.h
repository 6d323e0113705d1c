// Response JSON: the non-streaming `message` object, its usage block, the count_tokens answer and
// the /v1/models objects. Shapes follow the SDK's Message, Usage, MessageTokensCount and ModelInfo
// types and recordings of the real API (key order included: id, type, role, model, content, ...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/types.h"

namespace api {

enum class StopReason {
  kEndTurn,
  kMaxTokens,
  kStopSequence,
  kToolUse,
  kPauseTurn,
  kRefusal,
  kModelContextWindowExceeded,
};

// "end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal",
// "model_context_window_exceeded".
std::string_view stop_reason_name(StopReason reason);

// Token counts of one request. Anthropic's total input is the sum of the three input fields:
// `input_tokens` are the prompt tokens processed anew, `cache_read_input_tokens` those reused from
// the prompt cache, `cache_creation_input_tokens` those written to it.
struct Usage {
  int64_t input_tokens = 0;
  int64_t cache_creation_input_tokens = 0;
  int64_t cache_read_input_tokens = 0;
  int64_t output_tokens = 0;
  friend bool operator==(const Usage&, const Usage&) = default;
};

// The usage object of a message (and of message_start):
//   {"input_tokens":..,"cache_creation_input_tokens":..,"cache_read_input_tokens":..,
//    "cache_creation":{"ephemeral_5m_input_tokens":..,"ephemeral_1h_input_tokens":0},
//    "output_tokens":..,"service_tier":"standard"}
nlohmann::ordered_json usage_json(const Usage& usage);

using ResponseBlock = std::variant<TextBlock, ThinkingBlock, ToolUseBlock>;

struct ResponseMessage {
  std::string id;     // "msg_..."
  std::string model;  // echoed from the request
  std::vector<ResponseBlock> content;
  std::optional<StopReason> stop_reason;  // nullopt only in message_start
  std::optional<std::string> stop_sequence;
  Usage usage;
  friend bool operator==(const ResponseMessage&, const ResponseMessage&) = default;
};

nlohmann::ordered_json content_block_json(const ResponseBlock& block);
nlohmann::ordered_json message_json(const ResponseMessage& message);

// The body of a non-streaming /v1/messages answer.
std::string encode_message(const ResponseMessage& message);

// The body of a /v1/messages/count_tokens answer: {"input_tokens":N}.
std::string encode_count_tokens(int64_t input_tokens);

// A model as /v1/models lists it.
struct ModelInfo {
  std::string id;
  std::string display_name;
  std::string created_at;  // RFC 3339, e.g. "2025-05-14T00:00:00Z"
  std::optional<int64_t> max_input_tokens;
  std::optional<int64_t> max_tokens;
};

nlohmann::ordered_json model_info_json(const ModelInfo& model);
// GET /v1/models/{id}.
std::string encode_model(const ModelInfo& model);
// GET /v1/models: one page holding every model, {"data":[...],"has_more":false,...}.
std::string encode_model_list(const std::vector<ModelInfo>& models);

// Every JSON text this layer writes: compact, UTF-8 kept as is, invalid bytes replaced by U+FFFD
// (model output is not trusted to be valid UTF-8).
std::string dump_json(const nlohmann::ordered_json& value);

}  // namespace api
