// ResponseWriter: parser events applied to api::MessageAccumulator (the non-streaming answer) and
// api::SseEncoder (the stream) give the blocks, signatures and stop reasons expected, both from
// the same events.
#include <map>

#include <gtest/gtest.h>

#include "api/message_accumulator.h"
#include "api/sse_encoder.h"
#include "chat/response_writer.h"
#include "chat_test_util.h"

namespace chat::test {
namespace {

const char* kOutput =
    "<think>\nCheck the dir.\n</think>\n\nLooking.\n<tool_call>\n{\"name\": \"Bash\", "
    "\"arguments\": {\"command\": \"ls\"}}\n</tool_call>";

std::vector<Event> events_of(const std::string& output, std::vector<std::string> stops = {}) {
  ParserConfig c =
      parser_config(ToolCallFormat::kHermesJson, {tool("Bash", R"({"type":"object"})")});
  c.stop_sequences = std::move(stops);
  return run_parser(c, output, 4);
}

api::ResponseMessage accumulate(const std::vector<Event>& events, WriterOptions options,
                                std::vector<std::string>* issues = nullptr) {
  api::MessageAccumulator sink;
  sink.start("msg_test", "local", {});
  if (issues) options.on_issue = [issues](std::string_view s) { issues->emplace_back(s); };
  ResponseWriter writer(sink, options);
  writer.apply(events);
  writer.finish({.input_tokens = 10, .output_tokens = 20});
  return sink.message();
}

TEST(ResponseWriter, BuildsTheMessageWithSignedThinking) {
  ReasoningStore store({}, ReasoningStore::Key{});
  const api::ResponseMessage m = accumulate(events_of(kOutput), {.store = &store});
  ASSERT_EQ(m.content.size(), 3u);
  const auto& thinking = std::get<api::ThinkingBlock>(m.content[0]);
  EXPECT_EQ(thinking.thinking, "Check the dir.");
  EXPECT_EQ(store.find(thinking.signature), "Check the dir.");
  EXPECT_EQ(std::get<api::TextBlock>(m.content[1]).text, "Looking.");
  const auto& use = std::get<api::ToolUseBlock>(m.content[2]);
  EXPECT_EQ(use.name, "Bash");
  EXPECT_EQ(use.id, "toolu_test1");
  EXPECT_EQ(use.input, nlohmann::ordered_json::parse(R"({"command":"ls"})"));
  EXPECT_EQ(m.stop_reason, api::StopReason::kToolUse);
  EXPECT_EQ(m.usage.output_tokens, 20);
}

TEST(ResponseWriter, OmittedThinkingKeepsOnlyTheSignature) {
  ReasoningStore store({}, ReasoningStore::Key{});
  const api::ResponseMessage m =
      accumulate(events_of(kOutput), {.store = &store, .omit_thinking = true});
  const auto& thinking = std::get<api::ThinkingBlock>(m.content[0]);
  EXPECT_EQ(thinking.thinking, "");
  EXPECT_EQ(store.find(thinking.signature), "Check the dir.");
  // Without a store, thinking goes unsigned.
  const api::ResponseMessage unsigned_m = accumulate(events_of(kOutput), {});
  EXPECT_EQ(std::get<api::ThinkingBlock>(unsigned_m.content[0]).signature, "");
}

TEST(ResponseWriter, StopSequenceAndIssues) {
  const api::ResponseMessage m = accumulate(events_of("Answer: 4. END more", {"END"}), {});
  ASSERT_EQ(m.content.size(), 1u);
  EXPECT_EQ(std::get<api::TextBlock>(m.content[0]).text, "Answer: 4. ");
  EXPECT_EQ(m.stop_reason, api::StopReason::kStopSequence);
  EXPECT_EQ(m.stop_sequence, "END");

  std::vector<std::string> issues;
  const api::ResponseMessage bad = accumulate(
      events_of("<tool_call>\n{\"name\": \"Nope\", \"arguments\": {}}\n</tool_call>"), {}, &issues);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0],
            "a call to the tool \"Nope\", which the request does not offer; kept as text");
  EXPECT_EQ(bad.stop_reason, api::StopReason::kEndTurn);
  EXPECT_EQ(std::get<api::TextBlock>(bad.content[0]).text,
            "<tool_call>\n{\"name\": \"Nope\", \"arguments\": {}}\n</tool_call>");
}

// The text of each block as an SSE stream carries it: the deltas (text, thinking, input JSON)
// joined per block index.
std::map<size_t, std::string> streamed_blocks(const std::string& sse) {
  std::map<size_t, std::string> out;
  size_t pos = 0;
  while ((pos = sse.find("data: ", pos)) != std::string::npos) {
    const size_t end = sse.find('\n', pos);
    const auto event = nlohmann::ordered_json::parse(sse.substr(pos + 6, end - pos - 6));
    pos = end;
    if (event["type"] != "content_block_delta") continue;
    const auto& delta = event["delta"];
    const size_t index = event["index"].get<size_t>();
    for (const char* key : {"text", "thinking", "partial_json"}) {
      if (delta.contains(key)) out[index] += delta[key].get<std::string>();
    }
  }
  return out;
}

TEST(ResponseWriter, StreamAndMessageFromTheSameEvents) {
  // Outputs of several shapes, streamed: the encoder's grammar checks hold (a violation aborts)
  // and the stream carries exactly the blocks of the accumulated message.
  const std::vector<std::string> outputs = {
      kOutput,
      "plain",
      "",
      "<tool_call>\n{\"name\": \"Bash\", \"arguments\": {\"command\": \"l",  // cut off
      "<think>\nonly thinking",
      "<tool_call>\n{'name': 'Bash', 'arguments': {'x': [1,]}}\n"};
  for (const std::string& output : outputs) {
    SCOPED_TRACE(output);
    ReasoningStore store;
    const std::vector<Event> events = events_of(output);
    std::string sse;
    api::SseEncoder encoder([&](std::string_view bytes) { sse += bytes; });
    encoder.start("msg_test", "local", {});
    ResponseWriter writer(encoder, {.store = &store});
    writer.apply(events);
    writer.finish({});
    EXPECT_NE(sse.find("event: message_stop"), std::string::npos);
    const api::ResponseMessage m = accumulate(events, {.store = &store});
    std::map<size_t, std::string> expected;
    for (size_t i = 0; i < m.content.size(); ++i) {
      if (const auto* t = std::get_if<api::TextBlock>(&m.content[i])) expected[i] = t->text;
      if (const auto* r = std::get_if<api::ThinkingBlock>(&m.content[i])) expected[i] = r->thinking;
      if (const auto* u = std::get_if<api::ToolUseBlock>(&m.content[i])) {
        expected[i] = api::dump_json(u->input);
      }
    }
    EXPECT_EQ(streamed_blocks(sse), expected);
  }
}

}  // namespace
}  // namespace chat::test
