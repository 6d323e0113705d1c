// What the chat layer knows about a model's chat template: its tool-call format (which output
// parser reads the model), whether it reasons in <think> tags, and which variables and message
// shapes it accepts. The text checks are in detect_text_traits(); the behaviour checks (does it
// render a system message in place, more than one tool call per message, arguments as objects)
// are probes that ChatTemplate runs once with small conversations.
#pragma once

#include <string_view>

namespace chat {

enum class ToolCallFormat {
  kNone,        // no tool calls we can read: tool calls stay text (Mistral, DeepSeek, GLM, gpt-oss)
  kHermesJson,  // <tool_call>{"name": .., "arguments": {..}}</tool_call> (Qwen2.5, Qwen3, Hermes)
  kQwenXml,     // <tool_call><function=NAME><parameter=P>..</parameter></function></tool_call>
                // (Qwen3-Coder, Qwen3.5, Qwen3.6)
  kLlama3Json,  // {"name": .., "parameters": {..}} as the whole answer (Llama 3.1 - 3.3)
};

// "none", "hermes-json", "qwen-xml", "llama3-json".
std::string_view tool_call_format_name(ToolCallFormat format);

struct TemplateTraits {
  ToolCallFormat tool_call_format = ToolCallFormat::kNone;
  bool think_tags = false;         // reasoning comes as <think>...</think>
  bool reasoning_content = false;  // reads message.reasoning_content
  bool enable_thinking = false;    // reads enable_thinking (Qwen3, Qwen3.5, GLM)
  bool preserve_thinking = false;  // reads preserve_thinking (Qwen3.6)
  bool thinking_flag = false;      // reads `thinking` (DeepSeek V3.1)
  // Probed: a system message after the first one renders where it is (Qwen3, Llama 3), rather
  // than raising (Qwen3.5) or moving to the front (DeepSeek).
  bool system_in_place = false;
  // Probed: at most one tool call per assistant message (Llama 3 raises on more).
  bool single_tool_call = false;
  // Probed: tool call arguments must be a JSON string (DeepSeek concatenates them).
  bool tool_arguments_as_string = false;
  // Probed: tool call ids must be 9 letters and digits (Mistral's templates raise otherwise).
  bool short_tool_call_ids = false;
};

// The traits readable from the template's text. `vocab_has_think`: the vocabulary has a <think>
// token (reasoning models whose template does not mention it still emit it).
TemplateTraits detect_text_traits(std::string_view source, bool vocab_has_think);

}  // namespace chat
