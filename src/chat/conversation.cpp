#include "chat/conversation.h"

#include <set>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "api/response.h"
#include "chat/forced_tool_call.h"
#include "chat/sha256.h"

namespace chat {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kBillingPrefix = "x-anthropic-billing-header:";

// A request the conversion cannot render: becomes the api::Error of build_template_variables.
struct Rejected {
  api::Error error;
};

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

std::string at_path(size_t message, size_t block) {
  return "messages." + std::to_string(message) + ".content." + std::to_string(block);
}

[[noreturn]] void reject(const std::string& where, const std::string& what) {
  throw Rejected{api::Error::invalid_request(where + ": " + what)};
}

const char* source_kind(const api::MediaSource& source) {
  switch (source.kind) {
    case api::MediaSource::Kind::kBase64:
      return "base64";
    case api::MediaSource::Kind::kUrl:
      return "url";
    case api::MediaSource::Kind::kFile:
      return "file";
    case api::MediaSource::Kind::kText:
      return "text";
  }
  return "base64";
}

[[noreturn]] void reject_image(const std::string& where) {
  reject(where, "image input is not supported: the model served here reads text only");
}

std::string document_text(const api::DocumentBlock& doc, const std::string& where) {
  std::string body;
  if (doc.source.kind != api::MediaSource::Kind::kText) {
    const std::string media =
        doc.source.media_type.empty() ? "" : " (" + doc.source.media_type + ")";
    reject(where, std::string("document input from a ") + source_kind(doc.source) + " source" +
                      media +
                      " is not supported: the model served here reads text only; send the "
                      "document's text instead");
  }
  if (doc.content.empty()) {
    body = doc.source.data;
  } else {
    std::vector<std::string> parts;
    for (const auto& item : doc.content) {
      if (std::holds_alternative<api::ImageBlock>(item)) reject_image(where);
      parts.push_back(std::get<api::TextBlock>(item).text);
    }
    body = join(parts, "\n");
  }
  std::string out;
  if (!doc.title.empty()) out += doc.title + "\n\n";
  out += body;
  if (!doc.context.empty()) out += "\n\n" + doc.context;
  return out;
}

std::string search_result_text(const api::SearchResultBlock& result) {
  std::vector<std::string> parts;
  for (const api::TextBlock& t : result.content) parts.push_back(t.text);
  return "Search result: " + result.title + "\nSource: " + result.source + "\n" + join(parts, "\n");
}

// A tool_use id as the template sees it: as sent, or for templates that demand 9 letters and
// digits (Mistral's), 9 base62 characters of its SHA-256 (the same id always maps the same).
std::string template_call_id(const std::string& id, bool short_ids) {
  if (!short_ids) return id;
  static constexpr std::string_view kBase62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const Sha256Digest digest = sha256(id);
  std::string out;
  for (size_t i = 0; i < 9; ++i) out += kBase62[digest[i] % kBase62.size()];
  return out;
}

// A tool as the template's `tools` list holds it (OpenAI's shape, which the templates expect).
Json tool_json(const api::Tool& tool) {
  Json function = {{"name", tool.name}};
  if (!tool.description.empty()) function["description"] = tool.description;
  function["parameters"] = tool.input_schema;
  return {{"type", "function"}, {"function", std::move(function)}};
}

class Builder {
 public:
  Builder(const api::Prompt& prompt, const TemplateTraits& traits, const RenderOptions& options,
          ReasoningStore* store)
      : prompt_(prompt),
        traits_(traits),
        options_(options),
        store_(store),
        // tool_choice any/tool is honoured by prefilling the call (forced_tool_call.h).
        forced_(forced_tool_call(prompt, traits.tool_call_format, !options.add_generation_prompt)
                    .has_value()) {}

