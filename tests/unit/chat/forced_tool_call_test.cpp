// tool_choice any/tool: the prompt ends with the opening of a tool call in the template's own
// format (as Anthropic's API prefills it), thinking is off, the output parser reads the opening as
// the model's, and the next request, which renders the finished call as history, extends the
// prompt.
#include <gtest/gtest.h>

#include "chat/forced_tool_call.h"
#include "chat_test_util.h"

namespace chat {
namespace {

using test::chat_template;
using test::parse_request;
using test::render_ok;

// A conversation offering Read (and a deferred tool), with `tool_choice` and `more` messages.
std::string body(const std::string& tool_choice, const std::string& more = "",
                 const std::string& extra = "") {
  return R"({"model":"m","max_tokens":50,"system":"S",)" + extra +
         R"("messages":[{"role":"user","content":"open a.txt"})" + more + R"(],
      "tools":[{"name":"Read","description":"Reads","input_schema":{"type":"object",
                "properties":{"path":{"type":"string"}}}},
               {"name":"Later","defer_loading":true,"input_schema":{"type":"object"}}],
      "tool_choice":)" +
         tool_choice + "}";
}

constexpr const char* kForceRead = R"({"type":"tool","name":"Read"})";
constexpr const char* kForceAny = R"({"type":"any"})";

// The events of the parser for `request` rendered by `t`, fed `output`.
std::vector<Event> parse_output(const ChatTemplate& t, const api::MessagesRequest& request,
                                const RenderedPrompt& p, std::string_view output) {
  return test::run_parser(t.parser_config(request, p), output);
}

void expect_read_call(const std::vector<Event>& events, const std::string& input) {
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].kind, Event::Kind::kToolUseStart);
  EXPECT_EQ(events[0].text, "Read");
  EXPECT_EQ(events[1].kind, Event::Kind::kToolInput);
  EXPECT_EQ(events[1].text, input);
  EXPECT_EQ(events[2].kind, Event::Kind::kBlockEnd);
  EXPECT_EQ(events[3].kind, Event::Kind::kStop);
  EXPECT_EQ(events[3].stop_reason, api::StopReason::kToolUse);
}

TEST(ForcedToolCall, ANamedToolIsPrefilledInHermesJson) {
  const ChatTemplate& t = chat_template("qwen3");
  const api::MessagesRequest r = parse_request(body(kForceRead));
  const RenderedPrompt p = render_ok(t, r);
  const std::string opening = "<tool_call>\n{\"name\": \"Read\", \"arguments\": ";
  EXPECT_TRUE(p.text.ends_with("<|im_start|>assistant\n<think>\n\n</think>\n\n" + opening));
  EXPECT_EQ(p.forced_output, opening);
  EXPECT_TRUE(p.forced_choices.empty());
  EXPECT_EQ(p.enable_thinking, false);
  EXPECT_FALSE(p.starts_in_thinking);
  // <tool_call> is the template's: a special token, as the model would have written it.
  const SpecialSpan& last = p.specials.back();
  EXPECT_EQ(last.offset, p.text.size() - opening.size());
  EXPECT_EQ(last.id, 151657);
  expect_read_call(parse_output(t, r, p, "{\"path\": \"a.txt\"}}\n</tool_call>"),
                   R"({"path":"a.txt"})");
}

TEST(ForcedToolCall, AnyToolLeavesTheNameToTheModelAmongTheOfferedOnes) {
  const ChatTemplate& t = chat_template("qwen3");
  const api::MessagesRequest r = parse_request(body(kForceAny));
  const RenderedPrompt p = render_ok(t, r);
  EXPECT_TRUE(p.text.ends_with("</think>\n\n<tool_call>\n{\"name\": \""));
  EXPECT_EQ(p.forced_output, "<tool_call>\n{\"name\": \"");
  // The deferred tool is not in the template's list, so it is not a choice either.
  EXPECT_EQ(p.forced_choices, std::vector<std::string>{"Read\", \"arguments\": "});
  expect_read_call(parse_output(t, r, p, "Read\", \"arguments\": {\"path\": \"b\"}}</tool_call>"),
                   R"({"path":"b"})");
}

