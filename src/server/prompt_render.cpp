#include "server/prompt_render.h"

namespace server {

bool asks_for_thinking(const api::ThinkingConfig& thinking) {
  using Type = api::ThinkingConfig::Type;
  return thinking.type == Type::kEnabled || thinking.type == Type::kAdaptive ||
         thinking.type == Type::kBetweenTools;
}

api::Result<chat::RenderedPrompt> render_prompt(Service& service, const api::Prompt& prompt) {
  chat::RenderOptions options;
  options.tokenize = true;
  if (service.config().enable_thinking) {
    return service.chat_template().render(prompt, options, &service.reasoning_store());
  }
  api::Prompt without_thinking = prompt;
  without_thinking.thinking.type = api::ThinkingConfig::Type::kDisabled;
  return service.chat_template().render(without_thinking, options, &service.reasoning_store());
}

}  // namespace server
