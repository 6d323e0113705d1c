// parse_messages_request / parse_count_tokens_request on well-formed bodies: every field and block
// type lands in the typed request, unknown fields are ignored, and real Claude Code bodies parse.
#include "api/request_parser.h"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace api {
namespace {

std::string read_data(const std::string& name) {
  std::ifstream file(std::string(AL_SOURCE_DIR) + "/tests/data/api/" + name, std::ios::binary);
  EXPECT_TRUE(file) << name;
  std::stringstream out;
  out << file.rdbuf();
  return out.str();
}

MessagesRequest parse_ok(const std::string& body) {
  Result<MessagesRequest> result = parse_messages_request(body);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? std::move(result).value() : MessagesRequest{};
}

TEST(RequestParser, MinimalRequest) {
  MessagesRequest r = parse_ok(
      R"({"model":"qwen3","max_tokens":16,"messages":[{"role":"user","content":"Hello"}]})");
  EXPECT_EQ(r.model, "qwen3");
  EXPECT_EQ(r.max_tokens, 16);
  ASSERT_EQ(r.prompt.messages.size(), 1u);
  EXPECT_EQ(r.prompt.messages[0].role, Role::kUser);
  ASSERT_EQ(r.prompt.messages[0].content.size(), 1u);
  EXPECT_EQ(std::get<TextBlock>(r.prompt.messages[0].content[0]).text, "Hello");
  EXPECT_FALSE(r.stream);
  EXPECT_FALSE(r.temperature.has_value());
  EXPECT_FALSE(r.top_p.has_value());
  EXPECT_FALSE(r.top_k.has_value());
  EXPECT_TRUE(r.prompt.system.empty());
  EXPECT_TRUE(r.prompt.tools.empty());
  EXPECT_EQ(r.prompt.tool_choice.type, ToolChoice::Type::kAuto);
  EXPECT_EQ(r.prompt.thinking.type, ThinkingConfig::Type::kUnset);
  EXPECT_FALSE(r.metadata.user_id.has_value());
}

TEST(RequestParser, ZeroMaxTokensIsValid) {
  // The SDK documents max_tokens 0 for pre-warming the prompt cache, and Claude Code sends it.
  MessagesRequest r =
      parse_ok(R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(r.max_tokens, 0);
  // Nothing is generated, so a thinking budget need not fit.
  MessagesRequest warm = parse_ok(R"({"model":"m","max_tokens":0,"thinking":{"type":"enabled",
      "budget_tokens":2048},"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(warm.prompt.thinking.budget_tokens, 2048);
}

TEST(RequestParser, IntegralFloatIsAnInteger) {
  MessagesRequest r =
      parse_ok(R"({"model":"m","max_tokens":100.0,"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(r.max_tokens, 100);
}

TEST(RequestParser, SamplingAndStreamFields) {
  MessagesRequest r = parse_ok(R"({"model":"m","max_tokens":5,"stream":true,"temperature":0.5,
      "top_p":1,"top_k":40,"stop_sequences":["\n\nHuman:","END"],
      "messages":[{"role":"user","content":"x"}]})");
  EXPECT_TRUE(r.stream);
  EXPECT_EQ(r.temperature, 0.5);
  EXPECT_EQ(r.top_p, 1.0);
  EXPECT_EQ(r.top_k, 40);
  EXPECT_EQ(r.stop_sequences, (std::vector<std::string>{"\n\nHuman:", "END"}));
}

TEST(RequestParser, NullOptionalFieldsCountAsAbsent) {
  MessagesRequest r = parse_ok(R"({"model":"m","max_tokens":5,"stream":null,"temperature":null,
      "system":null,"tools":null,"tool_choice":null,"thinking":null,"metadata":null,
      "stop_sequences":null,"messages":[{"role":"user","content":"x"}]})");
  EXPECT_FALSE(r.stream);
  EXPECT_FALSE(r.temperature.has_value());
}

TEST(RequestParser, SystemAsStringAndAsBlocks) {
  MessagesRequest a = parse_ok(
      R"({"model":"m","max_tokens":5,"system":"Be brief.","messages":[{"role":"user","content":"x"}]})");
  ASSERT_EQ(a.prompt.system.size(), 1u);
  EXPECT_EQ(a.prompt.system[0].text, "Be brief.");
  MessagesRequest b = parse_ok(R"({"model":"m","max_tokens":5,"system":[
      {"type":"text","text":"One."},
      {"type":"text","text":"Two.","cache_control":{"type":"ephemeral","ttl":"1h","scope":"x"}}],
      "messages":[{"role":"user","content":"x"}]})");
  ASSERT_EQ(b.prompt.system.size(), 2u);
  EXPECT_EQ(b.prompt.system[1].text, "Two.");
}