  Json build() {
    size_t first = 0;
    std::string system = system_text();
    const std::string hint = tool_choice_hint();
    if (system.empty() && hint.empty() && prompt_.messages.front().role == api::Role::kSystem) {
      system = message_text(prompt_.messages.front());  // the conversation opens with it
      first = 1;
    }
    if (!hint.empty()) system += (system.empty() ? "" : "\n\n") + hint;
    if (!system.empty()) messages_.push_back({{"role", "system"}, {"content", system}});
    for (size_t i = first; i < prompt_.messages.size(); ++i) {
      const api::Message& m = prompt_.messages[i];
      switch (m.role) {
        case api::Role::kUser:
          add_user(m, i);
          break;
        case api::Role::kAssistant:
          add_assistant(m, i);
          break;
        case api::Role::kSystem:
          add_system(message_text(m));
          break;
      }
    }
    flush_deferred_calls();

    Json vars = Json::object();
    vars["messages"] = std::move(messages_);
    Json tools = Json::array();
    if (prompt_.tool_choice.type != api::ToolChoice::Type::kNone) {
      for (const api::Tool& tool : prompt_.tools) {
        if (!tool.defer_loading) tools.push_back(tool_json(tool));
      }
    }
    if (!tools.empty()) vars["tools"] = std::move(tools);
    vars["add_generation_prompt"] = options_.add_generation_prompt;
    std::optional<bool> thinking = thinking_switch(prompt_.thinking, options_.default_thinking);
    if (forced_) thinking = false;  // the answer starts with the forced call
    if (thinking) {
      vars["enable_thinking"] = *thinking;
      if (traits_.thinking_flag) vars["thinking"] = *thinking;
    }
    if (options_.preserve_thinking && traits_.preserve_thinking) vars["preserve_thinking"] = true;
    return vars;
  }

 private:
  std::string system_text() const {
    std::vector<std::string> parts;
    for (const api::TextBlock& block : prompt_.system) {
      if (!options_.keep_billing_header && is_billing_header(block.text)) continue;
      parts.push_back(block.text);
    }
    return join(parts, "\n");
  }

  // Where a call cannot be forced (a template whose tool calls we do not read), tool_choice
  // any/tool is a sentence at the end of the system prompt: the model is asked.
  std::string tool_choice_hint() const {
    const api::ToolChoice& choice = prompt_.tool_choice;
    const bool ask = !forced_;
    std::string out;
    if (ask && choice.type == api::ToolChoice::Type::kAny && !prompt_.tools.empty()) {
      out = "You must answer by calling one or more of the available tools.";
    } else if (ask && choice.type == api::ToolChoice::Type::kTool) {
      out = "You must answer by calling the tool \"" + choice.name + "\".";
    }
    if (choice.disable_parallel_tool_use && choice.type != api::ToolChoice::Type::kNone &&
        !prompt_.tools.empty()) {
      out += std::string(out.empty() ? "" : " ") + "Call at most one tool per answer.";
    }
    return out;
  }

  // A system-role message holds text blocks only (the api parser checks).
  static std::string message_text(const api::Message& m) {
    std::vector<std::string> parts;
    for (const api::ContentBlock& block : m.content) {
      if (const auto* t = std::get_if<api::TextBlock>(&block)) parts.push_back(t->text);
    }
    return join(parts, "\n");
  }

  // A system message inside the conversation, where the template cannot take one: right after a
  // tool result it joins that result (Claude Code puts its own reminders there too; a user turn
  // would count as a new query for Qwen's templates, which then drop the reasoning of the tool
  // loop so far), elsewhere it is a user turn. Either way it stays where it was sent.
  void add_system(const std::string& text) {
    if (text.empty()) return;
    if (traits_.system_in_place) {
      messages_.push_back({{"role", "system"}, {"content", text}});
      return;
    }
    const std::string marked = "<system-message>\n" + text + "\n</system-message>";
    if (!messages_.empty() && messages_.back()["role"] == "tool") {
      messages_.back()["content"] =
          messages_.back()["content"].get<std::string>() + "\n\n" + marked;
    } else {
      messages_.push_back({{"role", "user"}, {"content", marked}});
    }
  }

