// Rendering Anthropic requests through the real chat templates: Claude Code's captured bodies,
// the billing header, system messages in the middle, tools and tool_choice, thinking switches,
// the content a text-only model refuses, and the traits found for each template.
#include <gtest/gtest.h>

#include "chat_test_util.h"

namespace chat::test {
namespace {

const char* kAllTemplates[] = {
    "qwen3",    "qwen3_5",  "qwen3_6",           "qwen3_coder",         "qwen2_5",
    "llama3_1", "llama3_2", "mistral_small_3_2", "devstral_small_2507", "deepseek_v3_1",
    "glm4_6",   "gpt_oss"};

api::MessagesRequest first_turn() {
  return parse_request(data_file("api/claude_code_2.1.332_first_turn.json"));
}
api::MessagesRequest tool_result_turn() {
  return parse_request(data_file("api/claude_code_2.1.332_tool_result_turn.json"));
}

TEST(TemplateTraits, DetectedPerTemplate) {
  struct Expect {
    const char* name;
    ToolCallFormat format;
    bool think, reasoning, system_in_place, single_call, args_string;
  };
  const Expect expected[] = {
      {"qwen3", ToolCallFormat::kHermesJson, true, true, true, false, false},
      {"qwen3_5", ToolCallFormat::kQwenXml, true, true, false, false, false},
      {"qwen3_6", ToolCallFormat::kQwenXml, true, true, false, false, false},
      {"qwen3_coder", ToolCallFormat::kQwenXml, true, false, true, false, false},
      {"qwen2_5", ToolCallFormat::kHermesJson, true, false, true, false, false},
      {"llama3_1", ToolCallFormat::kLlama3Json, false, false, true, true, false},
      {"llama3_2", ToolCallFormat::kLlama3Json, false, false, true, true, false},
      {"deepseek_v3_1", ToolCallFormat::kNone, true, false, false, false, true},
      {"glm4_6", ToolCallFormat::kNone, true, true, true, false, false},
  };
  for (const Expect& e : expected) {
    SCOPED_TRACE(e.name);
    const TemplateTraits& t = chat_template(e.name).traits();
    EXPECT_EQ(t.tool_call_format, e.format);
    EXPECT_EQ(t.think_tags, e.think);
    EXPECT_EQ(t.reasoning_content, e.reasoning);
    EXPECT_EQ(t.system_in_place, e.system_in_place);
    EXPECT_EQ(t.single_tool_call, e.single_call);
    EXPECT_EQ(t.tool_arguments_as_string, e.args_string);
  }
  EXPECT_TRUE(chat_template("qwen3").traits().enable_thinking);
  EXPECT_TRUE(chat_template("deepseek_v3_1").traits().thinking_flag);
  EXPECT_FALSE(chat_template("qwen3").traits().thinking_flag);
  EXPECT_TRUE(detect_text_traits("{{ preserve_thinking }}", false).preserve_thinking);
  EXPECT_TRUE(chat_template("qwen3_6").traits().preserve_thinking);
  EXPECT_FALSE(chat_template("qwen3_5").traits().preserve_thinking);
}

TEST(Render, ClaudeCodeBodiesThroughEveryTemplate) {
  for (const char* name : kAllTemplates) {
    SCOPED_TRACE(name);
    const ChatTemplate& t = chat_template(name);
    for (const api::MessagesRequest& request : {first_turn(), tool_result_turn()}) {
      const RenderedPrompt p = render_ok(t, request);
      EXPECT_NE(p.text.find("You are a Claude agent, built on Anthropic's Claude Agent SDK."),
                std::string::npos);
      EXPECT_NE(p.text.find("Run echo hi"), std::string::npos);
      EXPECT_EQ(p.text.find("x-anthropic-billing-header"), std::string::npos);
      // The same request renders the same bytes.
      EXPECT_EQ(render_ok(t, request).text, p.text);
    }
  }
}

TEST(Render, Qwen3StructureOfAToolTurn) {
  const RenderedPrompt p = render_ok(chat_template("qwen3"), tool_result_turn());
  // System prompt (blocks joined with "\n"), then the tools in the client's order and key order.
  EXPECT_TRUE(p.text.starts_with(
      "<|im_start|>system\nYou are a Claude agent, built on Anthropic's Claude Agent SDK.\n\n"
      "You are an agent working"));
  const size_t agent = p.text.find("{\"type\": \"function\", \"function\": {\"name\": \"Agent\"");
  const size_t bash = p.text.find(
      "{\"type\": \"function\", \"function\": {\"name\": \"Bash\", \"description\": \"Executes");
  const size_t write = p.text.find("\"name\": \"Write\"");
  ASSERT_NE(agent, std::string::npos);
  ASSERT_NE(bash, std::string::npos);
  EXPECT_LT(agent, bash);
  EXPECT_LT(bash, write);
  EXPECT_NE(
      p.text.find("\"parameters\": {\"$schema\": \"https://json-schema.org/draft/2020-12/schema\", "
                  "\"type\": \"object\", \"properties\": {\"command\""),
      std::string::npos);
  // The deferred tool is not offered.
  EXPECT_EQ(p.text.find("DeferredToolPlaceholder"), std::string::npos);
  // The user's text blocks, joined with "\n"; the assistant turn; the tool result as a user turn.
  EXPECT_NE(p.text.find("shortened for the fixture ...]\nRun echo hi<|im_end|>\n"),
            std::string::npos);
  EXPECT_TRUE(p.text.ends_with(
      "<|im_start|>assistant\n<think>\nLet me think.\n</think>\n\nRunning it.\n<tool_call>\n"
      "{\"name\": \"Bash\", \"arguments\": {\"command\": \"echo hi\", \"description\": \"Print "
      "hi\"}}\n</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\nhi\n\n<system-reminder>\n"
      "<total_tokens>14999970 tokens left</total_tokens>\n</system-reminder>\n</tool_response>"
      "<|im_end|>\n<|im_start|>assistant\n"));
  EXPECT_FALSE(p.starts_in_thinking);  // Qwen3 writes <think> itself
  EXPECT_EQ(p.enable_thinking, true);
}

TEST(Render, Qwen35OpensThinkingInThePrompt) {
  const RenderedPrompt p = render_ok(chat_template("qwen3_5"), tool_result_turn());
  EXPECT_TRUE(p.text.ends_with("<|im_start|>assistant\n<think>\n"));
  EXPECT_TRUE(p.starts_in_thinking);
  EXPECT_NE(p.text.find("<think>\nLet me think.\n</think>\n\nRunning it.\n\n<tool_call>\n"
                        "<function=Bash>\n<parameter=command>\necho hi\n</parameter>\n"
                        "<parameter=description>\nPrint hi\n</parameter>\n</function>\n"
                        "</tool_call><|im_end|>"),
            std::string::npos);
  api::MessagesRequest off = tool_result_turn();
  off.prompt.thinking.type = api::ThinkingConfig::Type::kDisabled;
  const RenderedPrompt q = render_ok(chat_template("qwen3_5"), off);
  EXPECT_TRUE(q.text.ends_with("<|im_start|>assistant\n<think>\n\n</think>\n\n"));
  EXPECT_FALSE(q.starts_in_thinking);
}

TEST(Render, ThinkingSwitch) {
  api::MessagesRequest r = parse_request(R"({"model":"m","max_tokens":5,
      "messages":[{"role":"user","content":"hi"}]})");
  const ChatTemplate& t = chat_template("qwen3");
  EXPECT_TRUE(render_ok(t, r).text.ends_with("<|im_start|>assistant\n"));  // template default
  RenderOptions o = fixed_options();
  o.default_thinking = false;
  EXPECT_TRUE(render_ok(t, r, o).text.ends_with("<|im_start|>assistant\n<think>\n\n</think>\n\n"));
  r.prompt.thinking.type = api::ThinkingConfig::Type::kAdaptive;  // the request wins
  EXPECT_TRUE(render_ok(t, r, o).text.ends_with("<|im_start|>assistant\n"));
  // DeepSeek's `thinking` switch.
  r.prompt.thinking.type = api::ThinkingConfig::Type::kEnabled;
  EXPECT_TRUE(
      render_ok(chat_template("deepseek_v3_1"), r).text.ends_with("<｜Assistant｜><think>"));
  EXPECT_TRUE(render_ok(chat_template("deepseek_v3_1"), r).starts_in_thinking);
  r.prompt.thinking.type = api::ThinkingConfig::Type::kDisabled;
  EXPECT_TRUE(
      render_ok(chat_template("deepseek_v3_1"), r).text.ends_with("<｜Assistant｜></think>"));
}

TEST(Render, GenerationPromptIsAnOption) {
  const api::MessagesRequest r = parse_request(R"({"model":"m","max_tokens":5,
      "messages":[{"role":"user","content":"hi"}]})");
  for (const char* name : {"qwen3", "qwen3_6", "llama3_1"}) {
    SCOPED_TRACE(name);
    const ChatTemplate& t = chat_template(name);
    RenderOptions without = fixed_options();
    without.add_generation_prompt = false;
    const std::string bare = render_ok(t, r, without).text;
    const std::string with = render_ok(t, r).text;
    EXPECT_TRUE(with.starts_with(bare));
    EXPECT_GT(with.size(), bare.size());
    EXPECT_NE(with.substr(bare.size()).find("assistant"), std::string::npos);
    EXPECT_EQ(bare.find("assistant"), std::string::npos);
  }
}

