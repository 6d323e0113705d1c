// Whatever the model writes, the answer stays well-formed: random mixes of the markers of every
// tool-call format (whole, cut short, misnested), JSON and XML debris, thinking tags, stop
// sequences and Unicode, fed in random pieces through the OutputParser, the ResponseWriter and
// api::MessageAccumulator (whose invariant checks abort on any protocol misuse). A parse failure
// must never end the stream early or break it: every run ends with exactly one stop, every
// tool_use input is a JSON object naming an offered tool, and cutting the same output differently
// gives the same events.
#include <random>

#include <gtest/gtest.h>

#include "api/message_accumulator.h"
#include "chat/response_writer.h"
#include "chat_test_util.h"

namespace chat::test {
namespace {

const char* kFragments[] = {
    "<think>",
    "</think>",
    "<tool_call>",
    "</tool_call>",
    "<tool_call>\n",
    "\n</tool_call>",
    "<function=Bash>",
    "<function=Nope>",
    "</function>",
    "<parameter=command>",
    "<parameter=limit>",
    "</parameter>",
    "\n",
    "\n\n",
    " ",
    "{\"name\": \"Bash\", \"arguments\": {\"command\": \"ls\"}}",
    "{\"name\": \"Read\", \"parameters\": {\"file_path\": \"a.txt\", \"limit\": 10}}",
    "{\"name\": \"Bash\", \"arguments\": ",
    "{\"name\": \"Nope\", \"arguments\": {}}",
    "{'name': 'Bash', 'arguments': {'command': 'pwd',},}",
    "\"{\\\"command\\\": \\\"ls\\\"}\"",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "'",
    ",",
    ":",
    "```json\n",
    "```",
    "<|python_tag|>",
    "ls -la",
    "10",
    "1.00000000000000000001",
    "True",
    "None",
    "héllo ✓ 日本語 🚀",
    "STOP",
    "ST",
    "OP",
    "</tool_",
    "<tool",
    "<func",
    "<parameter=",
    "</think",
    "Done.",
    "file content </parameter> "};

std::vector<api::Tool> fuzz_tools() {
  return {tool("Bash", R"({"type":"object","properties":{"command":{"type":"string"}}})"),
          tool("Read", R"({"type":"object","properties":{"file_path":{"type":"string"},)"
                       R"("limit":{"type":"integer"}}})")};
}

// Pieces of 1..max bytes that never cut a UTF-8 character (as the token decoder gives).
std::vector<std::string> random_pieces(const std::string& text, std::mt19937& rng, size_t max) {
  std::vector<std::string> pieces;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = std::min(text.size(), i + 1 + rng() % max);
    while (end < text.size() && (static_cast<uint8_t>(text[end]) & 0xC0) == 0x80) ++end;
    pieces.push_back(text.substr(i, end - i));
    i = end;
  }
  return pieces;
}

struct Outcome {
  std::vector<Event> events;
  api::ResponseMessage message;
};

Outcome drive(const ParserConfig& config, const std::vector<std::string>& pieces,
              FinishCause cause) {
  OutputParser parser(with_fresh_ids(config));
  api::MessageAccumulator sink;
  sink.start("msg_fuzz", "local", {});
  ResponseWriter writer(sink, {.on_issue = [](std::string_view) {}});
  Outcome run;
  std::vector<Event> events;
  for (const std::string& piece : pieces) {
    parser.feed(piece, events);
    writer.apply(events);
    run.events.insert(run.events.end(), events.begin(), events.end());
    events.clear();
    if (parser.done()) break;
  }
  parser.finish(cause, events);
  writer.apply(events);
  run.events.insert(run.events.end(), events.begin(), events.end());
  writer.finish({});
  EXPECT_FALSE(sink.error().has_value());
  run.message = sink.message();
  return run;
}

TEST(ParserFuzz, AnyOutputGivesAWellFormedAnswer) {
  const ToolCallFormat formats[] = {ToolCallFormat::kHermesJson, ToolCallFormat::kQwenXml,
                                    ToolCallFormat::kLlama3Json, ToolCallFormat::kNone};
  size_t runs = 0, tool_uses = 0, issues = 0;
  for (ToolCallFormat format : formats) {
    for (uint32_t seed = 0; seed < 250; ++seed) {
      std::mt19937 rng(seed * 4 + static_cast<uint32_t>(format));
      std::string text;
      const size_t n = 5 + rng() % 40;
      for (size_t i = 0; i < n; ++i) text += kFragments[rng() % std::size(kFragments)];
      ParserConfig config = parser_config(format, fuzz_tools());
      config.starts_in_thinking = rng() % 3 == 0;
      if (rng() % 3 == 0) config.stop_sequences = {"STOP"};
      if (rng() % 4 == 0) config.max_tool_calls = 1;
      const FinishCause cause =
          rng() % 4 == 0 ? FinishCause::kMaxTokens : FinishCause::kEndOfGeneration;
      SCOPED_TRACE(::testing::Message() << "format " << static_cast<int>(format) << " seed " << seed
                                        << " text: " << text);

      const Outcome whole = drive(config, {text}, cause);
      const Outcome cut = drive(config, random_pieces(text, rng, 7), cause);
      ++runs;
      // One stop, last.
      ASSERT_FALSE(whole.events.empty());
      EXPECT_EQ(whole.events.back().kind, Event::Kind::kStop);
      size_t stops = 0;
      for (const Event& e : whole.events) {
        stops += e.kind == Event::Kind::kStop;
        issues += e.kind == Event::Kind::kIssue;
      }
      EXPECT_EQ(stops, 1u);
      // Cutting the output differently changes nothing.
      EXPECT_EQ(summarize(whole.events), summarize(cut.events));
      // Tool uses name offered tools and carry objects; the stop reason agrees.
      size_t uses = 0;
      for (const api::ResponseBlock& block : whole.message.content) {
        if (const auto* use = std::get_if<api::ToolUseBlock>(&block)) {
          ++uses;
          EXPECT_TRUE(use->name == "Bash" || use->name == "Read") << use->name;
          EXPECT_TRUE(use->input.is_object());
          EXPECT_TRUE(use->id.starts_with("toolu_test"));
        }
      }
      tool_uses += uses;
      if (config.max_tool_calls == 1) {
        EXPECT_LE(uses, 1u);
      }
      if (whole.message.stop_reason == api::StopReason::kToolUse) {
        EXPECT_GT(uses, 0u);
      }
    }
  }
  // The mixes do exercise both sides: calls read, and failures kept as text.
  EXPECT_EQ(runs, 1000u);
  EXPECT_GT(tool_uses, 50u);
  EXPECT_GT(issues, 50u);
}

TEST(ParserFuzz, DefaultToolIdsAreAnthropicShaped) {
  ParserConfig config;
  config.tool_call_format = ToolCallFormat::kHermesJson;
  config.tools = fuzz_tools();
  OutputParser parser(config);  // no make_tool_id: api::make_tool_use_id
  std::vector<Event> events;
  parser.feed(
      "<tool_call>\n{\"name\": \"Bash\", \"arguments\": {\"command\": \"ls\"}}\n</tool_call>",
      events);
  parser.finish(FinishCause::kEndOfGeneration, events);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Event::Kind::kToolUseStart);
  EXPECT_TRUE(events[0].id.starts_with("toolu_")) << events[0].id;
  EXPECT_GT(events[0].id.size(), 10u);
  EXPECT_EQ(events.back().stop_reason, api::StopReason::kToolUse);
}

}  // namespace
}  // namespace chat::test
