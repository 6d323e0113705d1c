// The same model output, fed whole or cut into pieces of every size, gives the same events (once
// adjacent deltas are merged), and stop sequences match across piece boundaries.
#include <random>

#include <gtest/gtest.h>

#include "chat_test_util.h"

namespace chat::test {
namespace {

const char* kSchema =
    R"({"type":"object","properties":{"path":{"type":"string"},"content":{"type":"string"},)"
    R"("count":{"type":"integer"}}})";

std::vector<api::Tool> tools() {
  return {tool("Write", kSchema), tool("Run", kSchema)};
}

// Pieces of about `size` bytes that never cut a UTF-8 character (as the token decoder gives).
std::vector<std::string> cut(std::string_view text, size_t size) {
  std::vector<std::string> pieces;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = std::min(text.size(), i + size);
    while (end < text.size() && (static_cast<uint8_t>(text[end]) & 0xC0) == 0x80) ++end;
    pieces.emplace_back(text.substr(i, end - i));
    i = end;
  }
  return pieces;
}

std::vector<Event> run_pieces(const ParserConfig& config, const std::vector<std::string>& pieces,
                              FinishCause cause = FinishCause::kEndOfGeneration) {
  OutputParser parser(with_fresh_ids(config));
  std::vector<Event> events;
  for (const std::string& p : pieces) {
    parser.feed(p, events);
    if (parser.done()) break;
  }
  parser.finish(cause, events);
  return events;
}

struct Case {
  const char* name;
  ToolCallFormat format;
  bool starts_in_thinking;
  std::string output;
  std::vector<std::string> stops;
};

std::vector<Case> cases() {
  return {
      {"hermes_think_text_call",
       ToolCallFormat::kHermesJson,
       false,
       "<think>\nThe user wants a file. ünïcödé ✓\n</think>\n\nI'll write it.\n<tool_call>\n"
       "{\"name\": \"Write\", \"arguments\": {\"path\": \"/a.txt\", \"content\": \"x </tool_call> "
       "y\"}}"
       "\n</tool_call>\n<tool_call>\n{\"name\": \"Run\", \"arguments\": {\"count\": "
       "2}}\n</tool_call>",
       {}},
      {"hermes_bare_json_line",
       ToolCallFormat::kHermesJson,
       false,
       "Sure.\n{\"name\": \"Run\", \"arguments\": {\"count\": 1}}\n</tool_call>\nAnd {\"name\" "
       "too.",
       {}},
      {"hermes_unknown_tool",
       ToolCallFormat::kHermesJson,
       false,
       "<tool_call>\n{'name': 'Nope', 'arguments': {}}\n</tool_call> after",
       {}},
      {"xml_prompt_opened_thinking",
       ToolCallFormat::kQwenXml,
       true,
       "Plan: write then run.\n</think>\n\nWriting 文件.\n\n<tool_call>\n<function=Write>\n"
       "<parameter=path>\n/doc.md\n</parameter>\n<parameter=content>\nA </parameter> inside\n"
       "</function> too\n\n</parameter>\n</function>\n</tool_call>\n<tool_call>\n<function=Run>\n"
       "<parameter=count>\n3\n</parameter>\n</function>\n</tool_call>",
       {}},
      {"xml_missing_opener_and_closers",
       ToolCallFormat::kQwenXml,
       false,
       "Text first <tag> and <functional> words.\n<function=Run>\n<parameter=path>\n/a\n",
       {}},
      {"llama_json",
       ToolCallFormat::kLlama3Json,
       false,
       "  {\"name\": \"Run\", \"parameters\": {\"count\": 5, \"path\": \"{}\"}}",
       {}},
      {"llama_text", ToolCallFormat::kLlama3Json, false, "{\"name\": \"value\"} is JSON.", {}},
      {"stop_sequence_in_text",
       ToolCallFormat::kHermesJson,
       false,
       "<think>\nSTOP is not matched in thinking\n</think>\nAnswer: 42\n\nSTOP and more",
       {"STOP"}},
      {"stop_sequence_overlapping",
       ToolCallFormat::kNone,
       false,
       "abababac tail",
       {"abac", "bab!"}},
      {"stop_sequence_unicode", ToolCallFormat::kNone, false, "ça va — fin — encore", {"— fin"}},
  };
}

TEST(ParserSplit, EveryPieceSizeGivesTheSameEvents) {
  for (const Case& c : cases()) {
    ParserConfig config = parser_config(c.format, tools());
    config.starts_in_thinking = c.starts_in_thinking;
    config.stop_sequences = c.stops;
    const std::vector<Event> whole = coalesce(run_pieces(config, {c.output}));
    for (size_t size = 1; size <= c.output.size(); ++size) {
      ASSERT_EQ(coalesce(run_pieces(config, cut(c.output, size))), whole)
          << c.name << " in pieces of " << size << ": " << summarize(whole);
    }
  }
}

TEST(ParserSplit, RandomCutsGiveTheSameEvents) {
  std::mt19937 rng(7);
  for (const Case& c : cases()) {
    ParserConfig config = parser_config(c.format, tools());
    config.starts_in_thinking = c.starts_in_thinking;
    config.stop_sequences = c.stops;
    const std::vector<Event> whole = coalesce(run_pieces(config, {c.output}));
    for (int trial = 0; trial < 50; ++trial) {
      std::vector<std::string> pieces;
      size_t i = 0;
      while (i < c.output.size()) {
        const std::vector<std::string> one = cut(c.output.substr(i), 1 + rng() % 9);
        pieces.push_back(one.front());
        i += one.front().size();
      }
      ASSERT_EQ(coalesce(run_pieces(config, pieces)), whole) << c.name << " trial " << trial;
    }
  }
}

TEST(ParserSplit, ExpectedEventsOfTheCases) {
  // The whole-feed results the split tests compare against, pinned.
  std::map<std::string, std::string> expected = {
      {"hermes_think_text_call",
       "R[The user wants a file. ünïcödé ✓] T[I'll write it.] "
       "U[Write]{\"path\":\"/a.txt\",\"content\":\"x </tool_call> y\"}] U[Run]{\"count\":2}] "
       "stop:tool_use"},
      {"hermes_bare_json_line",
       "T[Sure.] U[Run]{\"count\":1}] T[And {\"name\" too.] stop:tool_use"},
      {"xml_missing_opener_and_closers",
       "T[Text first <tag> and <functional> words.] U[Run]{\"path\":\"/a\"}] "
       "!tool call recovered: missing <tool_call> !tool call recovered: missing </parameter> "
       "!tool call recovered: missing </function> stop:tool_use"},
      {"llama_json", "U[Run]{\"count\":5,\"path\":\"{}\"}] stop:tool_use"},
      {"llama_text", "T[{\"name\": \"value\"} is JSON.] stop:end_turn"},
      {"stop_sequence_in_text",
       "R[STOP is not matched in thinking] T[Answer: 42\n\n] stop:stop_sequence(STOP)"},
      {"stop_sequence_overlapping", "T[abab] stop:stop_sequence(abac)"},
      {"stop_sequence_unicode", "T[ça va ] stop:stop_sequence(— fin)"},
  };
  for (const Case& c : cases()) {
    if (!expected.contains(c.name)) continue;
    ParserConfig config = parser_config(c.format, tools());
    config.starts_in_thinking = c.starts_in_thinking;
    config.stop_sequences = c.stops;
    EXPECT_EQ(summarize(run_pieces(config, {c.output})), expected[c.name]) << c.name;
  }
}

TEST(StopSequences, NothingAfterTheMatchIsEmitted) {
  ParserConfig config = parser_config(ToolCallFormat::kHermesJson, tools());
  config.stop_sequences = {"\nUser:"};
  OutputParser parser(config);
  std::vector<Event> events;
  parser.feed("Hello\nUs", events);
  EXPECT_EQ(summarize(events), "T[Hello");  // "\nUs" may be the stop sequence: held
  parser.feed("er: next question", events);
  EXPECT_TRUE(parser.done());
  parser.feed("ignored", events);
  parser.finish(FinishCause::kMaxTokens, events);
  EXPECT_EQ(summarize(events), "T[Hello] stop:stop_sequence(\nUser:)");
  EXPECT_EQ(events.back().stop_sequence, "\nUser:");
}

TEST(StopSequences, HeldTextIsReleasedWhenItCannotMatch) {
  ParserConfig config = parser_config(ToolCallFormat::kNone);
  config.stop_sequences = {"<END>"};
  OutputParser parser(config);
  std::vector<Event> events;
  parser.feed("a <EN", events);
  EXPECT_EQ(summarize(events), "T[a");
  parser.feed("D", events);
  EXPECT_EQ(summarize(events), "T[a");
  parser.feed("ED", events);
  EXPECT_EQ(summarize(events), "T[a <ENDED");
  parser.finish(FinishCause::kEndOfGeneration, events);
  EXPECT_EQ(summarize(events), "T[a <ENDED] stop:end_turn");
}

TEST(StopSequences, BeforeAToolCallWins) {
  ParserConfig config = parser_config(ToolCallFormat::kHermesJson, tools());
  config.stop_sequences = {"<tool"};
  EXPECT_EQ(summarize(run_parser(
                config, "x <tool_call>\n{\"name\": \"Run\", \"arguments\": {}}\n</tool_call>")),
            "T[x ] stop:stop_sequence(<tool)");
}

// A large file written through a tool call, fed a few bytes at a time (as tokens come): the
// parser's work stays linear (a quadratic re-scan would make this test take minutes).
TEST(ParserSplit, LargeToolCallsAreLinear) {
  std::string file;
  for (int i = 0; file.size() < (256u << 10); ++i) {
    file += "  if (a[" + std::to_string(i) + "] > b && c < d) { x->y = \"</param\" + z; }\n";
  }
  const std::string xml_out =
      "Writing.\n\n<tool_call>\n<function=Write>\n<parameter=path>\n/big.cpp\n"
      "</parameter>\n<parameter=content>\n" +
      file + "\n</parameter>\n</function>\n</tool_call>";
  const std::string json_out =
      "<tool_call>\n{\"name\": \"Write\", \"arguments\": {\"path\": "
      "\"/big.cpp\", \"content\": " +
      nlohmann::ordered_json(file).dump() + "}}\n</tool_call>";
  const std::string thinking_out = "<think>\n" + file + "</think>\nDone.";
  for (const auto& [format, out] : {std::pair{ToolCallFormat::kQwenXml, xml_out},
                                    std::pair{ToolCallFormat::kHermesJson, json_out},
                                    std::pair{ToolCallFormat::kHermesJson, thinking_out}}) {
    const std::vector<Event> events =
        coalesce(run_pieces(parser_config(format, tools()), cut(out, 4)));
    ASSERT_GE(events.size(), 2u);
    if (out == thinking_out) {
      EXPECT_EQ(events[1].text, file.substr(2, file.size() - 3));  // edge whitespace trimmed
      continue;
    }
    nlohmann::ordered_json input;
    for (const Event& e : events) {
      if (e.kind == Event::Kind::kToolInput) input = nlohmann::ordered_json::parse(e.text);
    }
    EXPECT_EQ(input["content"], file);
    EXPECT_EQ(events.back().stop_reason, api::StopReason::kToolUse);
  }
}

}  // namespace
}  // namespace chat::test