TEST(Render, BillingHeaderLeftOutByDefault) {
  const ChatTemplate& t = chat_template("qwen3_5");
  api::MessagesRequest a = first_turn();
  api::MessagesRequest b = first_turn();
  ASSERT_TRUE(is_billing_header(b.prompt.system[0].text));
  b.prompt.system[0].text =
      "x-anthropic-billing-header: cc_version=2.1.400.abc; cc_entrypoint=cli; cch=9f3e1;";
  // Two sessions with different billing blocks share the whole prompt.
  EXPECT_EQ(render_ok(t, a).text, render_ok(t, b).text);
  RenderOptions keep = fixed_options();
  keep.keep_billing_header = true;
  const std::string kept = render_ok(t, b, keep).text;
  EXPECT_NE(
      kept.find(
          "x-anthropic-billing-header: cc_version=2.1.400.abc; cc_entrypoint=cli; cch=9f3e1;\n"
          "You are a Claude agent"),
      std::string::npos);
}

api::MessagesRequest with_system_messages() {
  return parse_request(R"({"model":"m","max_tokens":5,"system":"You are terse.",
    "messages":[
      {"role":"user","content":"first question"},
      {"role":"system","content":"The user switched to plan mode."},
      {"role":"assistant","content":"ok"},
      {"role":"user","content":"second question"},
      {"role":"system","content":[{"type":"text","text":"Reminder A"},{"type":"text","text":"Reminder B"}]}]})");
}

