// Multi-turn sessions as Claude Code drives them, one per template family: render the request,
// "generate" a scripted model output in the family's own format, parse it into content blocks
// (through ResponseWriter and api::MessageAccumulator, thinking omitted as Claude Code asks),
// append the answer and the tool results as the client does, and render again. Within a tool
// loop the new prompt must extend the old prompt plus the generated text and its end-of-turn
// token exactly: the history re-renders as the tokens the model saw and produced. At a new user
// query, templates that drop earlier reasoning break that, at a known place.
#include <gtest/gtest.h>

#include "api/message_accumulator.h"
#include "chat/response_writer.h"
#include "chat_test_util.h"

namespace chat::test {
namespace {

using Json = nlohmann::ordered_json;

size_t common_prefix(std::string_view a, std::string_view b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

const char* kTools = R"([
  {"name":"Bash","description":"Run a shell command","input_schema":{"type":"object",
    "properties":{"command":{"type":"string"}},"required":["command"]}},
  {"name":"Read","description":"Read a file","input_schema":{"type":"object",
    "properties":{"file_path":{"type":"string"},"limit":{"type":"integer"}},"required":["file_path"]}}])";

class Session {
 public:
  Session(const std::string& template_name, bool omit_thinking, bool preserve_thinking = false)
      : t_(chat_template(template_name)),
        store_({}, ReasoningStore::Key{}),
        omit_thinking_(omit_thinking) {
    options_.preserve_thinking = preserve_thinking;
    request_ = parse_request(std::string(R"({"model":"local","max_tokens":4000,"stream":true,
        "system":[{"type":"text","text":"x-anthropic-billing-header: cc_version=1; cch=abc;"},
                  {"type":"text","text":"You are a coding agent."}],
        "thinking":{"type":"enabled","budget_tokens":2000,"display":"omitted"},
        "messages":[{"role":"user","content":[{"type":"text","text":"<system-reminder>ctx</system-reminder>"},
                                              {"type":"text","text":"List and read the files."}]},
                    {"role":"system","content":"Plan mode is off."}],
        "tools":)") + kTools +
                             "}");
  }

  // Renders the current request; returns the prompt text.
  std::string render() {
    prompt_ = render_ok(t_, request_, options_, &store_);
    return prompt_.text;
  }

  // The model "generates" `raw`: parse it and append the answer to the conversation.
  api::ResponseMessage answer(const std::string& raw) {
    OutputParser parser(t_.parser_config(request_, prompt_));
    api::MessageAccumulator sink;
    sink.start("msg_1", "local", {});
    ResponseWriter writer(
        sink, {.store = &store_,
               .omit_thinking = omit_thinking_,
               .on_issue = [](std::string_view issue) { ADD_FAILURE() << "issue: " << issue; }});
    std::vector<Event> events;
    for (size_t i = 0; i < raw.size(); i += 3) {  // a few bytes at a time, like tokens
      parser.feed(std::string_view(raw).substr(i, 3), events);
      writer.apply(events);
      events.clear();
    }
    parser.finish(FinishCause::kEndOfGeneration, events);
    writer.apply(events);
    writer.finish({});
    api::Message m;
    m.role = api::Role::kAssistant;
    for (const api::ResponseBlock& block : sink.message().content) {
      std::visit([&](const auto& b) { m.content.push_back(b); }, block);
    }
    request_.prompt.messages.push_back(std::move(m));
    return sink.message();
  }

  // The client's tool results, one per tool_use of the last answer: "result of NAME".
  void tool_results(const std::string& extra_text = "") {
    api::Message m;
    m.role = api::Role::kUser;
    for (const api::ContentBlock& block : request_.prompt.messages.back().content) {
      if (const auto* use = std::get_if<api::ToolUseBlock>(&block)) {
        api::ToolResultBlock r;
        r.tool_use_id = use->id;
        r.content.push_back(api::TextBlock{"result of " + use->name + " " + use->input.dump()});
        m.content.push_back(std::move(r));
      }
    }
    if (!extra_text.empty()) m.content.push_back(api::TextBlock{extra_text});
    request_.prompt.messages.push_back(std::move(m));
  }

  void user(const std::string& text) {
    request_.prompt.messages.push_back({api::Role::kUser, {api::TextBlock{text}}});
  }
  void system(const std::string& text) {
    request_.prompt.messages.push_back({api::Role::kSystem, {api::TextBlock{text}}});
  }

