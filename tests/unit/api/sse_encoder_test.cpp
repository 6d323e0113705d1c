// SseEncoder writes Anthropic's event bytes exactly; MessageAccumulator builds the same message
// from the same events; misuse of the event grammar is a CHECK failure.
#include "api/sse_encoder.h"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "api/message_accumulator.h"

namespace api {
namespace {

const Usage kStartUsage{.input_tokens = 25,
                        .cache_creation_input_tokens = 0,
                        .cache_read_input_tokens = 1000,
                        .output_tokens = 1};
const Usage kFinalUsage{.input_tokens = 25,
                        .cache_creation_input_tokens = 0,
                        .cache_read_input_tokens = 1000,
                        .output_tokens = 42};

// Thinking, text and a tool call, as the server would drive any sink.
void drive_tool_turn(ResponseSink& sink) {
  sink.start("msg_01XFDUDYJgAACzvnptvVoYEL", "qwen3-8b", kStartUsage);
  sink.begin_thinking();
  sink.ping();
  sink.thinking("The user wants ");
  sink.thinking("the weather.");
  sink.signature("c2lnbmF0dXJl");
  sink.end_block();
  sink.begin_text();
  sink.text("Checking \"Paris\"");
  sink.text(" \xe2\x98\x80\n");
  sink.end_block();
  sink.begin_tool_use("toolu_01D7FLrfh4GYq7yT1ULFeyMV", "get_weather");
  sink.input_json("");
  sink.input_json("{\"city\": \"Pa");
  sink.input_json("ris\", \"units\": [\"c\"]}");
  sink.end_block();
  sink.finish(StopReason::kToolUse, std::nullopt, kFinalUsage);
}

std::string read_data(const std::string& name) {
  std::ifstream file(std::string(AL_SOURCE_DIR) + "/tests/data/api/" + name, std::ios::binary);
  EXPECT_TRUE(file) << name;
  std::stringstream out;
  out << file.rdbuf();
  return out.str();
}

TEST(SseEncoder, ToolTurnBytes) {
  std::string out;
  int writes = 0;
  SseEncoder encoder([&](std::string_view bytes) {
    out += bytes;
    ++writes;
  });
  drive_tool_turn(encoder);
  EXPECT_TRUE(encoder.done());
  EXPECT_EQ(encoder.block_count(), 3);
  EXPECT_EQ(writes, 18);  // one write per event
  // The golden file is also checked by tests/e2e/sse_grammar.test.mjs.
  EXPECT_EQ(out, read_data("sse_tool_turn.txt"));
}

TEST(SseEncoder, TextTurnBytes) {
  std::string out;
  SseEncoder encoder([&](std::string_view bytes) { out += bytes; });
  encoder.start("msg_1", "m", Usage{.input_tokens = 3});
  encoder.begin_text();
  encoder.text("Hi");
  encoder.end_block();
  encoder.finish(StopReason::kStopSequence, "END", Usage{.input_tokens = 3, .output_tokens = 2});
  EXPECT_EQ(
      out,
      "event: message_start\n"
      R"(data: {"type":"message_start","message":{"id":"msg_1","type":"message",)"
      R"("role":"assistant","model":"m","content":[],"stop_reason":null,)"
      R"("stop_sequence":null,"stop_details":null,"usage":{"input_tokens":3,)"
      R"("cache_creation_input_tokens":0,"cache_read_input_tokens":0,)"
      R"("cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},)"
      R"("output_tokens":0,"service_tier":"standard"}}})"
      "\n\n"
      "event: content_block_start\n"
      R"(data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"
      "\n\n"
      "event: content_block_delta\n"
      R"(data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}})"
      "\n\n"
      "event: content_block_stop\n"
      R"(data: {"type":"content_block_stop","index":0})"
      "\n\n"
      "event: message_delta\n"
      R"(data: {"type":"message_delta","delta":{"stop_reason":"stop_sequence",)"
      R"("stop_sequence":"END","stop_details":null},"usage":{"input_tokens":3,)"
      R"("cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":2}})"
      "\n\n"
      "event: message_stop\n"
      R"(data: {"type":"message_stop"})"
      "\n\n");
}