TEST(RequestParser, SystemRoleMessagesAreKeptInPlace) {
  MessagesRequest r = parse_ok(R"({"model":"m","max_tokens":5,"messages":[
      {"role":"user","content":"a"},
      {"role":"system","content":"Mode changed."},
      {"role":"system","content":[{"type":"text","text":"More."},
                                  {"type":"tool_addition","tool":{"type":"tool_reference","tool_name":"X"}}]},
      {"role":"system"},
      {"role":"user","content":"b"}]})");
  ASSERT_EQ(r.prompt.messages.size(), 5u);
  EXPECT_EQ(r.prompt.messages[1].role, Role::kSystem);
  EXPECT_EQ(std::get<TextBlock>(r.prompt.messages[1].content[0]).text, "Mode changed.");
  ASSERT_EQ(r.prompt.messages[2].content.size(), 1u);
  EXPECT_EQ(std::get<TextBlock>(r.prompt.messages[2].content[0]).text, "More.");
  EXPECT_TRUE(r.prompt.messages[3].content.empty());
  EXPECT_EQ(r.prompt.ignored_blocks, 1);
}

TEST(RequestParser, EveryContentBlockType) {
  MessagesRequest r = parse_ok(R"({"model":"m","max_tokens":5,"messages":[
    {"role":"user","content":[
      {"type":"text","text":"Look","citations":null,"cache_control":{"type":"ephemeral"}},
      {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
      {"type":"image","source":{"type":"url","url":"https://example.com/a.jpg"}},
      {"type":"image","source":{"type":"file","file_id":"file_011"}},
      {"type":"document","source":{"type":"text","media_type":"text/plain","data":"Plain doc"},
       "title":"T","context":"C","citations":{"enabled":true}},
      {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}},
      {"type":"document","source":{"type":"content","content":[{"type":"text","text":"part"},
        {"type":"image","source":{"type":"url","url":"https://example.com/b.png"}}]}},
      {"type":"document","source":{"type":"content","content":"just text"}},
      {"type":"search_result","source":"https://s","title":"S","content":[{"type":"text","text":"hit"}]}
    ]},
    {"role":"assistant","content":[
      {"type":"thinking","thinking":"Hmm.","signature":"sig=="},
      {"type":"redacted_thinking","data":"opaque"},
      {"type":"text","text":"Calling."},
      {"type":"tool_use","id":"toolu_1","name":"Read","input":{"path":"/a","b":1,"a":2}}
    ]},
    {"role":"user","content":[
      {"type":"tool_result","tool_use_id":"toolu_1","content":"file text","is_error":false},
      {"type":"tool_result","tool_use_id":"toolu_2","is_error":true,"content":[
        {"type":"text","text":"failed"},
        {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/"}},
        {"type":"tool_reference","tool_name":"WebFetch"},
        {"type":"browser_state","state":{}}]},
      {"type":"tool_result","tool_use_id":"toolu_3"}
    ]}]})");
  ASSERT_EQ(r.prompt.messages.size(), 3u);
  const auto& user = r.prompt.messages[0].content;
  ASSERT_EQ(user.size(), 9u);
  EXPECT_EQ(std::get<TextBlock>(user[0]).text, "Look");
  const auto& png = std::get<ImageBlock>(user[1]).source;
  EXPECT_EQ(png.kind, MediaSource::Kind::kBase64);
  EXPECT_EQ(png.media_type, "image/png");
  EXPECT_EQ(png.data, "iVBORw0KGgo=");
  EXPECT_EQ(std::get<ImageBlock>(user[2]).source.kind, MediaSource::Kind::kUrl);
  EXPECT_EQ(std::get<ImageBlock>(user[2]).source.data, "https://example.com/a.jpg");
  EXPECT_EQ(std::get<ImageBlock>(user[3]).source.kind, MediaSource::Kind::kFile);
  EXPECT_EQ(std::get<ImageBlock>(user[3]).source.data, "file_011");
  const auto& doc = std::get<DocumentBlock>(user[4]);
  EXPECT_EQ(doc.source.kind, MediaSource::Kind::kText);
  EXPECT_EQ(doc.source.data, "Plain doc");
  EXPECT_EQ(doc.title, "T");
  EXPECT_EQ(doc.context, "C");
  EXPECT_EQ(std::get<DocumentBlock>(user[5]).source.media_type, "application/pdf");
  const auto& content_doc = std::get<DocumentBlock>(user[6]);
  ASSERT_EQ(content_doc.content.size(), 2u);
  EXPECT_EQ(std::get<TextBlock>(content_doc.content[0]).text, "part");
  EXPECT_EQ(std::get<TextBlock>(std::get<DocumentBlock>(user[7]).content[0]).text, "just text");
  const auto& search = std::get<SearchResultBlock>(user[8]);
  EXPECT_EQ(search.source, "https://s");
  EXPECT_EQ(search.content[0].text, "hit");

  const auto& assistant = r.prompt.messages[1].content;
  ASSERT_EQ(assistant.size(), 4u);
  EXPECT_EQ(std::get<ThinkingBlock>(assistant[0]), (ThinkingBlock{"Hmm.", "sig=="}));
  EXPECT_EQ(std::get<RedactedThinkingBlock>(assistant[1]).data, "opaque");
  const auto& tool_use = std::get<ToolUseBlock>(assistant[3]);
  EXPECT_EQ(tool_use.id, "toolu_1");
  EXPECT_EQ(tool_use.name, "Read");
  EXPECT_EQ(tool_use.input.dump(), R"({"path":"/a","b":1,"a":2})");  // client key order

  const auto& results = r.prompt.messages[2].content;
  ASSERT_EQ(results.size(), 3u);
  const auto& first = std::get<ToolResultBlock>(results[0]);
  EXPECT_EQ(first.tool_use_id, "toolu_1");
  EXPECT_FALSE(first.is_error);
  ASSERT_EQ(first.content.size(), 1u);
  EXPECT_EQ(std::get<TextBlock>(first.content[0]).text, "file text");
  const auto& second = std::get<ToolResultBlock>(results[1]);
  EXPECT_TRUE(second.is_error);
  ASSERT_EQ(second.content.size(), 3u);  // browser_state dropped
  EXPECT_EQ(std::get<ImageBlock>(second.content[1]).source.media_type, "image/jpeg");
  EXPECT_EQ(std::get<ToolReferenceBlock>(second.content[2]).tool_name, "WebFetch");
  EXPECT_TRUE(std::get<ToolResultBlock>(results[2]).content.empty());
}

