// OutputParser on the output shapes of each model family: text, <think> blocks (also when the
// prompt opened them), Hermes/Qwen JSON tool calls, Qwen3-Coder/Qwen3.5 XML tool calls, Llama 3
// JSON calls, and the stop reasons.
#include <gtest/gtest.h>

#include "chat_test_util.h"

namespace chat::test {
namespace {

using Kind = Event::Kind;

const char* kBashSchema =
    R"({"type":"object","properties":{"command":{"type":"string"},"timeout":{"type":"number"},)"
    R"("run_in_background":{"type":"boolean"}},"required":["command"]})";
const char* kReadSchema =
    R"({"type":"object","properties":{"file_path":{"type":"string"},"offset":{"type":"integer"},)"
    R"("limit":{"type":"integer"}},"required":["file_path"]})";
const char* kWriteSchema =
    R"({"type":"object","properties":{"file_path":{"type":"string"},"content":{"type":"string"}}})";
const char* kTodoSchema =
    R"({"type":"object","properties":{"todos":{"type":"array","items":{"type":"object"}},)"
    R"("meta":{"type":"object"},"note":{"type":["string","null"]}}})";

std::vector<api::Tool> tools() {
  return {tool("Bash", kBashSchema), tool("Read", kReadSchema), tool("Write", kWriteSchema),
          tool("TodoWrite", kTodoSchema)};
}

TEST(OutputParser, PlainTextFlowsAndEndsTheTurn) {
  ParserConfig c = parser_config(ToolCallFormat::kNone);
  EXPECT_EQ(summarize(run_parser(c, "Hello, world.")), "T[Hello, world.] stop:end_turn");
  EXPECT_EQ(summarize(run_parser(c, "")), "stop:end_turn");
  EXPECT_EQ(summarize(run_parser(c, "  \n")), "stop:end_turn");
  EXPECT_EQ(summarize(run_parser(c, "Cut", 0, FinishCause::kMaxTokens)), "T[Cut] stop:max_tokens");
}

TEST(OutputParser, TextIsNotHeldBackWithoutReason) {
  OutputParser parser(parser_config(ToolCallFormat::kHermesJson, tools()));
  std::vector<Event> events;
  parser.feed("Sure", events);
  EXPECT_EQ(summarize(events), "T[Sure");
  parser.feed(", I will", events);
  EXPECT_EQ(summarize(events), "T[Sure, I will");
  // A possible marker start is held, and released once it cannot be one.
  parser.feed(" <tool", events);
  EXPECT_EQ(summarize(events), "T[Sure, I will");
  parser.feed("s> are", events);
  EXPECT_EQ(summarize(events), "T[Sure, I will <tools> are");
}

TEST(OutputParser, EdgeWhitespaceOfBlocksIsTrimmed) {
  ParserConfig c = parser_config(ToolCallFormat::kNone);
  EXPECT_EQ(summarize(run_parser(c, "\n\n  Hi there \n\n")), "T[Hi there] stop:end_turn");
  // Whitespace inside a block is kept, even when it arrives alone.
  OutputParser parser(c);
  std::vector<Event> events;
  parser.feed("a", events);
  parser.feed("\n\n", events);
  EXPECT_EQ(summarize(events), "T[a");
  parser.feed("b", events);
  EXPECT_EQ(summarize(events), "T[a\n\nb");
}

TEST(OutputParser, ThinkBlocks) {
  ParserConfig c = parser_config(ToolCallFormat::kHermesJson, tools());
  EXPECT_EQ(summarize(run_parser(c, "<think>\nLet me see.\n</think>\n\nThe answer is 4.")),
            "R[Let me see.] T[The answer is 4.] stop:end_turn");
  // Empty thinking makes no block.
  EXPECT_EQ(summarize(run_parser(c, "<think>\n\n</think>\n\nHi")), "T[Hi] stop:end_turn");
  // <think> opens only at the start of the output.
  EXPECT_EQ(summarize(run_parser(c, "Use <think> tags.")), "T[Use <think> tags.] stop:end_turn");
  // Cut off while thinking.
  EXPECT_EQ(summarize(run_parser(c, "<think>\nhmm", 0, FinishCause::kMaxTokens)),
            "R[hmm] stop:max_tokens");
}

TEST(OutputParser, PromptOpenedThinking) {
  ParserConfig c = parser_config(ToolCallFormat::kQwenXml, tools());
  c.starts_in_thinking = true;
  EXPECT_EQ(summarize(run_parser(c, "The user wants X.\n</think>\n\nDone.")),
            "R[The user wants X.] T[Done.] stop:end_turn");
  // A model that writes <think> again anyway.
  EXPECT_EQ(summarize(run_parser(c, "<think>\nA\n</think>\nB")), "R[A] T[B] stop:end_turn");
  // No thinking at all: the close comes first.
  EXPECT_EQ(summarize(run_parser(c, "\n</think>\n\nB")), "T[B] stop:end_turn");
}

TEST(OutputParser, StrayThinkCloseIsDropped) {
  ParserConfig c = parser_config(ToolCallFormat::kHermesJson, tools());
  EXPECT_EQ(summarize(run_parser(c, "Answer</think> more")),
            "T[Answer!dropped a </think> outside of thinking  more] stop:end_turn");
}

TEST(OutputParser, HermesToolCall) {
  ParserConfig c = parser_config(ToolCallFormat::kHermesJson, tools());
  const std::string out =
      "<think>\nI should list files.\n</think>\n\nLet me check.\n<tool_call>\n"
      R"({"name": "Bash", "arguments": {"command": "ls -la", "timeout": 5000}})"
      "\n</tool_call>";
  EXPECT_EQ(
      summarize(run_parser(c, out)),
      R"(R[I should list files.] T[Let me check.] U[Bash]{"command":"ls -la","timeout":5000}] )"
      "stop:tool_use");
  const std::vector<Event> events = run_parser(c, out);
  const auto start = std::find_if(events.begin(), events.end(),
                                  [](const Event& e) { return e.kind == Kind::kToolUseStart; });
  ASSERT_NE(start, events.end());
  EXPECT_EQ(start->id, "toolu_test1");
}

TEST(OutputParser, HermesParallelCalls) {
  ParserConfig c = parser_config(ToolCallFormat::kHermesJson, tools());
  const std::string out =
      "<tool_call>\n{\"name\": \"Read\", \"arguments\": {\"file_path\": \"/a\"}}\n</tool_call>\n"
      "<tool_call>\n{\"name\": \"Read\", \"arguments\": {\"file_path\": \"/b\"}}\n</tool_call>";
  EXPECT_EQ(summarize(run_parser(c, out)),
            R"(U[Read]{"file_path":"/a"}] U[Read]{"file_path":"/b"}] stop:tool_use)");
  c.max_tool_calls = 1;  // disable_parallel_tool_use
  OutputParser parser(c);
  std::vector<Event> events;
  parser.feed(out, events);
  EXPECT_TRUE(parser.done());
  parser.finish(FinishCause::kEndOfGeneration, events);
  EXPECT_EQ(summarize(events), R"(U[Read]{"file_path":"/a"}] stop:tool_use)");
}

TEST(OutputParser, ToolUseStartsAsSoonAsTheNameIsKnown) {
  OutputParser parser(parser_config(ToolCallFormat::kHermesJson, tools()));
  std::vector<Event> events;
  parser.feed("<tool_call>\n{\"name\": \"Wri", events);
  EXPECT_EQ(summarize(events), "");
  parser.feed("te\", \"arguments\": {\"file_path\": \"/x\", \"content\": \"long", events);
  EXPECT_EQ(summarize(events), "U[Write]");
  parser.feed(" text\"}}\n</tool_call>", events);
  parser.finish(FinishCause::kEndOfGeneration, events);
  EXPECT_EQ(summarize(events),
            R"(U[Write]{"file_path":"/x","content":"long text"}] stop:tool_use)");

  OutputParser xml(parser_config(ToolCallFormat::kQwenXml, tools()));
  events.clear();
  xml.feed("<tool_call>\n<function=Write>\n<parameter=file_path>\n/x\n</para", events);
  EXPECT_EQ(summarize(events), "U[Write]");
}

TEST(OutputParser, QwenXmlToolCall) {
  ParserConfig c = parser_config(ToolCallFormat::kQwenXml, tools());
  const std::string out =
      "I'll read it.\n\n<tool_call>\n<function=Read>\n<parameter=file_path>\n/src/main.cpp\n"
      "</parameter>\n<parameter=offset>\n10\n</parameter>\n</function>\n</tool_call>";
  EXPECT_EQ(summarize(run_parser(c, out)),
            R"(T[I'll read it.] U[Read]{"file_path":"/src/main.cpp","offset":10}] stop:tool_use)");
}

TEST(OutputParser, XmlValuesAreTypedByTheSchema) {
  ParserConfig c = parser_config(ToolCallFormat::kQwenXml, tools());
  const std::string out =
      "<tool_call>\n<function=Bash>\n<parameter=command>\n42\n</parameter>\n"
      "<parameter=timeout>\n1.5\n</parameter>\n<parameter=run_in_background>\nTrue\n</parameter>\n"
      "</function>\n</tool_call>";
  EXPECT_EQ(summarize(run_parser(c, out)),
            R"(U[Bash]{"command":"42","timeout":1.5,"run_in_background":true}] stop:tool_use)");
  const std::string todo =
      "<tool_call>\n<function=TodoWrite>\n<parameter=todos>\n[{'content': 'a', 'status': "
      "'pending',}]\n</parameter>\n<parameter=meta>\nnot json\n</parameter>\n<parameter=note>\n"
      "null\n</parameter>\n</function>\n</tool_call>";
  EXPECT_EQ(summarize(run_parser(c, todo)),
            R"(U[TodoWrite]{"todos":[{"content":"a","status":"pending"}],"meta":"not json",)"
            R"("note":"null"}] stop:tool_use)");
}

TEST(OutputParser, XmlFileContentIsKeptExactly) {
  ParserConfig c = parser_config(ToolCallFormat::kQwenXml, tools());
  const std::string file = "#include <a.h>\n\nint main() {\n  return 0;\n}\n";
  const std::string out =
      "<tool_call>\n<function=Write>\n<parameter=file_path>\n/m.cpp\n"
      "</parameter>\n<parameter=content>\n" +
      file + "\n</parameter>\n</function>\n</tool_call>";
  const std::vector<Event> events = run_parser(c, out);
  nlohmann::ordered_json input;
  for (const Event& e : coalesce(events)) {
    if (e.kind == Kind::kToolInput) input = nlohmann::ordered_json::parse(e.text);
  }
  EXPECT_EQ(input["content"], file);
}

TEST(OutputParser, Llama3JsonCall) {
  ParserConfig c = parser_config(ToolCallFormat::kLlama3Json, tools());
  c.think_tags = false;
  EXPECT_EQ(summarize(run_parser(c, R"({"name": "Bash", "parameters": {"command": "pwd"}})")),
            R"(U[Bash]{"command":"pwd"}] stop:tool_use)");
  EXPECT_EQ(summarize(run_parser(
                c, R"(<|python_tag|>{"name": "Read", "parameters": {"file_path": "/a"}})")),
            R"(U[Read]{"file_path":"/a"}] stop:tool_use)");
  // An answer that is JSON but not a call stays text, and so does JSON after some text.
  EXPECT_EQ(summarize(run_parser(c, R"({"name": "Ann", "age": 3})")),
            R"(T[{"name": "Ann", "age": 3}] stop:end_turn)");
  EXPECT_EQ(summarize(run_parser(c, "Here:\n{\"name\": \"Bash\", \"parameters\": {}}")),
            "T[Here:\n{\"name\": \"Bash\", \"parameters\": {}}] stop:end_turn");
}

TEST(OutputParser, UnknownToolStaysText) {
  ParserConfig c = parser_config(ToolCallFormat::kHermesJson, tools());
  const std::string out = "<tool_call>\n{\"name\": \"Deploy\", \"arguments\": {}}\n</tool_call>";
  EXPECT_EQ(
      summarize(run_parser(c, out)),
      "!a call to the tool \"Deploy\", which the request does not offer; kept as text "
      "T[<tool_call>\n{\"name\": \"Deploy\", \"arguments\": {}}\n</tool_call>] stop:end_turn");
  ParserConfig x = parser_config(ToolCallFormat::kQwenXml, tools());
  EXPECT_EQ(summarize(run_parser(x, "<tool_call>\n<function=Deploy>\n</function>\n</tool_call>")),
            "!a call to the tool \"Deploy\", which the request does not offer; kept as text "
            "T[<tool_call>\n<function=Deploy>\n</function>\n</tool_call>] stop:end_turn");
}

TEST(OutputParser, NoToolsOfferedMeansNoCalls) {
  ParserConfig c = parser_config(ToolCallFormat::kHermesJson, {});
  const std::vector<Event> events =
      run_parser(c, "<tool_call>\n{\"name\": \"Bash\", \"arguments\": {}}\n</tool_call>");
  EXPECT_EQ(events.back().stop_reason, api::StopReason::kEndTurn);
  EXPECT_TRUE(summarize(events).starts_with("!a call to the tool \"Bash\""));
}

TEST(OutputParser, PlainFormatLeavesToolTagsAsText) {
  ParserConfig c = parser_config(ToolCallFormat::kNone, tools());
  const std::string out = "<tool_call>{\"name\": \"Bash\", \"arguments\": {}}</tool_call>";
  EXPECT_EQ(summarize(run_parser(c, out)), "T[" + out + "] stop:end_turn");
}

TEST(OutputParser, MaxTokensInsideACall) {
  ParserConfig c = parser_config(ToolCallFormat::kHermesJson, tools());
  const std::vector<Event> events =
      run_parser(c, "<tool_call>\n{\"name\": \"Bash\", \"arguments\": {\"command\": \"l", 0,
                 FinishCause::kMaxTokens);
  // The block began (the name was known): it closes with a valid input, the text follows.
  EXPECT_EQ(
      summarize(events),
      "U[Bash]{}] !the tool call's JSON is cut off; kept as text "
      "T[<tool_call>\n{\"name\": \"Bash\", \"arguments\": {\"command\": \"l] stop:max_tokens");
}

}  // namespace
}  // namespace chat::test