TEST(Render, SystemMessagesInTheMiddleStayInPlace) {
  const api::MessagesRequest r = with_system_messages();
  // Qwen3.5 raises on them ("System message must be at the beginning"): they become marked user
  // turns where they were, and the leading system prompt is untouched.
  const RenderedPrompt p35 = render_ok(chat_template("qwen3_5"), r);
  EXPECT_TRUE(
      p35.text.starts_with("<|im_start|>system\nYou are terse.<|im_end|>\n"
                           "<|im_start|>user\nfirst question<|im_end|>\n"
                           "<|im_start|>user\n<system-message>\nThe user switched to plan "
                           "mode.\n</system-message><|im_end|>\n<|im_start|>assistant\nok"));
  EXPECT_NE(p35.text.find("<|im_start|>user\nsecond question<|im_end|>\n<|im_start|>user\n"
                          "<system-message>\nReminder A\nReminder B\n</system-message><|im_end|>\n"
                          "<|im_start|>assistant\n"),
            std::string::npos);
  // Qwen3 renders system messages where they are itself.
  const RenderedPrompt p3 = render_ok(chat_template("qwen3"), r);
  EXPECT_NE(p3.text.find("<|im_start|>user\nfirst question<|im_end|>\n<|im_start|>system\nThe user "
                         "switched to plan mode.<|im_end|>\n"),
            std::string::npos);
  // Every template but Mistral Small 3.2's accepts them (it demands strict user/assistant
  // alternation, counting system messages).
  for (const char* name : kAllTemplates) {
    if (std::string_view(name) == "mistral_small_3_2") continue;
    SCOPED_TRACE(name);
    const RenderedPrompt p = render_ok(chat_template(name), r);
    EXPECT_NE(p.text.find("The user switched to plan mode."), std::string::npos);
    EXPECT_LT(p.text.find("first question"), p.text.find("The user switched to plan mode."));
    EXPECT_LT(p.text.find("The user switched to plan mode."), p.text.find("second question"));
  }
}

