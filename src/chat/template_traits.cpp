#include "chat/template_traits.h"

#include <string>

namespace chat {
namespace {

bool contains(std::string_view s, std::string_view what) {
  return s.find(what) != std::string_view::npos;
}

// Reads the variable `thinking` (not only enable_thinking or reasoning_content).
bool reads_thinking_flag(std::string_view source) {
  std::string s(source);
  for (std::string_view other : {"enable_thinking", "preserve_thinking"}) {
    for (size_t at = s.find(other); at != std::string::npos; at = s.find(other, at)) {
      s.replace(at, other.size(), "");
    }
  }
  return contains(s, "thinking is defined") || contains(s, "if thinking") ||
         contains(s, "not thinking");
}

}  // namespace

std::string_view tool_call_format_name(ToolCallFormat format) {
  switch (format) {
    case ToolCallFormat::kNone:
      return "none";
    case ToolCallFormat::kHermesJson:
      return "hermes-json";
    case ToolCallFormat::kQwenXml:
      return "qwen-xml";
    case ToolCallFormat::kLlama3Json:
      return "llama3-json";
  }
  return "none";
}

TemplateTraits detect_text_traits(std::string_view source, bool vocab_has_think) {
  TemplateTraits t;
  if (contains(source, "<function=") && contains(source, "<parameter=")) {
    t.tool_call_format = ToolCallFormat::kQwenXml;
  } else if (contains(source, "<tool_call>") && !contains(source, "<arg_key>")) {
    t.tool_call_format = ToolCallFormat::kHermesJson;  // GLM's <tool_call>NAME<arg_key> is not
  } else if (contains(source, "<|start_header_id|>") && contains(source, "\"parameters\"")) {
    t.tool_call_format = ToolCallFormat::kLlama3Json;
  }
  t.think_tags = contains(source, "<think>") || contains(source, "</think>") || vocab_has_think;
  t.reasoning_content = contains(source, "reasoning_content");
  t.enable_thinking = contains(source, "enable_thinking");
  t.preserve_thinking = contains(source, "preserve_thinking");
  t.thinking_flag = reads_thinking_flag(source);
  return t;
}

}  // namespace chat