TEST(SseEncoder, EmptyMessage) {
  std::string out;
  SseEncoder encoder([&](std::string_view bytes) { out += bytes; });
  encoder.start("msg_1", "m", Usage{});
  encoder.finish(StopReason::kMaxTokens, std::nullopt, Usage{});
  EXPECT_NE(out.find(R"("delta":{"stop_reason":"max_tokens","stop_sequence":null,)"),
            std::string::npos);
  const std::string last = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  EXPECT_EQ(out.substr(out.size() - last.size()), last);
}

TEST(SseEncoder, ErrorEvents) {
  std::string out;
  SseEncoder encoder([&](std::string_view bytes) { out += bytes; });
  encoder.fail(Error::overloaded("Overloaded"));
  EXPECT_EQ(out,
            "event: error\n"
            R"(data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"
            "\n\n");
  EXPECT_TRUE(encoder.done());

  std::string mid;
  SseEncoder midway([&](std::string_view bytes) { mid += bytes; });
  midway.start("msg_1", "m", Usage{});
  midway.begin_text();
  midway.text("partial");
  midway.fail(Error::api("the model stopped"));
  EXPECT_EQ(mid.substr(mid.rfind("event: ")),
            "event: error\n"
            R"(data: {"type":"error","error":{"type":"api_error","message":"the model stopped"}})"
            "\n\n");
}

TEST(SseEncoder, ModelBytesThatAreNotUtf8AreReplaced) {
  std::string out;
  SseEncoder encoder([&](std::string_view bytes) { out += bytes; });
  encoder.start("msg_1", "m", Usage{});
  encoder.begin_text();
  encoder.text("a\xff");
  EXPECT_NE(out.find("\"text\":\"a\xef\xbf\xbd\""), std::string::npos) << out;
}

TEST(MessageAccumulator, BuildsTheSameMessage) {
  MessageAccumulator accumulator;
  drive_tool_turn(accumulator);
  const ResponseMessage& message = accumulator.message();
  EXPECT_EQ(message.id, "msg_01XFDUDYJgAACzvnptvVoYEL");
  EXPECT_EQ(message.model, "qwen3-8b");
  ASSERT_EQ(message.content.size(), 3u);
  EXPECT_EQ(std::get<ThinkingBlock>(message.content[0]),
            (ThinkingBlock{"The user wants the weather.", "c2lnbmF0dXJl"}));
  EXPECT_EQ(std::get<TextBlock>(message.content[1]).text, "Checking \"Paris\" \xe2\x98\x80\n");
  const auto& tool = std::get<ToolUseBlock>(message.content[2]);
  EXPECT_EQ(tool.id, "toolu_01D7FLrfh4GYq7yT1ULFeyMV");
  EXPECT_EQ(tool.name, "get_weather");
  EXPECT_EQ(tool.input.dump(), R"({"city":"Paris","units":["c"]})");
  EXPECT_EQ(message.stop_reason, StopReason::kToolUse);
  EXPECT_FALSE(message.stop_sequence.has_value());
  EXPECT_EQ(message.usage, kFinalUsage);
  EXPECT_FALSE(accumulator.error().has_value());
  // The golden file is also what the SDK must accumulate from sse_tool_turn.txt
  // (tests/e2e/sse_grammar.test.mjs).
  EXPECT_EQ(encode_message(message), read_data("message_tool_turn.json"));
}

TEST(MessageAccumulator, ToolWithoutInputFragmentsHasEmptyInput) {
  MessageAccumulator accumulator;
  accumulator.start("msg_1", "m", Usage{});
  accumulator.begin_tool_use("toolu_1", "now");
  accumulator.end_block();
  accumulator.finish(StopReason::kToolUse, std::nullopt, Usage{});
  EXPECT_EQ(std::get<ToolUseBlock>(accumulator.message().content[0]).input.dump(), "{}");
}

TEST(MessageAccumulator, RecordsFailure) {
  MessageAccumulator accumulator;
  accumulator.start("msg_1", "m", Usage{});
  accumulator.fail(Error::overloaded("busy"));
  ASSERT_TRUE(accumulator.error().has_value());
  EXPECT_EQ(accumulator.error()->message, "busy");
  EXPECT_DEATH((void)accumulator.message(), "message\\(\\) before finish\\(\\)");
}