TEST(Render, SystemMessageFirstWithoutTopLevelSystem) {
  const api::MessagesRequest r = parse_request(R"({"model":"m","max_tokens":5,"messages":[
      {"role":"system","content":"Opening rules."},{"role":"user","content":"q"}]})");
  EXPECT_TRUE(
      render_ok(chat_template("qwen3_5"), r)
          .text.starts_with(
              "<|im_start|>system\nOpening rules.<|im_end|>\n<|im_start|>user\nq<|im_end|>"));
}

TEST(Render, TextOnlyModelsRefuseImagesAndBinaryDocuments) {
  const ChatTemplate& t = chat_template("qwen3");
  api::Result<RenderedPrompt> image = t.render(parse_request(R"({"model":"m","max_tokens":5,
      "messages":[{"role":"user","content":[{"type":"text","text":"what is this"},
        {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}]})")
                                                   .prompt);
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.error().type, api::ErrorType::kInvalidRequest);
  EXPECT_EQ(image.error().message,
            "messages.0.content.1: image input is not supported: the model served here reads text "
            "only");
  api::Result<RenderedPrompt> in_result = t.render(parse_request(R"({"model":"m","max_tokens":5,
      "messages":[{"role":"user","content":"x"},
        {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Shot","input":{}}]},
        {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[
          {"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}]}]}]})")
                                                       .prompt);
  ASSERT_FALSE(in_result.ok());
  EXPECT_EQ(in_result.error().message,
            "messages.2.content.0: image input is not supported: the model served here reads text "
            "only");
  api::Result<RenderedPrompt> pdf = t.render(parse_request(R"({"model":"m","max_tokens":5,
      "messages":[{"role":"user","content":[{"type":"document",
        "source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}}]}]})")
                                                 .prompt);
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.error().message,
            "messages.0.content.0: document input from a base64 source (application/pdf) is not "
            "supported: the model served here reads text only; send the document's text instead");
  // A plain-text document is text.
  const RenderedPrompt doc = render_ok(t, parse_request(R"({"model":"m","max_tokens":5,
      "messages":[{"role":"user","content":[{"type":"document","title":"Notes",
        "source":{"type":"text","media_type":"text/plain","data":"line one"}},
        {"type":"text","text":"summarize"}]}]})"));
  EXPECT_NE(doc.text.find("<|im_start|>user\nNotes\n\nline one\nsummarize<|im_end|>"),
            std::string::npos);
}

api::MessagesRequest tools_request(const std::string& tool_choice) {
  return parse_request(R"({"model":"m","max_tokens":5,"system":"S",
      "messages":[{"role":"user","content":"go"}],
      "tools":[{"name":"Read","description":"Reads","input_schema":{"type":"object",
                "properties":{"path":{"type":"string"}}}},
               {"name":"Later","defer_loading":true,"input_schema":{"type":"object"}}])" +
                       (tool_choice.empty() ? "" : ",\"tool_choice\":" + tool_choice) + "}");
}

TEST(Render, ToolChoice) {
  const ChatTemplate& t = chat_template("qwen3");
  const std::string base = render_ok(t, tools_request("")).text;
  EXPECT_NE(base.find("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"Read\", "
                      "\"description\": \"Reads\", \"parameters\": {\"type\": \"object\""),
            std::string::npos);
  EXPECT_EQ(base.find("Later"), std::string::npos);
  const std::string none = render_ok(t, tools_request(R"({"type":"none"})")).text;
  EXPECT_EQ(none.find("<tools>"), std::string::npos);
  EXPECT_TRUE(none.starts_with("<|im_start|>system\nS<|im_end|>"));
  // any/tool are forced by the prompt's end (forced_tool_call_test.cpp), not asked for in the
  // system prompt, which stays that of the other requests.
  const std::string any = render_ok(t, tools_request(R"({"type":"any"})")).text;
  EXPECT_TRUE(any.starts_with("<|im_start|>system\nS\n\n# Tools"));
  const std::string one =
      render_ok(t,
                tools_request(R"({"type":"tool","name":"Read","disable_parallel_tool_use":true})"))
          .text;
  EXPECT_TRUE(
      one.starts_with("<|im_start|>system\nS\n\nCall at most one tool per answer.\n\n# Tools"));
  // The parser config follows: no tools for none, one call at most without parallel calls.
  const api::MessagesRequest r =
      tools_request(R"({"type":"any","disable_parallel_tool_use":true})");
  const ParserConfig c = t.parser_config(r, render_ok(t, r));
  EXPECT_EQ(c.tools.size(), 2u);  // deferred tools may still be called once loaded
  EXPECT_EQ(c.max_tool_calls, 1u);
  EXPECT_EQ(c.tool_call_format, ToolCallFormat::kHermesJson);
  const api::MessagesRequest n = tools_request(R"({"type":"none"})");
  EXPECT_TRUE(t.parser_config(n, render_ok(t, n)).tools.empty());
}

TEST(Render, ToolReferenceWritesTheDeferredTool) {
  const RenderedPrompt p = render_ok(chat_template("qwen3"), parse_request(R"({"model":"m",
      "max_tokens":5,"messages":[{"role":"user","content":"go"},
        {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"ToolSearch",
          "input":{"query":"later"}}]},
        {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[
          {"type":"tool_reference","tool_name":"Later"}]}]}],
      "tools":[{"name":"ToolSearch","input_schema":{"type":"object"}},
               {"name":"Later","description":"Does it later","defer_loading":true,
                "input_schema":{"type":"object","properties":{"when":{"type":"string"}}}}]})"));
  EXPECT_NE(p.text.find("<tool_response>\nTool Later is now available:\n{\"type\":\"function\","
                        "\"function\":{\"name\":\"Later\",\"description\":\"Does it later\","
                        "\"parameters\":{\"type\":\"object\",\"properties\":{\"when\":{\"type\":"
                        "\"string\"}}}}}\n</tool_response>"),
            std::string::npos);
  EXPECT_EQ(p.text.find("\"name\": \"Later\""), std::string::npos);  // not in the tools list
}

TEST(Render, ToolResultShapes) {
  const RenderedPrompt p = render_ok(chat_template("qwen3_5"), parse_request(R"({"model":"m",
      "max_tokens":5,"messages":[{"role":"user","content":"go"},
        {"role":"assistant","content":[
          {"type":"tool_use","id":"a","name":"X","input":{}},
          {"type":"tool_use","id":"b","name":"Y","input":{"n":[1,2]}}]},
        {"role":"user","content":[
          {"type":"tool_result","tool_use_id":"a","content":[{"type":"text","text":"one"},
                                                            {"type":"text","text":"two"}]},
          {"type":"tool_result","tool_use_id":"b","is_error":true,"content":"boom"},
          {"type":"text","text":"and then?"}]}]})"));
  // Text after the results joins the last one (a user turn would be a new query to Qwen).
  EXPECT_TRUE(p.text.ends_with(
      "<|im_start|>assistant\n<think>\n\n</think>\n\n<tool_call>\n<function=X>\n</function>\n"
      "</tool_call>\n<tool_call>\n<function=Y>\n<parameter=n>\n[1, 2]\n</parameter>\n</function>\n"
      "</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\none\ntwo\n</tool_response>\n"
      "<tool_response>\nError: boom\n\nand then?\n</tool_response><|im_end|>\n"
      "<|im_start|>assistant\n<think>\n"));
}

TEST(Render, Llama3OneToolCallPerMessage) {
  // Llama 3 raises on two calls in one message: each call goes just before its result.
  const RenderedPrompt p = render_ok(chat_template("llama3_1"), parse_request(R"({"model":"m",
      "max_tokens":5,"messages":[{"role":"user","content":"go"},
        {"role":"assistant","content":[
          {"type":"tool_use","id":"a","name":"X","input":{"k":1}},
          {"type":"tool_use","id":"b","name":"Y","input":{"k":2}}]},
        {"role":"user","content":[
          {"type":"tool_result","tool_use_id":"a","content":"ra"},
          {"type":"tool_result","tool_use_id":"b","content":"rb"}]}],
      "tools":[{"name":"X","input_schema":{"type":"object"}},{"name":"Y","input_schema":{"type":"object"}}]})"));
  EXPECT_TRUE(p.text.ends_with(
      "<|start_header_id|>assistant<|end_header_id|>\n\n{\"name\": \"X\", \"parameters\": "
      "{\"k\": 1}}<|eot_id|><|start_header_id|>ipython<|end_header_id|>\n\n\"ra\"<|eot_id|>"
      "<|start_header_id|>assistant<|end_header_id|>\n\n{\"name\": \"Y\", \"parameters\": "
      "{\"k\": 2}}<|eot_id|><|start_header_id|>ipython<|end_header_id|>\n\n\"rb\"<|eot_id|>"
      "<|start_header_id|>assistant<|end_header_id|>\n\n"));
  EXPECT_TRUE(p.text.starts_with("<|begin_of_text|><|start_header_id|>system<|end_header_id|>"));
}

TEST(Render, TemplateRefusalIsAnInvalidRequest) {
  // Qwen3.5 needs a user query; a conversation of tool results only has none.
  api::Result<RenderedPrompt> r = chat_template("qwen3_5").render(parse_request(R"({"model":"m",
      "max_tokens":5,"messages":[{"role":"user","content":[
        {"type":"tool_result","tool_use_id":"a","content":"x"}]}]})")
                                                                      .prompt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "the model's chat template cannot render this conversation: No user query found in "
            "messages.");
}

TEST(Render, PreserveThinkingReachesTemplatesThatReadIt) {
  const ChatTemplate t("{{ 'keep' if preserve_thinking else 'drop' }}", SpecialTexts());
  EXPECT_TRUE(t.traits().preserve_thinking);
  const api::MessagesRequest r = parse_request(R"({"model":"m","max_tokens":5,
      "messages":[{"role":"user","content":"q"}]})");
  EXPECT_EQ(render_ok(t, r).text, "drop");
  RenderOptions o = fixed_options();
  o.preserve_thinking = true;
  EXPECT_EQ(render_ok(t, r, o).text, "keep");
}

TEST(Render, Qwen36PreserveThinkingKeepsEarlierReasoning) {
  // Two user queries; the first answer carries reasoning. Qwen3.6 drops it by default (as
  // Qwen3.5 always does) and keeps it with preserve_thinking.
  const api::MessagesRequest r = parse_request(R"({"model":"m","max_tokens":5,"messages":[
      {"role":"user","content":"first"},
      {"role":"assistant","content":[{"type":"thinking","thinking":"Old reasoning.",
                                      "signature":""},{"type":"text","text":"One."}]},
      {"role":"user","content":"second"}]})");
  const std::string kept = "<|im_start|>assistant\n<think>\nOld reasoning.\n</think>\n\nOne.";
  const std::string dropped = "<|im_start|>user\nfirst<|im_end|>\n<|im_start|>assistant\nOne.";
  EXPECT_NE(render_ok(chat_template("qwen3_6"), r).text.find(dropped), std::string::npos);
  EXPECT_EQ(render_ok(chat_template("qwen3_6"), r).text,
            render_ok(chat_template("qwen3_5"), r).text);
  RenderOptions o = fixed_options();
  o.preserve_thinking = true;
  EXPECT_NE(render_ok(chat_template("qwen3_6"), r, o).text.find(kept), std::string::npos);
  // Templates without the switch are not affected.
  EXPECT_NE(render_ok(chat_template("qwen3_5"), r, o).text.find(dropped), std::string::npos);
}

