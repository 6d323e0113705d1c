// chat::ChatTemplate: a model's chat template, parsed once, that renders Anthropic requests into
// the model's prompt (text and token ids), and tells the output parser what to expect.
//
//   chat::ChatTemplate tmpl(gguf.get_string("tokenizer.chat_template").value(), tokenizer);
//   api::Result<chat::RenderedPrompt> prompt = tmpl.render(request.prompt, options, &store);
//   chat::OutputParser parser(tmpl.parser_config(request, prompt.value()));
//
// Rendering is deterministic: the same request gives the same bytes, and a request that continues
// an earlier one (the assistant's turn, tool results and the next user turn appended) gives a
// prompt that extends the earlier one, except where the template itself rewrites history (see
// README.md). Client text cannot inject special tokens (special_texts.h).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/error.h"
#include "api/types.h"
#include "chat/conversation.h"
#include "chat/output_parser.h"
#include "chat/reasoning_store.h"
#include "chat/special_texts.h"
#include "chat/template_traits.h"
#include "engine/tokenizer/tokenizer.h"
#include "jinja/template.h"

namespace chat {

// A template that cannot be used: it does not parse. The message says why and where.
class ChatTemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RenderedPrompt {
  std::string text = {};
  std::vector<SpecialSpan> specials = {};  // the template's special tokens in `text`
  std::vector<engine::TokenId> ids = {};   // empty when not tokenized
  // The prompt ends inside <think> (Qwen3.5 opens it): the output starts as thinking.
  bool starts_in_thinking = false;
  std::optional<bool> enable_thinking = {};  // as passed to the template (nullopt: not set)
  // The request ends with an assistant message (a prefill): the prompt ends with its text and
  // the output continues it.
  bool continues_assistant = false;
  // tool_choice any/tool (forced_tool_call.h): the opening of a tool call that ends the prompt,
  // which the output parser reads as the start of the model's output; empty when none.
  std::string forced_output = {};
  // tool_choice any: what the output must begin with, one per offered tool (engine::ChoiceSampler).
  std::vector<std::string> forced_choices = {};
};

class ChatTemplate {
 public:
  // `tokenizer` is borrowed and must outlive this object. Throws ChatTemplateError.
  ChatTemplate(std::string_view source, const engine::Tokenizer& tokenizer);
  // Without a tokenizer (text only): the special texts and BOS/EOS strings given directly.
  ChatTemplate(std::string_view source, SpecialTexts specials, std::string bos_token = {},
               std::string eos_token = {});

  const TemplateTraits& traits() const { return traits_; }
  const SpecialTexts& specials() const { return specials_; }

  // The prompt for `prompt`. An invalid_request_error for what the model cannot take (images)
  // or what its template refuses (raise_exception), naming the cause. `store` (may be null)
  // restores thinking text the client sent back empty.
  api::Result<RenderedPrompt> render(const api::Prompt& prompt, const RenderOptions& options = {},
                                     ReasoningStore* store = nullptr) const;

  // What the output parser needs for a request rendered as `prompt`.
  ParserConfig parser_config(const api::MessagesRequest& request,
                             const RenderedPrompt& prompt) const;

 private:
  void probe();
  std::optional<std::string> try_render(const nlohmann::ordered_json& vars) const;
  void protect_strings(nlohmann::ordered_json& value) const;

  jinja::Template template_;
  const engine::Tokenizer* tokenizer_ = nullptr;  // borrowed; null: text only
  SpecialTexts specials_;
  std::string bos_token_;
  std::string eos_token_;
  TemplateTraits traits_;
};

}  // namespace chat