TEST(RequestParser, ServerToolBlocksAreDroppedAndCounted) {
  MessagesRequest r = parse_ok(R"({"model":"m","max_tokens":5,"messages":[
    {"role":"user","content":"search"},
    {"role":"assistant","content":[
      {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"q"}},
      {"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[]},
      {"type":"compaction","content":"Summary of earlier turns."},
      {"type":"compaction","encrypted_content":"xx"},
      {"type":"text","text":"Found it."}]}]})");
  const auto& content = r.prompt.messages[1].content;
  ASSERT_EQ(content.size(), 2u);
  EXPECT_EQ(std::get<TextBlock>(content[0]).text, "Summary of earlier turns.");
  EXPECT_EQ(std::get<TextBlock>(content[1]).text, "Found it.");
  EXPECT_EQ(r.prompt.ignored_blocks, 3);
}

TEST(RequestParser, ToolsKeepSchemaKeyOrderAndIgnoreOtherTypes) {
  MessagesRequest r =
      parse_ok(R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],
    "tools":[
      {"name":"get_weather","description":"Weather.","input_schema":{"type":"object",
        "properties":{"zeta":{"type":"string"},"alpha":{"type":"number"}},"required":["zeta"]},
        "cache_control":{"type":"ephemeral"},"strict":true,"input_examples":[{"zeta":"x"}]},
      {"type":"custom","name":"later","input_schema":{"type":"object"},"defer_loading":true},
      {"type":"web_search_20250305","name":"web_search","max_uses":5},
      {"type":"bash_20250124","name":"bash"}],
    "tool_choice":{"type":"tool","name":"get_weather","disable_parallel_tool_use":true}})");
  ASSERT_EQ(r.prompt.tools.size(), 2u);
  const Tool& weather = r.prompt.tools[0];
  EXPECT_EQ(weather.name, "get_weather");
  EXPECT_EQ(weather.description, "Weather.");
  EXPECT_EQ(
      weather.input_schema.dump(),
      R"({"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"number"}},"required":["zeta"]})");
  EXPECT_FALSE(weather.defer_loading);
  EXPECT_TRUE(r.prompt.tools[1].defer_loading);
  EXPECT_EQ(r.prompt.ignored_tools,
            (std::vector<std::string>{"web_search_20250305:web_search", "bash_20250124:bash"}));
  EXPECT_EQ(r.prompt.tool_choice.type, ToolChoice::Type::kTool);
  EXPECT_EQ(r.prompt.tool_choice.name, "get_weather");
  EXPECT_TRUE(r.prompt.tool_choice.disable_parallel_tool_use);
}