TEST(ParseToolInput, ObjectsOnly) {
  EXPECT_EQ(parse_tool_input("").value().dump(), "{}");
  EXPECT_EQ(parse_tool_input(R"({"b":1,"a":2})").value().dump(), R"({"b":1,"a":2})");
  EXPECT_FALSE(parse_tool_input("[1]").ok());
  EXPECT_EQ(parse_tool_input("[1]").error().message, "tool input must be a JSON object, got array");
  EXPECT_FALSE(parse_tool_input(R"({"a":)").ok());
  EXPECT_FALSE(parse_tool_input(std::string(1000, '[')).ok());
}

// Every misuse of the grammar aborts with a message naming the mistake.
TEST(ResponseSinkDeathTest, GrammarMisuse) {
  auto started = [] {
    auto sink = std::make_unique<MessageAccumulator>();
    sink->start("msg_1", "m", Usage{});
    return sink;
  };
  EXPECT_DEATH(MessageAccumulator().begin_text(), "a block before start");
  EXPECT_DEATH(MessageAccumulator().ping(), "ping\\(\\) outside the message");
  EXPECT_DEATH(MessageAccumulator().finish(StopReason::kEndTurn, std::nullopt, Usage{}),
               "finish\\(\\) before start");
  EXPECT_DEATH(MessageAccumulator().start("", "m", Usage{}), "needs a message id");
  EXPECT_DEATH(started()->start("msg_2", "m", Usage{}), "start\\(\\) twice");
  EXPECT_DEATH(started()->text("x"), "does not match the open block");
  EXPECT_DEATH(started()->end_block(), "with no open block");
  EXPECT_DEATH(
      {
        auto s = started();
        s->begin_text();
        s->begin_text();
      },
      "while another is open");
  EXPECT_DEATH(
      {
        auto s = started();
        s->begin_text();
        s->thinking("x");
      },
      "does not match the open block");
  EXPECT_DEATH(
      {
        auto s = started();
        s->begin_text();
        s->input_json("{}");
      },
      "does not match the open block");
  EXPECT_DEATH(
      {
        auto s = started();
        s->begin_thinking();
        s->signature("a");
        s->signature("b");
      },
      "a second signature");
  EXPECT_DEATH(
      {
        auto s = started();
        s->begin_thinking();
        s->signature("a");
        s->thinking("more");
      },
      "thinking after the block's signature");
  EXPECT_DEATH(
      {
        auto s = started();
        s->begin_tool_use("toolu_1", "t");
        s->input_json("{\"a\":");
        s->end_block();
      },
      "do not join into a JSON object");
  EXPECT_DEATH(
      {
        auto s = started();
        s->begin_tool_use("toolu_1", "t");
        s->input_json("[1, 2]");
        s->end_block();
      },
      "do not join into a JSON object");
  EXPECT_DEATH(started()->begin_tool_use("", "t"), "needs an id and a name");
  EXPECT_DEATH(
      {
        auto s = started();
        s->begin_text();
        s->finish(StopReason::kEndTurn, std::nullopt, Usage{});
      },
      "with a block open");
  EXPECT_DEATH(started()->finish(StopReason::kEndTurn, "X", Usage{}),
               "a stop_sequence goes with stop_reason stop_sequence");
  EXPECT_DEATH(started()->finish(StopReason::kStopSequence, std::nullopt, Usage{}),
               "a stop_sequence goes with stop_reason stop_sequence");
  EXPECT_DEATH(
      {
        auto s = started();
        s->finish(StopReason::kEndTurn, std::nullopt, Usage{});
        s->ping();
      },
      "ping\\(\\) outside the message");
  EXPECT_DEATH(
      {
        auto s = started();
        s->finish(StopReason::kEndTurn, std::nullopt, Usage{});
        s->begin_text();
      },
      "a block while another is open|after the end");
  EXPECT_DEATH(
      {
        auto s = started();
        s->finish(StopReason::kEndTurn, std::nullopt, Usage{});
        s->fail(Error::api("x"));
      },
      "fail\\(\\) after the end");
  EXPECT_DEATH(
      {
        auto s = started();
        s->fail(Error::api("x"));
        s->finish(StopReason::kEndTurn, std::nullopt, Usage{});
      },
      "after the end");
}

}  // namespace
}  // namespace api
