// The near-misses models produce in tool calls, each recovered (or kept as text) without an error
// mid-stream. Shapes as seen from Qwen2.5/Qwen3 (Hermes JSON) and Qwen3-Coder/Qwen3.5 (XML)
// outputs in llama.cpp's and vLLM's parser tests and issue reports.
#include <gtest/gtest.h>

#include "chat/tool_call_json.h"
#include "chat/tool_call_xml.h"
#include "chat_test_util.h"

namespace chat::test {
namespace {

const char* kSchema =
    R"({"type":"object","properties":{"path":{"type":"string"},"content":{"type":"string"},)"
    R"("count":{"type":"integer"},"ratio":{"type":"number"},"flags":{"type":"array"}}})";

std::vector<api::Tool> tools() {
  return {tool("Write", kSchema), tool("Run", kSchema)};
}

std::string hermes(const std::string& out) {
  return summarize(run_parser(parser_config(ToolCallFormat::kHermesJson, tools()), out));
}
std::string xml(const std::string& out) {
  return summarize(run_parser(parser_config(ToolCallFormat::kQwenXml, tools()), out));
}

TEST(ToolCallRecovery, CodeFenceAroundJson) {
  EXPECT_EQ(hermes("<tool_call>\n```json\n{\"name\": \"Run\", \"arguments\": {\"count\": 1}}\n```\n"
                   "</tool_call>"),
            R"(U[Run]{"count":1}] stop:tool_use)");
}

TEST(ToolCallRecovery, SingleQuotesAndTrailingCommas) {
  EXPECT_EQ(
      hermes("<tool_call>\n{'name': 'Run', 'arguments': {'path': \"it's\", 'flags': [1, 2,],},}"
             "\n</tool_call>"),
      R"(U[Run]{"path":"it's","flags":[1,2]}] stop:tool_use)");
  EXPECT_EQ(hermes("<tool_call>\n{\"name\": \"Run\", \"arguments\": {\"ok\": True, \"x\": None}}\n"
                   "</tool_call>"),
            R"(U[Run]{"ok":true,"x":null}] stop:tool_use)");
}

TEST(ToolCallRecovery, ArgumentsAsAJsonString) {
  EXPECT_EQ(hermes("<tool_call>\n{\"name\": \"Run\", \"arguments\": \"{\\\"count\\\": 3}\"}\n"
                   "</tool_call>"),
            R"(U[Run]{"count":3}] stop:tool_use)");
}

TEST(ToolCallRecovery, ExcessNumericPrecision) {
  EXPECT_EQ(hermes("<tool_call>\n{\"name\": \"Run\", \"arguments\": {\"ratio\": "
                   "0.333333333333333333333333333333, \"count\": 123456789012345678901234567890}}\n"
                   "</tool_call>"),
            R"(U[Run]{"ratio":0.3333333333333333,"count":1.2345678901234568e+29}] stop:tool_use)");
  EXPECT_EQ(xml("<tool_call>\n<function=Run>\n<parameter=count>\n7.000000000000000000001\n"
                "</parameter>\n<parameter=ratio>\n2.50000000000000000000001\n</parameter>\n"
                "</function>\n</tool_call>"),
            R"(U[Run]{"count":7,"ratio":2.5}] stop:tool_use)");
}

TEST(ToolCallRecovery, MissingOpener) {
  // XML: the model starts with <function= directly (and may still close with </tool_call>).
  EXPECT_EQ(xml("Writing.\n<function=Write>\n<parameter=path>\n/a\n</parameter>\n</function>\n"
                "</tool_call>"),
            "T[Writing.] U[Write]{\"path\":\"/a\"}] !tool call recovered: missing <tool_call> "
            "stop:tool_use");
  // Hermes: a line that is a call object, with a stray closer.
  EXPECT_EQ(hermes("Running it.\n{\"name\": \"Run\", \"arguments\": {\"count\": 2}}\n</tool_call>"),
            R"(T[Running it.] U[Run]{"count":2}] stop:tool_use)");
}

TEST(ToolCallRecovery, StrayClosersAfterACall) {
  EXPECT_EQ(
      hermes("<tool_call>\n{\"name\": \"Run\", \"arguments\": {}}\n</tool_call>\n</tool_call>"),
      "U[Run]{}] stop:tool_use");
  EXPECT_EQ(
      xml("<tool_call>\n<function=Run>\n</function>\n</tool_call>\n</function>\n</tool_call>"),
      "U[Run]{}] stop:tool_use");
  // Far from a call, a closer is just text.
  EXPECT_EQ(hermes("Use </tool_call> to close."), "T[Use </tool_call> to close.] stop:end_turn");
}

TEST(ToolCallRecovery, MissingClosersAtTheEnd) {
  EXPECT_EQ(xml("<tool_call>\n<function=Run>\n<parameter=path>\n/a\n</parameter>\n"),
            "U[Run]{\"path\":\"/a\"}] !tool call recovered: missing </function> stop:tool_use");
  EXPECT_EQ(xml("<tool_call>\n<function=Run>\n<parameter=path>\n/a\n"),
            "U[Run]{\"path\":\"/a\"}] !tool call recovered: missing </parameter> "
            "!tool call recovered: missing </function> stop:tool_use");
  EXPECT_EQ(xml("<tool_call>\n<function=Run>\n<parameter=path>\n/a\n</parameter>\n</function>"),
            "U[Run]{\"path\":\"/a\"}] !tool call recovered: missing </tool_call> stop:tool_use");
  EXPECT_EQ(hermes("<tool_call>\n{\"name\": \"Run\", \"arguments\": {}}"),
            "U[Run]{}] !tool call recovered: missing </tool_call> stop:tool_use");
}

TEST(ToolCallRecovery, ValueContainingClosingTags) {
  // A file whose text holds </parameter> and </function>: what follows each tag decides.
  const std::string content =
      "Docs:\n<parameter=x>\nv\n</parameter>\nthen </function> and </tool_call> in prose\nend";
  const std::string out =
      "<tool_call>\n<function=Write>\n<parameter=path>\n/doc.md\n</parameter>\n"
      "<parameter=content>\n" +
      content + "\n</parameter>\n</function>\n</tool_call>";
  const std::vector<Event> events =
      run_parser(parser_config(ToolCallFormat::kQwenXml, tools()), out);
  nlohmann::ordered_json input;
  for (const Event& e : coalesce(events)) {
    if (e.kind == Event::Kind::kToolInput) input = nlohmann::ordered_json::parse(e.text);
  }
  EXPECT_EQ(input["path"], "/doc.md");
  EXPECT_EQ(input["content"], content);
  EXPECT_EQ(events.back().stop_reason, api::StopReason::kToolUse);
}

TEST(ToolCallRecovery, JsonInsideXmlTagAndXmlInsideHermesTag) {
  // Models trained on one format sometimes write the other inside <tool_call>.
  EXPECT_EQ(xml("<tool_call>\n{\"name\": \"Run\", \"arguments\": {\"count\": 1}}\n</tool_call>"),
            R"(U[Run]{"count":1}] stop:tool_use)");
  EXPECT_EQ(hermes("<tool_call>\n<function=Run>\n<parameter=count>\n1\n</parameter>\n</function>\n"
                   "</tool_call>"),
            R"(U[Run]{"count":1}] stop:tool_use)");
}

TEST(ToolCallRecovery, BrokenCallsStayText) {
  EXPECT_EQ(
      hermes("<tool_call>\n{\"name\": \"Run\", \"arguments\": [1, 2]}\n</tool_call>"),
      "U[Run]{}] !tool call arguments that are not a JSON object; kept as text "
      "T[<tool_call>\n{\"name\": \"Run\", \"arguments\": [1, 2]}\n</tool_call>] stop:tool_use");
  EXPECT_EQ(hermes("<tool_call>\nI will run it now\n</tool_call> ok"),
            "!a <tool_call> that holds neither JSON nor <function=...>; kept as text "
            "T[<tool_call>\nI will run it now\n</tool_call> ok] stop:end_turn");
  EXPECT_EQ(hermes("<tool_call>\n{\"arguments\": {}}\n</tool_call>"),
            "!a tool call without a \"name\"; kept as text "
            "T[<tool_call>\n{\"arguments\": {}}\n</tool_call>] stop:end_turn");
  EXPECT_EQ(xml("<tool_call>\n<function=Run>\njunk\n</function>\n</tool_call>"),
            "U[Run]{}] !a <function=...> tool call that cannot be read; kept as text "
            "T[<tool_call>\n<function=Run>\njunk\n</function>\n</tool_call>] stop:tool_use");
}

TEST(ToolCallRecovery, ToolCallInsideThinkingEndsIt) {
  ParserConfig c = parser_config(ToolCallFormat::kQwenXml, tools());
  c.starts_in_thinking = true;
  EXPECT_EQ(summarize(run_parser(
                c, "I need to run it.\n<tool_call>\n<function=Run>\n</function>\n</tool_call>")),
            "R[I need to run it.] !a tool call began inside thinking; thinking ends there "
            "U[Run]{}] stop:tool_use");
}

TEST(LenientJson, Repairs) {
  EXPECT_EQ(repair_json_text("{'a': 'b\"c', 'd': [1,2,],}"), R"({"a": "b\"c", "d": [1,2]})");
  EXPECT_EQ(repair_json_text(R"({'it\'s': True})"), R"({"it's": true})");
  EXPECT_EQ(repair_json_text(R"({"None": "True"})"), R"({"None": "True"})");
  EXPECT_EQ(strip_code_fence("```json\n{}\n```"), "{}");
  EXPECT_EQ(strip_code_fence("``` {} ```"), "``` {} ```");
  EXPECT_FALSE(parse_lenient_json("{\"a\": }").has_value());
  EXPECT_FALSE(parse_lenient_json("").has_value());
  std::string deep(200, '[');
  deep += std::string(200, ']');
  EXPECT_FALSE(parse_lenient_json(deep).has_value());
}

TEST(LenientJson, LeadingName) {
  EXPECT_EQ(leading_name(R"({"name": "Run", "arguments")"), "Run");
  EXPECT_EQ(leading_name(R"({ 'name':'Run')"), "Run");
  EXPECT_FALSE(leading_name(R"({"name": "Ru)").has_value());
  EXPECT_FALSE(leading_name(R"({"arguments": {}, "name": "Run"})").has_value());
}

TEST(XmlCall, NeedsLookaheadAfterAClosingTag) {
  const std::vector<api::Tool> t = tools();
  XmlCallParse r = parse_xml_call("\n<function=Run>\n<parameter=path>\na\n</parameter>", false, t);
  EXPECT_EQ(r.status, XmlCallParse::Status::kNeedMore);
  EXPECT_TRUE(r.waiting_on_lookahead);
  EXPECT_EQ(r.name, "Run");
  r = parse_xml_call("\n<function=Run>\n<parameter=path>\na\n</parameter>\nb", false, t);
  EXPECT_EQ(r.status, XmlCallParse::Status::kNeedMore);
  EXPECT_FALSE(r.waiting_on_lookahead);
  r = parse_xml_call("\n<function=Run>\n<parameter=path>\na\n</parameter>\nb", true, t);
  EXPECT_EQ(r.status, XmlCallParse::Status::kComplete);
  EXPECT_EQ(r.arguments["path"], "a\n</parameter>\nb");
  EXPECT_EQ(parse_xml_call("<function=a\nb>", false, t).status, XmlCallParse::Status::kMalformed);
  EXPECT_EQ(parse_xml_call("<function=" + std::string(300, 'x'), false, t).status,
            XmlCallParse::Status::kMalformed);
}

TEST(XmlCall, TypesFromSchemaShapes) {
  const auto schema = [](const char* s) { return nlohmann::ordered_json::parse(s); };
  const auto any_of = schema(R"({"anyOf":[{"type":"integer"},{"type":"null"}]})");
  EXPECT_EQ(type_parameter_value("5", &any_of), 5);
  EXPECT_TRUE(type_parameter_value("null", &any_of).is_null());
  EXPECT_EQ(type_parameter_value("five", &any_of), "five");
  const auto enum_num = schema(R"({"enum":[1,2,3]})");
  EXPECT_EQ(type_parameter_value("2", &enum_num), 2);
  const auto boolean = schema(R"({"type":"boolean"})");
  EXPECT_EQ(type_parameter_value("FALSE", &boolean), false);
  EXPECT_EQ(type_parameter_value(" 1 ", nullptr), " 1 ");
  const auto integer = schema(R"({"type":"integer"})");
  EXPECT_EQ(type_parameter_value("2.5", &integer), "2.5");
  EXPECT_EQ(type_parameter_value("1e400", &integer), "1e400");
}

}  // namespace
}  // namespace chat::test