TEST(RequestParser, ToolChoiceKinds) {
  for (auto [json, type] : {std::pair{R"({"type":"auto"})", ToolChoice::Type::kAuto},
                            std::pair{R"({"type":"any"})", ToolChoice::Type::kAny},
                            std::pair{R"({"type":"none"})", ToolChoice::Type::kNone}}) {
    MessagesRequest r = parse_ok(std::string(R"({"model":"m","max_tokens":5,"tool_choice":)") +
                                 json + R"(,"messages":[{"role":"user","content":"x"}]})");
    EXPECT_EQ(r.prompt.tool_choice.type, type) << json;
  }
}

TEST(RequestParser, ThinkingConfigs) {
  auto thinking = [](const std::string& config) {
    return parse_ok(R"({"model":"m","max_tokens":4096,"thinking":)" + config +
                    R"(,"messages":[{"role":"user","content":"x"}]})")
        .prompt.thinking;
  };
  ThinkingConfig enabled = thinking(R"({"type":"enabled","budget_tokens":2048})");
  EXPECT_EQ(enabled.type, ThinkingConfig::Type::kEnabled);
  EXPECT_EQ(enabled.budget_tokens, 2048);
  EXPECT_EQ(enabled.display, ThinkingConfig::Display::kDefault);
  EXPECT_EQ(thinking(R"({"type":"disabled"})").type, ThinkingConfig::Type::kDisabled);
  ThinkingConfig adaptive = thinking(R"({"type":"adaptive","display":"omitted"})");
  EXPECT_EQ(adaptive.type, ThinkingConfig::Type::kAdaptive);
  EXPECT_EQ(adaptive.display, ThinkingConfig::Display::kOmitted);
  EXPECT_EQ(thinking(R"({"type":"between_tools"})").type, ThinkingConfig::Type::kBetweenTools);
  EXPECT_EQ(thinking(R"({"type":"enabled","budget_tokens":1024,"display":"summarized"})").display,
            ThinkingConfig::Display::kSummarized);
  // Newer display modes (Claude Code sends "updates"): mapped to the nearest we can give.
  EXPECT_EQ(thinking(R"({"type":"adaptive","display":"highlights"})").display,
            ThinkingConfig::Display::kSummarized);
  EXPECT_EQ(thinking(R"({"type":"adaptive","display":"updates"})").display,
            ThinkingConfig::Display::kOmitted);
}

TEST(RequestParser, OutputConfig) {
  MessagesRequest r =
      parse_ok(R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],
    "output_config":{"effort":"high","format":{"type":"json_schema","schema":{"type":"object","b":1,"a":2}}}})");
  EXPECT_EQ(r.prompt.output_config.effort, "high");
  ASSERT_TRUE(r.prompt.output_config.format_schema.has_value());
  EXPECT_EQ(r.prompt.output_config.format_schema->dump(), R"({"type":"object","b":1,"a":2})");
}

