// Hostile request bodies: deep nesting, huge strings, invalid UTF-8, key floods, and every field of
// a rich body replaced by every wrong type. Each must end in a clear error (or a valid request),
// never a crash, a hang or an error body that is not JSON.
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api/json_body.h"
#include "api/request_parser.h"

namespace api {
namespace {

using Json = nlohmann::ordered_json;

// Any outcome is fine as long as an error is a well-formed invalid_request_error.
void expect_clean_outcome(const std::string& body) {
  Result<MessagesRequest> result = parse_messages_request(body);
  if (result.ok()) return;
  EXPECT_EQ(result.error().type, ErrorType::kInvalidRequest);
  EXPECT_FALSE(result.error().message.empty());
  std::string error_body = error_json(result.error(), "req_1");
  EXPECT_TRUE(Json::accept(error_body)) << error_body;
}

std::string valid_body_around(const std::string& content_json) {
  return R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":)" + content_json +
         "}]}";
}

TEST(HostileBody, DeepNestingIsRefusedWithoutRecursion) {
  std::string deep(1'000'000, '[');
  Result<MessagesRequest> result = parse_messages_request(deep);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            "The request body is not valid JSON: arrays and objects nest deeper than the limit "
            "of 128 levels");
  std::string objects;
  for (int i = 0; i < 200'000; ++i) objects += "{\"a\":";
  EXPECT_FALSE(parse_messages_request(objects).ok());
}

TEST(HostileBody, NestingUpToTheLimitIsAccepted) {
  // The body object, "tools", the tool, "input_schema": 4 levels, then the schema's own nesting.
  auto body_with_schema_depth = [](int extra) {
    std::string schema = R"({"type":"object","properties":)";
    for (int i = 0; i < extra; ++i) schema += "[";
    for (int i = 0; i < extra; ++i) schema += "]";
    schema += "}";
    return R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"t","input_schema":)" +
           schema + "}]}";
  };
  EXPECT_TRUE(parse_messages_request(body_with_schema_depth(kMaxJsonDepth - 4)).ok());
  EXPECT_FALSE(parse_messages_request(body_with_schema_depth(kMaxJsonDepth - 3)).ok());
}

TEST(HostileBody, HugeStringsParse) {
  std::string text(4'000'000, 'a');
  Result<MessagesRequest> result = parse_messages_request(valid_body_around("\"" + text + "\""));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(std::get<TextBlock>(result.value().prompt.messages[0].content[0]).text.size(),
            text.size());
}

TEST(HostileBody, InvalidUtf8IsAJsonError) {
  const std::vector<std::string> bad = {
      "\"\xff\"",              // never valid
      "\"\xc3\"",              // truncated sequence
      "\"\xc0\xaf\"",          // overlong '/'
      "\"\xed\xa0\x80\"",      // UTF-8-encoded surrogate
      "\"\\ud800\"",           // lone surrogate escape
      "\"\\udc00x\"",          // lone low surrogate
      "\"\xf4\x90\x80\x80\"",  // past U+10FFFF
  };
  for (const std::string& content : bad) {
    Result<MessagesRequest> result = parse_messages_request(valid_body_around(content));
    ASSERT_FALSE(result.ok()) << content;
    EXPECT_EQ(result.error().message.rfind("The request body is not valid JSON: ", 0), 0u)
        << result.error().message;
    EXPECT_TRUE(Json::accept(error_json(result.error())));
  }
  EXPECT_TRUE(parse_messages_request(valid_body_around("\"caf\xc3\xa9 \\ud83d\\ude00\"")).ok());
}

TEST(HostileBody, KeyFloodsStayFast) {
  auto start = std::chrono::steady_clock::now();
  std::string same = "{";
  for (int i = 0; i < 100'000; ++i) same += "\"k\":1,";
  same += "\"k\":2}";
  Result<Json> parsed = parse_json_body(same);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().size(), 1u);
  EXPECT_EQ(parsed.value()["k"], 2);
  std::string distinct = "{";
  for (int i = 0; i < 100'000; ++i) distinct += "\"k" + std::to_string(i) + "\":1,";
  distinct += "\"model\":\"m\"}";
  expect_clean_outcome(distinct);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 30.0);  // a quadratic duplicate search would take many minutes
}

TEST(HostileBody, DuplicateKeysKeepFirstPositionAndLastValue) {
  Result<Json> parsed = parse_json_body(R"({"b":1,"a":2,"b":3,"c":4,"a":5,"b":6})");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().dump(), R"({"b":6,"a":5,"c":4})");
}