  // Text blocks after tool results in the same message (Claude Code's reminders, a note from the
  // user) join the last result: as a user turn of their own they would count as a new query for
  // Qwen's templates, which then drop the reasoning of the whole tool loop from the history.
  void add_user(const api::Message& m, size_t index) {
    std::vector<std::string> text;
    bool any_text = false;
    bool after_result = false;
    auto flush_text = [&] {
      if (!any_text) return;
      if (after_result) {
        Json& last = messages_.back();
        last["content"] = last["content"].get<std::string>() + "\n\n" + join(text, "\n");
      } else {
        messages_.push_back({{"role", "user"}, {"content", join(text, "\n")}});
      }
      text.clear();
      any_text = false;
    };
    for (size_t j = 0; j < m.content.size(); ++j) {
      const api::ContentBlock& block = m.content[j];
      const std::string where = at_path(index, j);
      if (const auto* t = std::get_if<api::TextBlock>(&block)) {
        text.push_back(t->text);
        any_text = true;
      } else if (const auto* r = std::get_if<api::ToolResultBlock>(&block)) {
        flush_text();
        add_tool_result(*r, where);
        after_result = true;
      } else if (std::holds_alternative<api::ImageBlock>(block)) {
        reject_image(where);
      } else if (const auto* d = std::get_if<api::DocumentBlock>(&block)) {
        text.push_back(document_text(*d, where));
        any_text = true;
      } else if (const auto* s = std::get_if<api::SearchResultBlock>(&block)) {
        text.push_back(search_result_text(*s));
        any_text = true;
      } else if (std::holds_alternative<api::ToolUseBlock>(block)) {
        reject(where, "tool_use blocks belong in assistant messages");
      }
      // thinking and redacted_thinking in a user message carry nothing for the model
    }
    if (any_text) {
      flush_text();
    } else if (m.content.empty()) {
      messages_.push_back({{"role", "user"}, {"content", ""}});
    }
  }

  void add_tool_result(const api::ToolResultBlock& r, const std::string& where) {
    std::vector<std::string> parts;
    for (const api::ToolResultContent& item : r.content) {
      if (const auto* t = std::get_if<api::TextBlock>(&item)) {
        parts.push_back(t->text);
      } else if (std::holds_alternative<api::ImageBlock>(item)) {
        reject_image(where);
      } else if (const auto* d = std::get_if<api::DocumentBlock>(&item)) {
        parts.push_back(document_text(*d, where));
      } else if (const auto* s = std::get_if<api::SearchResultBlock>(&item)) {
        parts.push_back(search_result_text(*s));
      } else if (const auto* ref = std::get_if<api::ToolReferenceBlock>(&item)) {
        parts.push_back(tool_reference_text(ref->tool_name));
      }
    }
    std::string content = join(parts, "\n");
    if (r.is_error) content = "Error: " + content;
    emit_deferred_call(r.tool_use_id);
    Json message = {{"role", "tool"},
                    {"tool_call_id", template_call_id(r.tool_use_id, traits_.short_tool_call_ids)}};
    if (auto it = call_names_.find(r.tool_use_id); it != call_names_.end()) {
      message["name"] = it->second;
    }
    message["content"] = std::move(content);
    messages_.push_back(std::move(message));
  }

  // A deferred tool that a tool search revealed: its definition, written where the search result
  // is (adding it to `tools` would change the front of the prompt and lose the cached prefix).
  std::string tool_reference_text(const std::string& name) const {
    for (const api::Tool& tool : prompt_.tools) {
      if (tool.name == name) {
        return "Tool " + name + " is now available:\n" + api::dump_json(tool_json(tool));
      }
    }
    return "Tool " + name + " is now available.";
  }

