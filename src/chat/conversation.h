// The Anthropic conversation (api::Prompt) as the variables a Hugging Face chat template renders:
// messages in OpenAI's shape (role, content, tool_calls, reasoning_content), tools, and the
// switches (add_generation_prompt, enable_thinking, ...). Each choice is the same for every
// request, so that a conversation's next request renders a prompt that extends this one; README.md
// lists them (system blocks, billing header, system messages in the middle, tool results,
// thinking, images, deferred tools, tool_choice).
#pragma once

#include <ctime>
#include <functional>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/error.h"
#include "api/types.h"
#include "chat/reasoning_store.h"
#include "chat/template_traits.h"

namespace chat {

struct RenderOptions {
  bool add_generation_prompt = true;
  // Thinking when the request has no `thinking`: nullopt leaves the template's own default.
  std::optional<bool> default_thinking;
  // Keep Claude Code's "x-anthropic-billing-header: ..." system block in the prompt. Off by
  // default: it differs between sessions and would sit in front of the whole shared prompt.
  bool keep_billing_header = false;
  // For templates that read preserve_thinking (Qwen3.6): keep the reasoning of every earlier
  // turn instead of only those after the last user query. See README.md for its cache effect.
  bool preserve_thinking = false;
  // The clock of strftime_now (Llama 3.2 prints today's date); the system clock when empty.
  std::function<std::tm()> clock = nullptr;
  // Compute token ids (needs a ChatTemplate built with a tokenizer).
  bool tokenize = true;
};

// Claude Code's "x-anthropic-billing-header: cc_version=...; cc_entrypoint=...; cch=...;" block.
bool is_billing_header(std::string_view text);

// enable_thinking for the request: enabled, adaptive and between-tools turn it on, disabled off,
// no `thinking` gives `fallback`.
std::optional<bool> thinking_switch(const api::ThinkingConfig& thinking,
                                    std::optional<bool> fallback);

// The template variables for `prompt`. `store` (may be null) restores omitted thinking text.
api::Result<nlohmann::ordered_json> build_template_variables(const api::Prompt& prompt,
                                                             const TemplateTraits& traits,
                                                             const RenderOptions& options,
                                                             ReasoningStore* store);

}  // namespace chat
