#include "server/prompt_render.h"

namespace server {

bool asks_for_thinking(const api::ThinkingConfig& thinking) {
  using Type = api::ThinkingConfig::Type;
  return thinking.type == Type::kEnabled || thinking.type == Type::kAdaptive ||
         thinking.type == Type::kBetweenTools;
}

api::Result<chat::RenderedPrompt> render_prompt(Service& service, const api::Prompt& prompt) {
  // The template renders text and special spans; the ids come from the token memo, which gives
  // chat::tokenize_prompt's ids while encoding only the stretches it has not seen.
  chat::RenderOptions options;
  options.tokenize = false;
  options.keep_billing_header = service.config().keep_billing_header;
  options.preserve_thinking = service.config().preserve_thinking;
  api::Result<chat::RenderedPrompt> rendered = [&] {
    if (service.config().enable_thinking) {
      return service.chat_template().render(prompt, options, &service.reasoning_store());
    }
    api::Prompt without_thinking = prompt;
    without_thinking.thinking.type = api::ThinkingConfig::Type::kDisabled;
    return service.chat_template().render(without_thinking, options, &service.reasoning_store());
  }();
  if (!rendered) return rendered;
  chat::RenderedPrompt& out = rendered.value();
  try {
    out.ids = service.token_memo().tokenize(out.text, out.specials);
  } catch (const engine::TokenizerError& e) {
    return api::Error::invalid_request(std::string("the prompt cannot be tokenized: ") + e.what());
  }
  return rendered;
}

}  // namespace server
