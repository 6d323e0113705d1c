// tool_choice any/tool, honoured as Anthropic's API does it: the assistant's turn is prefilled
// with the opening of a tool call, so the answer starts with one (and no thinking comes first).
// The opening follows the template's own tool-call format, so the next request, which renders
// the finished call as history, still extends this prompt. For `any` the opening stops before
// the name: the model writes the name of one of the offered tools, held to those by
// engine::ChoiceSampler.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/types.h"
#include "chat/template_traits.h"

namespace chat {

struct ForcedToolCall {
  std::string head;  // the opening up to the tool's name
  std::string name;  // `tool`: the tool's name (client text); `any`: empty
  std::string tail;  // `tool`: what follows the name; `any`: empty
  // `any`: per offered tool, its name and what follows it up to the arguments.
  std::vector<std::string> choices;
  std::string text() const { return head + name + tail; }
};

// The forced call of a request, or nullopt: tool_choice is not any/tool, no tool is offered, the
// template has no tool-call format we read, or the request continues an assistant prefill.
std::optional<ForcedToolCall> forced_tool_call(const api::Prompt& prompt, ToolCallFormat format,
                                               bool prefill);

}  // namespace chat