TEST(RequestParser, MetadataSessionId) {
  auto metadata = [](const std::string& user_id) {
    return parse_ok(R"({"model":"m","max_tokens":5,"metadata":{"user_id":)" + user_id +
                    R"(},"messages":[{"role":"user","content":"x"}]})")
        .metadata;
  };
  Metadata json_form =
      metadata(R"("{\"device_id\":\"d\",\"account_uuid\":\"\",\"session_id\":\"s-1\"}")");
  EXPECT_EQ(json_form.session_id, "s-1");
  EXPECT_EQ(metadata(R"("user_abc_account_def_session_1234-5678")").session_id, "1234-5678");
  EXPECT_EQ(metadata(R"("{\"session_id\":7}")").session_id, "");
  EXPECT_EQ(metadata(R"("{not json")").session_id, "");
  Metadata plain = metadata(R"("some-user")");
  EXPECT_EQ(plain.user_id, "some-user");
  EXPECT_EQ(plain.session_id, "");
  EXPECT_FALSE(metadata("null").user_id.has_value());
}

TEST(RequestParser, UnknownFieldsAreIgnoredEverywhere) {
  MessagesRequest r = parse_ok(R"({"model":"m","max_tokens":5,"context_management":{"edits":[]},
    "service_tier":"auto","speed":"fast","inference_geo":"us","container":"c","mcp_servers":[],
    "diagnostics":{"previous_message_id":"msg_1"},"future_field":{"deep":[1,2,3]},
    "messages":[{"role":"user","content":[{"type":"text","text":"x","brand_new":1}],"extra":true}],
    "thinking":{"type":"adaptive","new_knob":3},"tool_choice":{"type":"auto","x":1},
    "metadata":{"user_id":"u","other":2}})");
  EXPECT_EQ(r.prompt.messages.size(), 1u);
}

TEST(RequestParser, DuplicateKeysKeepTheLastValue) {
  MessagesRequest r = parse_ok(
      R"({"model":"first","max_tokens":5,"model":"second","messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(r.model, "second");
}

TEST(RequestParser, FinalAssistantMessageMayBeEmpty) {
  MessagesRequest r = parse_ok(R"({"model":"m","max_tokens":5,"messages":[
    {"role":"user","content":"x"},{"role":"assistant","content":""}]})");
  EXPECT_EQ(r.prompt.messages.size(), 2u);
}

TEST(RequestParser, ClaudeCodeFirstTurn) {
  MessagesRequest r = parse_ok(read_data("claude_code_2.1.332_first_turn.json"));
  EXPECT_EQ(r.model, "claude-sonnet-4-5");
  EXPECT_TRUE(r.stream);
  EXPECT_EQ(r.max_tokens, 32000);
  EXPECT_EQ(r.prompt.thinking.type, ThinkingConfig::Type::kEnabled);
  EXPECT_EQ(r.prompt.thinking.budget_tokens, 31999);
  EXPECT_EQ(r.prompt.thinking.display, ThinkingConfig::Display::kOmitted);
  EXPECT_EQ(r.metadata.session_id, "4f97a156-5d87-495e-b7bb-e057ff6c9407");
  // The billing block that opens Claude Code's system prompt is kept (chat/ leaves it out of
  // the prompt by default).
  ASSERT_GE(r.prompt.system.size(), 3u);
  EXPECT_TRUE(r.prompt.system[0].text.starts_with("x-anthropic-billing-header: cc_version="));
  EXPECT_EQ(r.prompt.system[1].text,
            "You are a Claude agent, built on Anthropic's Claude Agent SDK.");
  EXPECT_EQ(r.prompt.ignored_blocks, 0);
  ASSERT_EQ(r.prompt.tools.size(), 12u);
  EXPECT_EQ(r.prompt.tools[1].name, "Bash");
  EXPECT_EQ(r.prompt.tools[1].input_schema.begin().key(), "$schema");
  EXPECT_TRUE(r.prompt.tools[10].defer_loading);
  EXPECT_TRUE(r.prompt.ignored_tools.empty());
  ASSERT_EQ(r.prompt.messages.size(), 1u);
  EXPECT_EQ(std::get<TextBlock>(r.prompt.messages[0].content.back()).text, "Run echo hi");
}

TEST(RequestParser, ClaudeCodeToolResultTurn) {
  MessagesRequest r = parse_ok(read_data("claude_code_2.1.332_tool_result_turn.json"));
  ASSERT_EQ(r.prompt.messages.size(), 3u);
  const auto& assistant = r.prompt.messages[1].content;
  ASSERT_EQ(assistant.size(), 3u);
  EXPECT_EQ(std::get<ThinkingBlock>(assistant[0]).signature, "c2lnbmF0dXJl");
  const auto& call = std::get<ToolUseBlock>(assistant[2]);
  EXPECT_EQ(call.name, "Bash");
  EXPECT_EQ(call.input.dump(), R"({"command":"echo hi","description":"Print hi"})");
  const auto& result = std::get<ToolResultBlock>(r.prompt.messages[2].content[0]);
  EXPECT_EQ(result.tool_use_id, call.id);
  EXPECT_EQ(std::get<TextBlock>(result.content[0]).text.substr(0, 3), "hi\n");
}

TEST(CountTokensParser, SameBodyWithoutMaxTokens) {
  Result<CountTokensRequest> r = parse_count_tokens_request(R"({"model":"m","system":"S",
    "messages":[{"role":"user","content":"x"}],"tools":[{"name":"t","input_schema":{"type":"object"}}],
    "thinking":{"type":"enabled","budget_tokens":2000}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().model, "m");
  EXPECT_EQ(r.value().prompt.system[0].text, "S");
  EXPECT_EQ(r.value().prompt.tools.size(), 1u);
  EXPECT_EQ(r.value().prompt.thinking.budget_tokens, 2000);
}

TEST(CountTokensParser, ClaudeCodeBodyParsesToo) {
  Result<CountTokensRequest> r =
      parse_count_tokens_request(read_data("claude_code_2.1.332_tool_result_turn.json"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().prompt.messages.size(), 3u);
}

TEST(CountTokensParser, Errors) {
  Result<CountTokensRequest> r = parse_count_tokens_request(R"({"messages":[]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "model: Field required");
}

}  // namespace
}  // namespace api
