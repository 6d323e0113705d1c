// Response JSON, errors and ids, byte for byte.
#include "api/response.h"

#include <set>

#include <gtest/gtest.h>

#include "api/error.h"
#include "api/ids.h"

namespace api {
namespace {

TEST(Errors, TypesAndStatuses) {
  const std::pair<ErrorType, std::pair<const char*, int>> table[] = {
      {ErrorType::kInvalidRequest, {"invalid_request_error", 400}},
      {ErrorType::kAuthentication, {"authentication_error", 401}},
      {ErrorType::kBilling, {"billing_error", 402}},
      {ErrorType::kPermission, {"permission_error", 403}},
      {ErrorType::kNotFound, {"not_found_error", 404}},
      {ErrorType::kRequestTooLarge, {"request_too_large", 413}},
      {ErrorType::kRateLimit, {"rate_limit_error", 429}},
      {ErrorType::kApi, {"api_error", 500}},
      {ErrorType::kTimeout, {"timeout_error", 504}},
      {ErrorType::kOverloaded, {"overloaded_error", 529}},
  };
  for (const auto& [type, expected] : table) {
    EXPECT_EQ(error_type_name(type), expected.first);
    EXPECT_EQ(http_status(type), expected.second);
  }
}

TEST(Errors, Body) {
  EXPECT_EQ(error_json(Error::invalid_request("max_tokens: Field required"), "req_011CYfUGm894"),
            R"({"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: )"
            R"(Field required"},"request_id":"req_011CYfUGm894"})");
  EXPECT_EQ(error_json(Error::overloaded("Overloaded")),
            R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  // Never throws on bytes that are not UTF-8.
  EXPECT_EQ(error_json(Error::api("bad \xff byte")),
            "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"bad \xef\xbf\xbd "
            "byte\"}}");
}

TEST(Errors, Result) {
  Result<int> good = 5;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.value(), 5);
  Result<int> bad = Error::not_found("model: x");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), (Error{ErrorType::kNotFound, "model: x"}));
  EXPECT_DEATH((void)bad.value(), "value\\(\\) of a failed Result: model: x");
  EXPECT_DEATH((void)good.error(), "error\\(\\) of a successful Result");
}

TEST(Ids, ShapeAndUniqueness) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    for (const auto& [id, prefix] : {std::pair{make_message_id(), std::string("msg_01")},
                                     std::pair{make_tool_use_id(), std::string("toolu_01")},
                                     std::pair{make_request_id(), std::string("req_01")}}) {
      ASSERT_EQ(id.rfind(prefix, 0), 0u) << id;
      ASSERT_EQ(id.size(), prefix.size() + kIdRandomChars) << id;
      for (char c : id.substr(prefix.size()))
        ASSERT_NE(kIdAlphabet.find(c), std::string::npos) << id;
      EXPECT_TRUE(seen.insert(id).second) << id;
    }
  }
}

TEST(Response, StopReasonNames) {
  EXPECT_EQ(stop_reason_name(StopReason::kEndTurn), "end_turn");
  EXPECT_EQ(stop_reason_name(StopReason::kMaxTokens), "max_tokens");
  EXPECT_EQ(stop_reason_name(StopReason::kStopSequence), "stop_sequence");
  EXPECT_EQ(stop_reason_name(StopReason::kToolUse), "tool_use");
  EXPECT_EQ(stop_reason_name(StopReason::kPauseTurn), "pause_turn");
  EXPECT_EQ(stop_reason_name(StopReason::kRefusal), "refusal");
  EXPECT_EQ(stop_reason_name(StopReason::kModelContextWindowExceeded),
            "model_context_window_exceeded");
}

TEST(Response, MessageBytes) {
  ResponseMessage message;
  message.id = "msg_01XFDUDYJgAACzvnptvVoYEL";
  message.model = "qwen3-8b";
  message.content.push_back(ThinkingBlock{"Let me see.", "sig"});
  message.content.push_back(TextBlock{"It is \"sunny\" \xe2\x98\x80."});
  ToolUseBlock tool{"toolu_01D7FLrfh4GYq7yT1ULFeyMV", "get_weather",
                    nlohmann::ordered_json::object()};
  tool.input["zeta"] = "z";
  tool.input["alpha"] = 1;
  message.content.push_back(tool);
  message.stop_reason = StopReason::kToolUse;
  message.usage = {.input_tokens = 25,
                   .cache_creation_input_tokens = 3,
                   .cache_read_input_tokens = 100,
                   .output_tokens = 42};
  EXPECT_EQ(encode_message(message),
            R"({"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant",)"
            R"("model":"qwen3-8b","content":[)"
            R"({"type":"thinking","thinking":"Let me see.","signature":"sig"},)"
            "{\"type\":\"text\",\"text\":\"It is \\\"sunny\\\" \xe2\x98\x80.\"},"
            R"({"type":"tool_use","id":"toolu_01D7FLrfh4GYq7yT1ULFeyMV","name":"get_weather",)"
            R"("input":{"zeta":"z","alpha":1}}],)"
            R"("stop_reason":"tool_use","stop_sequence":null,"stop_details":null,)"
            R"("usage":{"input_tokens":25,"cache_creation_input_tokens":3,)"
            R"("cache_read_input_tokens":100,"cache_creation":{"ephemeral_5m_input_tokens":3,)"
            R"("ephemeral_1h_input_tokens":0},"output_tokens":42,"service_tier":"standard"}})");
}

TEST(Response, StopSequenceAndInvalidUtf8FromTheModel) {
  ResponseMessage message;
  message.id = "msg_1";
  message.model = "m";
  message.content.push_back(TextBlock{"half \xe2\x98"});
  message.stop_reason = StopReason::kStopSequence;
  message.stop_sequence = "END";
  std::string json = encode_message(message);
  EXPECT_NE(json.find("\"text\":\"half \xef\xbf\xbd\""), std::string::npos) << json;
  EXPECT_NE(json.find(R"("stop_reason":"stop_sequence","stop_sequence":"END")"), std::string::npos);
}

TEST(Response, CountTokens) {
  EXPECT_EQ(encode_count_tokens(1234), R"({"input_tokens":1234})");
}

TEST(Response, Models) {
  ModelInfo a{"qwen3-8b", "Qwen3 8B", "2025-04-29T00:00:00Z", 40960, 32768};
  ModelInfo b{"llama", "Llama", "2024-01-01T00:00:00Z", std::nullopt, std::nullopt};
  EXPECT_EQ(encode_model(a),
            R"({"type":"model","id":"qwen3-8b","display_name":"Qwen3 8B",)"
            R"("created_at":"2025-04-29T00:00:00Z","max_input_tokens":40960,"max_tokens":32768,)"
            R"("capabilities":null,"lifecycle":"active","line":null,"deprecated_at":null,)"
            R"("retires_at":null})");
  std::string list = encode_model_list({a, b});
  EXPECT_EQ(list.rfind(R"({"data":[{"type":"model","id":"qwen3-8b")", 0), 0u) << list;
  EXPECT_NE(list.find(R"("max_input_tokens":null,"max_tokens":null)"), std::string::npos);
  EXPECT_EQ(list.substr(list.size() - 60),
            R"(}],"has_more":false,"first_id":"qwen3-8b","last_id":"llama"})");
  EXPECT_EQ(encode_model_list({}),
            R"({"data":[],"has_more":false,"first_id":null,"last_id":null})");
}

}  // namespace
}  // namespace api
