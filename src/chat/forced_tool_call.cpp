#include "chat/forced_tool_call.h"

#include <string_view>

namespace chat {
namespace {

// How a template writes a tool call, around the name.
struct CallShape {
  std::string_view head;
  std::string_view after_name;  // closes the name
  std::string_view rest;        // up to where the arguments begin
};

std::optional<CallShape> shape_of(ToolCallFormat format) {
  switch (format) {
    case ToolCallFormat::kHermesJson:
      return CallShape{"<tool_call>\n{\"name\": \"", "\"", ", \"arguments\": "};
    case ToolCallFormat::kQwenXml:
      return CallShape{"<tool_call>\n<function=", ">", "\n"};
    case ToolCallFormat::kLlama3Json:
      return CallShape{"{\"name\": \"", "\"", ", \"parameters\": "};
    case ToolCallFormat::kNone:
      break;
  }
  return std::nullopt;
}

}  // namespace

std::optional<ForcedToolCall> forced_tool_call(const api::Prompt& prompt, ToolCallFormat format,
                                               bool prefill) {
  if (!prompt.tool_choice.forces_tool_use() || prefill) return std::nullopt;
  const std::optional<CallShape> shape = shape_of(format);
  if (!shape) return std::nullopt;
  ForcedToolCall call;
  call.head = shape->head;
  if (prompt.tool_choice.type == api::ToolChoice::Type::kTool) {
    call.name = prompt.tool_choice.name;
    call.tail = std::string(shape->after_name) + std::string(shape->rest);
    return call;
  }
  for (const api::Tool& tool : prompt.tools) {
    if (tool.defer_loading) continue;
    call.choices.push_back(tool.name + std::string(shape->after_name) + std::string(shape->rest));
  }
  if (call.choices.empty()) return std::nullopt;
  return call;
}

}  // namespace chat