  const RenderedPrompt& prompt() const { return prompt_; }

 private:
  const ChatTemplate& t_;
  ReasoningStore store_;
  bool omit_thinking_;
  RenderOptions options_ = fixed_options();
  api::MessagesRequest request_;
  RenderedPrompt prompt_;
};

struct Family {
  const char* name;
  const char* end_of_turn;  // the text of the token that ends the model's turn
  std::string turn1, turn2, turn3;
  // At the new user query after turn 3: true if the prompt still extends the whole history.
  bool history_stable;
  // Else: the new prompt parts from the old at turn 1's answer, right after this text.
  const char* diverges_after;
  bool preserve_thinking = false;  // RenderOptions::preserve_thinking
};

// A Qwen3.5/3.6 session: the prompt opens <think>, so the output starts inside it.
const char* kXml1 =
    "The user wants the files listed.\n</think>\n\nLet me look.\n\n<tool_call>\n<function=Bash>\n"
    "<parameter=command>\nls\n</parameter>\n</function>\n</tool_call>";
const char* kXml2 =
    "Two files.\n</think>\n\n<tool_call>\n<function=Read>\n<parameter=file_path>\na.txt\n"
    "</parameter>\n<parameter=limit>\n10\n</parameter>\n</function>\n</tool_call>\n<tool_call>\n"
    "<function=Read>\n<parameter=file_path>\nb.txt\n</parameter>\n</function>\n</tool_call>";
const char* kXml3 = "Both read.\n</think>\n\nBoth files say hello.";

std::vector<Family> families() {
  return {
      {"qwen3", "<|im_end|>",
       "<think>\nThe user wants the files listed.\n</think>\n\nLet me look.\n<tool_call>\n"
       "{\"name\": \"Bash\", \"arguments\": {\"command\": \"ls\"}}\n</tool_call>",
       "<think>\nTwo files.\n</think>\n\n<tool_call>\n{\"name\": \"Read\", \"arguments\": "
       "{\"file_path\": \"a.txt\", \"limit\": 10}}\n</tool_call>\n<tool_call>\n{\"name\": "
       "\"Read\", "
       "\"arguments\": {\"file_path\": \"b.txt\"}}\n</tool_call>",
       "<think>\nBoth read.\n</think>\n\nBoth files say hello.", false, "<|im_start|>assistant\n",
       false},
      {"qwen3_5", "<|im_end|>", kXml1, kXml2, kXml3, false, "<|im_start|>assistant\n", false},
      {"qwen3_6", "<|im_end|>", kXml1, kXml2, kXml3, false, "<|im_start|>assistant\n", false},
      // With preserve_thinking, Qwen3.6 keeps every turn's reasoning: the history never changes.
      {"qwen3_6", "<|im_end|>", kXml1, kXml2, kXml3, true, "", true},
      {"qwen3_coder", "<|im_end|>",
       "Let me look.\n\n<tool_call>\n<function=Bash>\n<parameter=command>\nls\n</parameter>\n"
       "</function>\n</tool_call>",
       "<tool_call>\n<function=Read>\n<parameter=file_path>\na.txt\n</parameter>\n"
       "<parameter=limit>\n10\n</parameter>\n</function>\n</tool_call>\n<tool_call>\n"
       "<function=Read>\n<parameter=file_path>\nb.txt\n</parameter>\n</function>\n</tool_call>",
       "Both files say hello.", true, "", false},
      {"qwen2_5", "<|im_end|>",
       "Let me look.\n<tool_call>\n{\"name\": \"Bash\", \"arguments\": {\"command\": \"ls\"}}\n"
       "</tool_call>",
       "<tool_call>\n{\"name\": \"Read\", \"arguments\": {\"file_path\": \"a.txt\", \"limit\": "
       "10}}\n"
       "</tool_call>\n<tool_call>\n{\"name\": \"Read\", \"arguments\": {\"file_path\": "
       "\"b.txt\"}}\n"
       "</tool_call>",
       "Both files say hello.", true, "", false},
      {"llama3_1", "<|eot_id|>", "{\"name\": \"Bash\", \"parameters\": {\"command\": \"ls\"}}",
       "{\"name\": \"Read\", \"parameters\": {\"file_path\": \"a.txt\", \"limit\": 10}}",
       "Both files say hello.", true, "", false},
  };
}

void run_session(const Family& f, bool omit_thinking) {
  SCOPED_TRACE(std::string(f.name) + (omit_thinking ? " (thinking omitted)" : "") +
               (f.preserve_thinking ? " (preserve_thinking)" : ""));
  Session s(f.name, omit_thinking, f.preserve_thinking);
  const std::string p1 = s.render();
  EXPECT_EQ(p1.find("x-anthropic-billing-header"), std::string::npos);
  s.answer(f.turn1);
  s.tool_results();
  const std::string p2 = s.render();
  ASSERT_TRUE(p2.starts_with(p1 + f.turn1 + f.end_of_turn))
      << "turn 2 parts at byte " << common_prefix(p1 + f.turn1 + f.end_of_turn, p2) << "\n"
      << p2;

  const api::ResponseMessage a2 = s.answer(f.turn2);
  EXPECT_EQ(a2.stop_reason, api::StopReason::kToolUse);
  // A reminder between the tool results and the next turn, as Claude Code sends one.
  s.tool_results("<system-reminder>todo list is empty</system-reminder>");
  s.system("Context is 40% full.");
  const std::string p3 = s.render();
  ASSERT_TRUE(p3.starts_with(p2 + f.turn2 + f.end_of_turn))
      << "turn 3 parts at byte " << common_prefix(p2 + f.turn2 + f.end_of_turn, p3) << "\n"
      << p3;

  const api::ResponseMessage a3 = s.answer(f.turn3);
  EXPECT_EQ(a3.stop_reason, api::StopReason::kEndTurn);
  s.user("Thanks. Now delete them.");
  const std::string p4 = s.render();
  const std::string before = p3 + f.turn3 + f.end_of_turn;
  if (f.history_stable) {
    EXPECT_TRUE(p4.starts_with(before)) << "turn 4 parts at byte " << common_prefix(before, p4);
  } else {
    // Turn 1's answer loses its reasoning: the prompts part right after its turn opener.
    const size_t expected = p1.rfind(f.diverges_after) + std::string_view(f.diverges_after).size();
    EXPECT_EQ(common_prefix(before, p4), expected);
  }
}

TEST(Session, ToolLoopExtendsThePromptExactly) {
  for (const Family& f : families()) {
    run_session(f, /*omit_thinking=*/true);
    run_session(f, /*omit_thinking=*/false);
  }
}

TEST(Session, ThinkingIsRestoredFromTheSignature) {
  Session s("qwen3_5", /*omit_thinking=*/true);
  s.render();
  const api::ResponseMessage a = s.answer(
      "Deep reasoning here.\n</think>\n\nOK.\n\n<tool_call>\n<function=Bash>\n<parameter=command>\n"
      "ls\n</parameter>\n</function>\n</tool_call>");
  ASSERT_FALSE(a.content.empty());
  const auto& thinking = std::get<api::ThinkingBlock>(a.content[0]);
  EXPECT_EQ(thinking.thinking, "");  // omitted on the wire
  EXPECT_TRUE(thinking.signature.starts_with("E"));
  s.tool_results();
  EXPECT_NE(s.render().find("<think>\nDeep reasoning here.\n</think>\n\nOK."), std::string::npos);
}

TEST(Session, ForeignOrMissingSignaturesRenderWhatTheyHave) {
  ReasoningStore store;
  const std::string body = R"({"model":"m","max_tokens":5,"messages":[
      {"role":"user","content":"q"},
      {"role":"assistant","content":[
        {"type":"thinking","thinking":"","signature":"EqQBCkYIBxgCKkBs3zZ+ZUY="},
        {"type":"text","text":"a"},
        {"type":"tool_use","id":"t1","name":"X","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"r"}]},
      {"role":"assistant","content":[
        {"type":"thinking","thinking":"Visible reasoning.","signature":""},
        {"type":"text","text":"b"},
        {"type":"tool_use","id":"t2","name":"X","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"t2","content":"r"}]}]})";
  const RenderedPrompt p =
      render_ok(chat_template("qwen3_5"), parse_request(body), fixed_options(), &store);
  EXPECT_NE(p.text.find("<|im_start|>assistant\n<think>\n\n</think>\n\na\n\n<tool_call>"),
            std::string::npos);
  EXPECT_NE(p.text.find("<|im_start|>assistant\n<think>\nVisible reasoning.\n</think>\n\nb"),
            std::string::npos);
}

}  // namespace
}  // namespace chat::test
