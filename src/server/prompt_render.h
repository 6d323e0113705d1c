// The one path from an Anthropic prompt to the model's token ids, shared by /v1/messages and
// /v1/messages/count_tokens so that a count is exactly the prompt a generation would run.
#pragma once

#include "api/error.h"
#include "api/types.h"
#include "chat/chat_template.h"
#include "server/service.h"

namespace server {

// Whether the client asked for thinking (enabled, adaptive, between tools).
bool asks_for_thinking(const api::ThinkingConfig& thinking);

// Renders `prompt` through the model's chat template and tokenizes it. With ENABLE_THINKING off,
// the model is told not to think whatever the request says. Errors are invalid_request_errors
// (images for a text-only model, what the template refuses).
api::Result<chat::RenderedPrompt> render_prompt(Service& service, const api::Prompt& prompt);

}  // namespace server