TEST(Render, FinalAssistantMessageIsContinued) {
  const api::MessagesRequest r = parse_request(R"({"model":"m","max_tokens":5,"messages":[
      {"role":"user","content":"Say a color."},
      {"role":"assistant","content":"The color is"}]})");
  for (const char* name : {"qwen3", "qwen3_5", "qwen3_6", "qwen3_coder", "qwen2_5", "llama3_1"}) {
    SCOPED_TRACE(name);
    const ChatTemplate& t = chat_template(name);
    const RenderedPrompt p = render_ok(t, r);
    EXPECT_TRUE(p.text.ends_with("The color is")) << p.text;
    EXPECT_TRUE(p.continues_assistant);
    EXPECT_FALSE(p.starts_in_thinking);
    ParserConfig c = t.parser_config(r, p);
    EXPECT_TRUE(c.continues_text);
    // The continuation keeps its leading space, and <think> no longer opens.
    EXPECT_EQ(summarize(run_parser(c, " <think> blue.")), "T[ <think> blue.] stop:end_turn");
  }
  EXPECT_TRUE(render_ok(chat_template("qwen3_5"), r)
                  .text.ends_with("<|im_start|>assistant\n<think>\n\n</think>\n\nThe color is"));
  const api::Result<RenderedPrompt> with_tool = chat_template("qwen3").render(
      parse_request(R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"},
        {"role":"assistant","content":[{"type":"tool_use","id":"t","name":"X","input":{}}]}]})")
          .prompt);
  ASSERT_FALSE(with_tool.ok());
  EXPECT_EQ(with_tool.error().message,
            "messages.1: a final assistant message (a prefill) cannot contain tool_use blocks");
}

}  // namespace
}  // namespace chat::test
