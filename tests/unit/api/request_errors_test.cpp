// Each malformed body gets one specific invalid_request_error, worded as Anthropic words it.
#include <string>

#include <gtest/gtest.h>

#include "api/request_parser.h"

namespace api {
namespace {

struct Case {
  const char* body;
  const char* message;
};

// The prefix every valid-so-far body below starts from.
#define BODY(rest) R"({"model":"m","max_tokens":16,)" rest "}"
#define WITH_USER(rest) BODY(R"("messages":[{"role":"user","content":"x"}],)" rest)

const Case kCases[] = {
    // JSON itself
    {"",
     "The request body is not valid JSON: unexpected end of input; expected '[', '{', or a "
     "literal: line 1 column 1 (char 0)"},
    {"{\"model\": tru}",
     "The request body is not valid JSON: invalid literal: line 1 column 14 (char 13)"},
    {"{\n  \"a\": 1,\n  \"b\": \"x\ty\"\n}",
     "The request body is not valid JSON: invalid string: control character U+0009 (HT) must be "
     "escaped to \\u0009 or \\t: line 3 column 10 (char 21)"},
    {"{} {}",
     "The request body is not valid JSON: unexpected '{'; expected end of input: line 1 column 4 "
     "(char 3)"},
    {"[1,2]", "Input should be a valid dictionary or object to extract fields from"},
    {"\"text\"", "Input should be a valid dictionary or object to extract fields from"},
    // required fields and their types
    {R"({"max_tokens":16,"messages":[{"role":"user","content":"x"}]})", "model: Field required"},
    {R"({"model":7,"max_tokens":16,"messages":[]})", "model: Input should be a valid string"},
    {R"({"model":"m","messages":[{"role":"user","content":"x"}]})", "max_tokens: Field required"},
    {R"({"model":"m","max_tokens":null,"messages":[{"role":"user","content":"x"}]})",
     "max_tokens: Field required"},
    {BODY(R"("max_tokens":"16","messages":[])"), "max_tokens: Input should be a valid integer"},
    {BODY(R"("max_tokens":1.5,"messages":[])"),
     "max_tokens: Input should be a valid integer, got a number with a fractional part"},
    {BODY(R"("max_tokens":-1,"messages":[])"),
     "max_tokens: Input should be greater than or equal to 0"},
    {BODY(R"("max_tokens":18446744073709551615,"messages":[])"),
     "max_tokens: Input should be less than or equal to 9223372036854775807"},
    {BODY(R"("max_tokens":1e300,"messages":[])"), "max_tokens: Input should be a valid integer"},
    {R"({"model":"m","max_tokens":16})", "messages: Field required"},
    {BODY(R"("messages":{})"), "messages: Input should be a valid list"},
    {BODY(R"("messages":[])"), "messages: at least one message is required"},
    // messages
    {BODY(R"("messages":["hi"])"), "messages.0: Input should be a valid dictionary"},
    {BODY(R"("messages":[{"content":"x"}])"), "messages.0.role: Field required"},
    {BODY(R"("messages":[{"role":"tool","content":"x"}])"),
     "messages.0.role: Input should be 'user', 'assistant' or 'system'"},
    {BODY(R"("messages":[{"role":"user"}])"), "messages.0.content: Field required"},
    {BODY(R"("messages":[{"role":"user","content":5}])"),
     "messages.0.content: Input should be a valid string or a list of content blocks"},
    {BODY(R"("messages":[{"role":"user","content":""}])"),
     "messages.0: all messages must have non-empty content except for the optional final "
     "assistant message"},
    {BODY(R"("messages":[{"role":"assistant","content":[]},{"role":"user","content":"x"}])"),
     "messages.0: all messages must have non-empty content except for the optional final "
     "assistant message"},
    {BODY(R"("messages":[{"role":"user","content":[7]}])"),
     "messages.0.content.0: Input should be a valid dictionary"},
    {BODY(R"("messages":[{"role":"user","content":[{"text":"x"}]}])"),
     "messages.0.content.0: Unable to extract tag using discriminator 'type'"},
    {BODY(
         R"("messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"video"}]}])"),
     "messages.0.content.1: Input tag 'video' found using 'type' does not match any of the "
     "expected tags: 'text', 'image', 'document', 'search_result', 'thinking', "
     "'redacted_thinking', 'tool_use', 'tool_result'"},
    {BODY(R"("messages":[{"role":"user","content":[{"type":"text"}]}])"),
     "messages.0.content.0.text.text: Field required"},
    {BODY(R"("messages":[{"role":"user","content":[{"type":"text","text":["a"]}]}])"),
     "messages.0.content.0.text.text: Input should be a valid string"},
    {BODY(
         R"("messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/bmp","data":""}}]}])"),
     "messages.0.content.0.image.source.base64.media_type: Input should be 'image/jpeg', "
     "'image/png', 'image/gif' or 'image/webp'"},
    {BODY(R"("messages":[{"role":"user","content":[{"type":"image","source":{"type":"ftp"}}]}])"),
     "messages.0.content.0.image.source: Input tag 'ftp' found using 'type' does not match any "
     "of the expected tags: 'base64', 'url', 'file'"},
    {BODY(R"("messages":[{"role":"user","content":[{"type":"image"}]}])"),
     "messages.0.content.0.image.source: Field required"},
    {BODY(
         R"("messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"text/html","data":""}}]}])"),
     "messages.0.content.0.document.source.base64.media_type: Input should be 'application/pdf'"},
    {BODY(
         R"("messages":[{"role":"user","content":[{"type":"document","source":{"type":"content","content":[{"type":"document"}]}}]}])"),
     "messages.0.content.0.document.source.content.content.0: Input tag 'document' found using "
     "'type' does not match any of the expected tags: 'text', 'image'"},
    {BODY(
         R"("messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"n"}]}])"),
     "messages.0.content.0.tool_use.input: Field required"},
    {BODY(
         R"("messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"n","input":"{}"}]}])"),
     "messages.0.content.0.tool_use.input: Input should be a valid dictionary"},
    {BODY(
         R"("messages":[{"role":"assistant","content":[{"type":"tool_use","name":"n","input":{}}]}])"),
     "messages.0.content.0.tool_use.id: Field required"},
    {BODY(R"("messages":[{"role":"user","content":[{"type":"tool_result"}]}])"),
     "messages.0.content.0.tool_result.tool_use_id: Field required"},
    {BODY(
         R"("messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","is_error":"no"}]}])"),
     "messages.0.content.0.tool_result.is_error: Input should be a valid boolean"},
    {BODY(
         R"("messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":{}}]}])"),
     "messages.0.content.0.tool_result.content: Input should be a valid string or a list of "
     "content blocks"},
    {BODY(
         R"("messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"tool_use"}]}]}])"),
     "messages.0.content.0.tool_result.content.0: Input tag 'tool_use' found using 'type' does "
     "not match any of the expected tags: 'text', 'image', 'document', 'search_result', "
     "'tool_reference'"},
    {BODY(R"("messages":[{"role":"assistant","content":[{"type":"thinking","signature":"s"}]}])"),
     "messages.0.content.0.thinking.thinking: Field required"},
    {BODY(R"("messages":[{"role":"assistant","content":[{"type":"redacted_thinking"}]}])"),
     "messages.0.content.0.redacted_thinking.data: Field required"},
    {BODY(R"("messages":[{"role":"system","content":[{"type":"image"}]}])"),
     "messages.0.content.0.type: Input should be 'text'"},
    // system
    {WITH_USER(R"("system":5)"), "system: Input should be a valid string or a list of text blocks"},
    {WITH_USER(R"("system":[{"type":"text"}])"), "system.0.text: Field required"},
    {WITH_USER(R"("system":[{"type":"image","source":{}}])"),
     "system.0.type: Input should be 'text'"},
    // sampling
    {WITH_USER(R"("temperature":1.5)"), "temperature: Input should be less than or equal to 1"},
    {WITH_USER(R"("temperature":-0.1)"), "temperature: Input should be greater than or equal to 0"},
    {WITH_USER(R"("temperature":"hot")"), "temperature: Input should be a valid number"},
    {WITH_USER(R"("top_p":2)"), "top_p: Input should be less than or equal to 1"},
    {WITH_USER(R"("top_k":-1)"), "top_k: Input should be greater than or equal to 0"},
    {WITH_USER(R"("top_k":0.5)"),
     "top_k: Input should be a valid integer, got a number with a fractional part"},
    {WITH_USER(R"("stream":"yes")"), "stream: Input should be a valid boolean"},
    {WITH_USER(R"("stop_sequences":"END")"), "stop_sequences: Input should be a valid list"},
    {WITH_USER(R"("stop_sequences":["a",1])"), "stop_sequences.1: Input should be a valid string"},
    {WITH_USER(R"("stop_sequences":["a",""])"),
     "stop_sequences: each stop sequence must be non-empty"},
    // metadata
    {WITH_USER(R"("metadata":"u")"), "metadata: Input should be a valid dictionary"},
    {WITH_USER(R"("metadata":{"user_id":5})"), "metadata.user_id: Input should be a valid string"},
    // tools
    {WITH_USER(R"("tools":{})"), "tools: Input should be a valid list"},
    {WITH_USER(R"("tools":[{"name":"a"}])"), "tools.0.input_schema: Field required"},
    {WITH_USER(R"("tools":[{"input_schema":{}}])"), "tools.0.name: Field required"},
    {WITH_USER(R"("tools":[{"name":"","input_schema":{}}])"),
     "tools.0.name: String should have at least 1 character"},
    {WITH_USER(R"("tools":[{"name":"a","input_schema":[]}])"),
     "tools.0.input_schema: Input should be a valid dictionary"},
    {WITH_USER(R"("tools":[{"name":"a","input_schema":{"type":"string"}}])"),
     "tools.0.input_schema.type: Input should be 'object'"},
    {WITH_USER(R"("tools":[{"name":"a","description":3,"input_schema":{}}])"),
     "tools.0.description: Input should be a valid string"},
    {WITH_USER(R"("tools":[{"name":"a","input_schema":{}},{"name":"a","input_schema":{}}])"),
     "tools: Tool names must be unique."},
    {WITH_USER(R"("tools":[{"name":"a","input_schema":{},"defer_loading":"yes"}])"),
     "tools.0.defer_loading: Input should be a valid boolean"},
    // tool_choice
    {WITH_USER(R"("tool_choice":"auto")"), "tool_choice: Input should be a valid dictionary"},
    {WITH_USER(R"("tool_choice":{"type":"required"})"),
     "tool_choice: Input tag 'required' found using 'type' does not match any of the expected "
     "tags: 'auto', 'any', 'tool', 'none'"},
    {WITH_USER(R"("tool_choice":{"type":"tool"})"), "tool_choice.tool.name: Field required"},
    {WITH_USER(R"("tool_choice":{"type":"tool","name":"missing"})"),
     "tool_choice.tool.name: no tool named 'missing' is defined in `tools`"},
    {WITH_USER(R"("tool_choice":{"type":"any","disable_parallel_tool_use":1})"),
     "tool_choice.any.disable_parallel_tool_use: Input should be a valid boolean"},
    {WITH_USER(R"("tools":[{"name":"a","input_schema":{}}],"tool_choice":{"type":"any"},)"
               R"("thinking":{"type":"enabled","budget_tokens":1024})"),
     "Thinking may not be enabled when tool_choice forces tool use."},
    {WITH_USER(R"("tools":[{"name":"a","input_schema":{}}],"tool_choice":{"type":"tool",)"
               R"("name":"a"},"thinking":{"type":"enabled","budget_tokens":1024})"),
     "Thinking may not be enabled when tool_choice forces tool use."},
    // thinking
    {WITH_USER(R"("thinking":{"type":"enabled"})"),
     "thinking.enabled.budget_tokens: Field required"},
    {WITH_USER(R"("thinking":{"type":"enabled","budget_tokens":512})"),
     "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"},
    {WITH_USER(R"("thinking":{"type":"enabled","budget_tokens":1024})"),
     "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
     "documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
     "#max-tokens-and-context-window-size"},
    {WITH_USER(R"("thinking":{"type":"on"})"),
     "thinking: Input tag 'on' found using 'type' does not match any of the expected tags: "
     "'enabled', 'disabled', 'adaptive', 'between_tools'"},
    {WITH_USER(R"("thinking":{"type":"adaptive","display":"full"})"),
     "thinking.adaptive.display: Input should be 'summarized', 'omitted', 'highlights' or "
     "'updates'"},
    // output_config
    {WITH_USER(R"("output_config":{"format":{"type":"xml"}})"),
     "output_config.format: Input tag 'xml' found using 'type' does not match any of the "
     "expected tags: 'json_schema'"},
    {WITH_USER(R"("output_config":{"format":{"type":"json_schema"}})"),
     "output_config.format.json_schema.schema: Field required"},
};