TEST(ForcedToolCall, QwenXmlAndLlamaJsonTakeTheirOwnOpenings) {
  const api::MessagesRequest r = parse_request(body(kForceRead));
  const ChatTemplate& qwen35 = chat_template("qwen3_5");
  const RenderedPrompt x = render_ok(qwen35, r);
  EXPECT_TRUE(
      x.text.ends_with("<|im_start|>assistant\n<think>\n\n</think>\n\n<tool_call>\n"
                       "<function=Read>\n"));
  expect_read_call(parse_output(qwen35, r, x,
                                "<parameter=path>\na.txt\n</parameter>\n</function>\n</tool_call>"),
                   R"({"path":"a.txt"})");
  const RenderedPrompt any = render_ok(qwen35, parse_request(body(kForceAny)));
  EXPECT_EQ(any.forced_output, "<tool_call>\n<function=");
  EXPECT_EQ(any.forced_choices, std::vector<std::string>{"Read>\n"});

  const ChatTemplate& llama = chat_template("llama3_1");
  const RenderedPrompt l = render_ok(llama, r);
  EXPECT_TRUE(l.text.ends_with(
      "<|start_header_id|>assistant<|end_header_id|>\n\n{\"name\": \"Read\", \"parameters\": "));
  expect_read_call(parse_output(llama, r, l, "{\"path\": \"a.txt\"}}"), R"({"path":"a.txt"})");
}

TEST(ForcedToolCall, WhereNoCallCanBeReadTheModelIsAsked) {
  // Mistral's tool calls are not read here (ToolCallFormat::kNone): the system prompt asks.
  const RenderedPrompt p =
      render_ok(chat_template("mistral_small_3_2"), parse_request(body(kForceRead)));
  EXPECT_TRUE(p.forced_output.empty());
  EXPECT_NE(p.text.find("You must answer by calling the tool \"Read\"."), std::string::npos);
}

TEST(ForcedToolCall, APrefillIsContinuedAsSent) {
  const RenderedPrompt p =
      render_ok(chat_template("qwen3"),
                parse_request(body(kForceAny, R"(,{"role":"assistant","content":"Let me see"})")));
  EXPECT_TRUE(p.forced_output.empty());
  EXPECT_TRUE(p.text.ends_with("Let me see"));
}

TEST(ForcedToolCall, ThinkingIsOffEvenWhenTheRequestLeavesItToTheModel) {
  const RenderedPrompt p =
      render_ok(chat_template("qwen3_6"),
                parse_request(body(kForceAny, "", R"("thinking":{"type":"adaptive"},)")));
  EXPECT_EQ(p.enable_thinking, false);
  EXPECT_TRUE(p.text.ends_with("</think>\n\n<tool_call>\n<function="));
}

TEST(ForcedToolCall, TheNextRequestExtendsTheForcedPrompt) {
  const std::string turn2_messages =
      R"(,{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Read",
           "input":{"path":"a.txt"}}]},
         {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1",
           "content":"hello"}]})";
  // Qwen3 is left out: its history drops the empty <think></think> of a turn that did not
  // think, which any thinking-off turn's prompt has too (README.md, shared prefix).
  for (const char* name : {"qwen2_5", "qwen3_5", "qwen3_6", "qwen3_coder", "llama3_1"}) {
    const ChatTemplate& t = chat_template(name);
    for (const char* choice : {kForceRead, kForceAny}) {
      const RenderedPrompt turn1 = render_ok(t, parse_request(body(choice)));
      const RenderedPrompt turn2 =
          render_ok(t, parse_request(body(R"({"type":"auto"})", turn2_messages,
                                          R"("thinking":{"type":"disabled"},)")));
      EXPECT_TRUE(turn2.text.starts_with(turn1.text)) << name << " " << choice << "\n"
                                                      << turn1.text << "\n----\n"
                                                      << turn2.text;
    }
  }
}

}  // namespace
}  // namespace chat