  void add_assistant(const api::Message& m, size_t index) {
    std::vector<std::string> text, reasoning;
    Json calls = Json::array();
    for (size_t j = 0; j < m.content.size(); ++j) {
      const api::ContentBlock& block = m.content[j];
      if (const auto* t = std::get_if<api::TextBlock>(&block)) {
        text.push_back(t->text);
      } else if (const auto* th = std::get_if<api::ThinkingBlock>(&block)) {
        reasoning.push_back(restore_thinking(*th));
      } else if (const auto* u = std::get_if<api::ToolUseBlock>(&block)) {
        call_names_[u->id] = u->name;
        Json function = {{"name", u->name}};
        if (traits_.tool_arguments_as_string) {
          function["arguments"] = api::dump_json(u->input);
        } else {
          function["arguments"] = u->input;
        }
        calls.push_back({{"id", template_call_id(u->id, traits_.short_tool_call_ids)},
                         {"type", "function"},
                         {"function", std::move(function)}});
      } else if (!std::holds_alternative<api::RedactedThinkingBlock>(block)) {
        reject(at_path(index, j), "this block type cannot appear in an assistant message");
      }
    }
    flush_deferred_calls();
    Json message = {{"role", "assistant"}, {"content", join(text, "\n")}};
    std::string joined_reasoning = join(reasoning, "\n");
    if (traits_.reasoning_content && !joined_reasoning.empty()) {
      message["reasoning_content"] = std::move(joined_reasoning);
    }
    if (calls.size() > 1 && traits_.single_tool_call) {
      // One call per message: the others follow, each just before its result.
      for (size_t k = 1; k < calls.size(); ++k) deferred_calls_.push_back(calls[k]);
      calls.erase(calls.begin() + 1, calls.end());
    }
    if (!calls.empty()) message["tool_calls"] = std::move(calls);
    messages_.push_back(std::move(message));
  }

  std::string restore_thinking(const api::ThinkingBlock& block) {
    if (store_ == nullptr || block.signature.empty()) return block.thinking;
    std::optional<std::string> stored = store_->find(block.signature);  // refreshes its age
    if (block.thinking.empty() && stored) return *stored;
    return block.thinking;
  }

  void emit_deferred_call(const std::string& tool_use_id) {
    const std::string id = template_call_id(tool_use_id, traits_.short_tool_call_ids);
    for (size_t k = 0; k < deferred_calls_.size(); ++k) {
      if (deferred_calls_[k]["id"] != id) continue;
      for (size_t i = 0; i <= k; ++i) push_call_message(deferred_calls_[i]);
      deferred_calls_.erase(deferred_calls_.begin(), deferred_calls_.begin() + k + 1);
      return;
    }
  }

  void flush_deferred_calls() {
    for (const Json& call : deferred_calls_) push_call_message(call);
    deferred_calls_.clear();
  }

  void push_call_message(const Json& call) {
    messages_.push_back(
        {{"role", "assistant"}, {"content", ""}, {"tool_calls", Json::array({call})}});
  }

  const api::Prompt& prompt_;
  const TemplateTraits& traits_;
  const RenderOptions& options_;
  ReasoningStore* store_;
  const bool forced_;  // the prompt ends with a forced tool call's opening
  Json messages_ = Json::array();
  std::unordered_map<std::string, std::string> call_names_;  // tool_use id -> tool name
  std::vector<Json> deferred_calls_;  // single_tool_call templates: calls still to write
};

}  // namespace

bool is_billing_header(std::string_view text) {
  return text.starts_with(kBillingPrefix);
}

std::optional<bool> thinking_switch(const api::ThinkingConfig& thinking,
                                    std::optional<bool> fallback) {
  switch (thinking.type) {
    case api::ThinkingConfig::Type::kUnset:
      return fallback;
    case api::ThinkingConfig::Type::kDisabled:
      return false;
    case api::ThinkingConfig::Type::kEnabled:
    case api::ThinkingConfig::Type::kAdaptive:
    case api::ThinkingConfig::Type::kBetweenTools:
      return true;
  }
  return fallback;
}

api::Result<Json> build_template_variables(const api::Prompt& prompt, const TemplateTraits& traits,
                                           const RenderOptions& options, ReasoningStore* store) {
  if (prompt.messages.empty())
    return api::Error::invalid_request("messages: at least one message is required");
  try {
    return Builder(prompt, traits, options, store).build();
  } catch (const Rejected& r) {
    return r.error;
  }
}

}  // namespace chat