// A body that exercises every parser path.
const char* kRichBody = R"({"model":"m","max_tokens":4096,"stream":true,"temperature":0.2,
  "top_p":0.9,"top_k":5,"stop_sequences":["X"],"metadata":{"user_id":"{\"session_id\":\"s\"}"},
  "system":[{"type":"text","text":"S"}],
  "thinking":{"type":"enabled","budget_tokens":2048,"display":"omitted"},
  "output_config":{"effort":"low","format":{"type":"json_schema","schema":{"type":"object"}}},
  "tools":[{"name":"t","description":"d","input_schema":{"type":"object","properties":{"a":{"type":"string"}}},"defer_loading":false},
           {"type":"web_search_20250305","name":"web_search"}],
  "tool_choice":{"type":"auto","disable_parallel_tool_use":false},
  "messages":[
    {"role":"system","content":[{"type":"text","text":"mode"}]},
    {"role":"user","content":[{"type":"text","text":"a"},
      {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AA=="}},
      {"type":"document","source":{"type":"content","content":[{"type":"text","text":"p"}]},"title":"t"},
      {"type":"search_result","source":"s","title":"t","content":[{"type":"text","text":"r"}]}]},
    {"role":"assistant","content":[{"type":"thinking","thinking":"h","signature":"s"},
      {"type":"redacted_thinking","data":"d"},{"type":"tool_use","id":"i","name":"t","input":{"a":"b"}}]},
    {"role":"user","content":[{"type":"tool_result","tool_use_id":"i","is_error":true,
      "content":[{"type":"text","text":"r"},{"type":"tool_reference","tool_name":"t"}]}]}]})";

// Calls `visit` with a pointer to every value in the tree, parents before children.
void for_each_value(Json& value, const std::function<void(Json&)>& visit) {
  visit(value);
  if (value.is_structured()) {
    for (auto& child : value) for_each_value(child, visit);
  }
}

TEST(HostileBody, EveryFieldWithEveryWrongType) {
  ASSERT_TRUE(parse_messages_request(kRichBody).ok());
  const Json original = Json::parse(kRichBody);
  const std::vector<Json> replacements = {
      nullptr,          true, -1, 1.5, "x", Json::array({1, "a"}), Json{{"type", "text"}},
      Json{{"type", 7}}};
  std::size_t n_values = 0;
  {
    Json probe = original;
    for_each_value(probe, [&](Json&) { ++n_values; });
  }
  std::size_t outcomes = 0;
  for (std::size_t target = 1; target < n_values; ++target) {
    for (const Json& replacement : replacements) {
      Json mutated = original;
      std::size_t index = 0;
      for_each_value(mutated, [&](Json& value) {
        if (index++ == target) value = replacement;
      });
      expect_clean_outcome(mutated.dump());
      ++outcomes;
    }
  }
  EXPECT_GT(outcomes, 800u);
}

TEST(HostileBody, RandomByteMutations) {
  const std::string original = kRichBody;
  std::mt19937 rng(12345);
  for (int i = 0; i < 1000; ++i) {
    std::string mutated = original;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = rng() % mutated.size();
      switch (rng() % 3) {
        case 0:
          mutated[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          mutated.erase(at, 1 + rng() % 8);
          break;
        default:
          mutated.insert(at, 1, "{}[]\",:\\0a\x80"[rng() % 12]);
          break;
      }
    }
    expect_clean_outcome(mutated);
  }
}

}  // namespace
}  // namespace api