TEST(RequestErrors, EachCaseGetsItsMessage) {
  for (const Case& c : kCases) {
    Result<MessagesRequest> result = parse_messages_request(c.body);
    ASSERT_FALSE(result.ok()) << c.body;
    EXPECT_EQ(result.error().type, ErrorType::kInvalidRequest) << c.body;
    EXPECT_EQ(result.error().message, c.message) << c.body;
  }
}

TEST(RequestErrors, TooManyStopSequences) {
  std::string list = "[";
  for (std::size_t i = 0; i <= kMaxStopSequences; ++i)
    list += (i ? ",\"s" : "\"s") + std::to_string(i) + "\"";
  list += "]";
  Result<MessagesRequest> result = parse_messages_request(
      R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"stop_sequences":)" +
      list + "}");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            "stop_sequences: List should have at most 256 items after "
            "validation, not 257");
}

TEST(RequestErrors, LongTagsAreCutInMessages) {
  std::string tag(1000, 'z');
  Result<MessagesRequest> result = parse_messages_request(
      R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":")" + tag +
      R"("}]}]})");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message.substr(0, 44), "messages.0.content.0: Input tag 'zzzzzzzzzzz");
  EXPECT_LT(result.error().message.size(), 400u);
  EXPECT_NE(result.error().message.find("zzz...'"), std::string::npos);
}

}  // namespace
}  // namespace api
