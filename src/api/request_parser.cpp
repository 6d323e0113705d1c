#include "api/request_parser.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "api/json_body.h"
#include "api/request_content.h"
#include "api/request_fields.h"

namespace api {
namespace {

using fields::as_array;
using fields::as_bool;
using fields::as_integer;
using fields::as_number;
using fields::as_object;
using fields::fail;
using fields::find;
using fields::Json;
using fields::Path;
using fields::require;
using fields::tag_of;
using fields::take_string;

// Wording the API uses for thinking budgets that do not fit max_tokens.
constexpr std::string_view kBudgetAboveMaxTokens =
    "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation "
    "at https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
    "#max-tokens-and-context-window-size";

constexpr int64_t kMinThinkingBudget = 1024;

std::vector<Message> parse_messages(Json& body, int64_t& ignored_blocks) {
  Path path = Path() / "messages";
  Json& messages = as_array(require(body, "messages", Path()), path);
  if (messages.empty()) fail(path, "at least one message is required");
  std::vector<Message> out;
  out.reserve(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    Path at = path / i;
    Json& message = as_object(messages[i], at);
    std::string role = take_string(require(message, "role", at), at / "role");
    Message parsed;
    if (role == "system") {
      parsed.role = Role::kSystem;
      if (Json* content = find(message, "content")) {
        for (TextBlock& text :
             fields::parse_system_content(*content, at / "content", ignored_blocks)) {
          parsed.content.emplace_back(std::move(text));
        }
      }
      out.push_back(std::move(parsed));
      continue;
    }
    if (role == "user") {
      parsed.role = Role::kUser;
    } else if (role == "assistant") {
      parsed.role = Role::kAssistant;
    } else {
      fields::fail_literal({"user", "assistant", "system"}, at / "role");
    }
    Json& content = require(message, "content", at);
    bool empty = (content.is_string() && content.get_ptr<Json::string_t*>()->empty()) ||
                 (content.is_array() && content.empty());
    bool final_assistant = parsed.role == Role::kAssistant && i + 1 == messages.size();
    if (empty && !final_assistant) {
      fail(at,
           "all messages must have non-empty content except for the optional final assistant "
           "message");
    }
    parsed.content = fields::parse_content(content, at / "content", ignored_blocks);
    out.push_back(std::move(parsed));
  }
  return out;
}

void parse_tools(Json& body, Prompt& prompt) {
  Json* tools = find(body, "tools");
  if (tools == nullptr) return;
  Path path = Path() / "tools";
  as_array(*tools, path);
  std::set<std::string, std::less<>> names;
  for (std::size_t i = 0; i < tools->size(); ++i) {
    Path at = path / i;
    Json& tool = as_object((*tools)[i], at);
    Json* type = find(tool, "type");
    if (type != nullptr && !(type->is_string() && *type == "custom")) {
      // Anthropic-defined or server tool ("bash_20250124", "web_search_20250305", ...).
      std::string entry = take_string(*type, at / "type");
      if (Json* name = find(tool, "name"); name != nullptr && name->is_string()) {
        entry += ':';
        entry += *name->get_ptr<const Json::string_t*>();
      }
      prompt.ignored_tools.push_back(std::move(entry));
      continue;
    }
    Tool parsed;
    parsed.name = take_string(require(tool, "name", at), at / "name");
    if (parsed.name.empty()) fail(at / "name", "String should have at least 1 character");
    if (Json* description = find(tool, "description")) {
      parsed.description = take_string(*description, at / "description");
    }
    Json& schema = as_object(require(tool, "input_schema", at), at / "input_schema");
    if (Json* schema_type = find(schema, "type");
        schema_type != nullptr && !(schema_type->is_string() && *schema_type == "object")) {
      fail(at / "input_schema" / "type", "Input should be 'object'");
    }
    parsed.input_schema = std::move(schema);
    if (Json* defer = find(tool, "defer_loading")) {
      parsed.defer_loading = as_bool(*defer, at / "defer_loading");
    }
    if (!names.insert(parsed.name).second) fail(path, "Tool names must be unique.");
    prompt.tools.push_back(std::move(parsed));
  }
}

ToolChoice parse_tool_choice(Json& body, const std::vector<Tool>& tools) {
  ToolChoice out;
  Json* choice = find(body, "tool_choice");
  if (choice == nullptr) return out;
  Path path = Path() / "tool_choice";
  as_object(*choice, path);
  std::string_view type = tag_of(*choice, path);
  if (type == "auto") {
    out.type = ToolChoice::Type::kAuto;
  } else if (type == "any") {
    out.type = ToolChoice::Type::kAny;
  } else if (type == "tool") {
    out.type = ToolChoice::Type::kTool;
    out.name = take_string(require(*choice, "name", path / "tool"), path / "tool" / "name");
    bool defined = false;
    for (const Tool& tool : tools) defined = defined || tool.name == out.name;
    if (!defined) {
      fail(path / "tool" / "name",
           "no tool named '" + out.name.substr(0, 64) + "' is defined in `tools`");
    }
  } else if (type == "none") {
    out.type = ToolChoice::Type::kNone;
  } else {
    fields::fail_tag(type, {"auto", "any", "tool", "none"}, path);
  }
  if (Json* disable = find(*choice, "disable_parallel_tool_use")) {
    out.disable_parallel_tool_use =
        as_bool(*disable, path / std::string(type) / "disable_parallel_tool_use");
  }
  return out;
}

ThinkingConfig parse_thinking(Json& body) {
  ThinkingConfig out;
  Json* thinking = find(body, "thinking");
  if (thinking == nullptr) return out;
  Path path = Path() / "thinking";
  as_object(*thinking, path);
  std::string_view type = tag_of(*thinking, path);
  Path at = path / type;
  if (type == "enabled") {
    out.type = ThinkingConfig::Type::kEnabled;
    out.budget_tokens = as_integer(require(*thinking, "budget_tokens", at), at / "budget_tokens");
    if (out.budget_tokens < kMinThinkingBudget) {
      fail(at / "budget_tokens", "Input should be greater than or equal to 1024");
    }
  } else if (type == "disabled") {
    out.type = ThinkingConfig::Type::kDisabled;
  } else if (type == "adaptive") {
    out.type = ThinkingConfig::Type::kAdaptive;
  } else if (type == "between_tools") {
    out.type = ThinkingConfig::Type::kBetweenTools;
  } else {
    fields::fail_tag(type, {"enabled", "disabled", "adaptive", "between_tools"}, path);
  }
  if (Json* display = find(*thinking, "display")) {
    std::string value = take_string(*display, at / "display");
    // "highlights" and "updates" come with newer betas (Claude Code 2.1.332 probes "updates" and
    // pays a failed request per session when it is refused): the first shows reasoning, the
    // second only short progress notes between tool calls, which we do not write, so no text.
    if (value == "summarized" || value == "highlights") {
      out.display = ThinkingConfig::Display::kSummarized;
    } else if (value == "omitted" || value == "updates") {
      out.display = ThinkingConfig::Display::kOmitted;
    } else {
      fields::fail_literal({"summarized", "omitted", "highlights", "updates"}, at / "display");
    }
  }
  return out;
}

OutputConfig parse_output_config(Json& body) {
  OutputConfig out;
  Json* config = find(body, "output_config");
  if (config == nullptr) return out;
  Path path = Path() / "output_config";
  as_object(*config, path);
  if (Json* effort = find(*config, "effort")) out.effort = take_string(*effort, path / "effort");
  if (Json* format = find(*config, "format")) {
    Path at = path / "format";
    as_object(*format, at);
    std::string_view type = tag_of(*format, at);
    if (type != "json_schema") fields::fail_tag(type, {"json_schema"}, at);
    out.format_schema =
        std::move(as_object(require(*format, "schema", at / type), at / type / "schema"));
  }
  return out;
}

Prompt parse_prompt(Json& body) {
  Prompt prompt;
  if (Json* system = find(body, "system")) {
    prompt.system = fields::parse_system_content(*system, Path() / "system", prompt.ignored_blocks);
  }
  prompt.messages = parse_messages(body, prompt.ignored_blocks);
  parse_tools(body, prompt);
  prompt.tool_choice = parse_tool_choice(body, prompt.tools);
  prompt.thinking = parse_thinking(body);
  // As the Anthropic API: a forced tool call is prefilled, so no thinking can come before it.
  if (prompt.tool_choice.forces_tool_use() &&
      prompt.thinking.type == ThinkingConfig::Type::kEnabled) {
    fail(Path(), "Thinking may not be enabled when tool_choice forces tool use.");
  }
  prompt.output_config = parse_output_config(body);
  return prompt;
}

std::string parse_model(Json& body) {
  return take_string(require(body, "model", Path()), Path() / "model");
}

std::optional<double> parse_unit_interval(Json& body, std::string_view key) {
  Json* value = find(body, key);
  if (value == nullptr) return std::nullopt;
  Path path = Path() / key;
  double number = as_number(*value, path);
  if (number < 0.0) fail(path, "Input should be greater than or equal to 0");
  if (number > 1.0) fail(path, "Input should be less than or equal to 1");
  return number;
}

std::vector<std::string> parse_stop_sequences(Json& body) {
  std::vector<std::string> out;
  Json* sequences = find(body, "stop_sequences");
  if (sequences == nullptr) return out;
  Path path = Path() / "stop_sequences";
  as_array(*sequences, path);
  if (sequences->size() > kMaxStopSequences) {
    fail(path, "List should have at most " + std::to_string(kMaxStopSequences) +
                   " items after validation, not " + std::to_string(sequences->size()));
  }
  for (std::size_t i = 0; i < sequences->size(); ++i) {
    out.push_back(take_string((*sequences)[i], path / i));
    if (out.back().empty()) fail(path, "each stop sequence must be non-empty");
  }
  return out;
}

// The session id inside Claude Code's metadata.user_id: a JSON object {"session_id": ...} in a
// string, or the older "user_<hash>_account_<uuid>_session_<uuid>".
std::string session_id_of(const std::string& user_id) {
  if (user_id.starts_with('{')) {
    // The body's own reader: the string is client data, with the same limits as the body.
    Result<Json> parsed = parse_json_body(user_id);
    if (!parsed.ok() || !parsed.value().is_object()) return std::string();
    auto it = parsed.value().find("session_id");
    return it != parsed.value().end() && it->is_string() ? it->get<std::string>() : std::string();
  }
  constexpr std::string_view kMarker = "_session_";
  std::size_t at = user_id.rfind(kMarker);
  return at == std::string::npos ? std::string() : user_id.substr(at + kMarker.size());
}

Metadata parse_metadata(Json& body) {
  Metadata out;
  Json* metadata = find(body, "metadata");
  if (metadata == nullptr) return out;
  Path path = Path() / "metadata";
  as_object(*metadata, path);
  if (Json* user_id = find(*metadata, "user_id")) {
    out.user_id = take_string(*user_id, path / "user_id");
    out.session_id = session_id_of(*out.user_id);
  }
  return out;
}

MessagesRequest parse_messages_fields(Json& body) {
  MessagesRequest request;
  request.model = parse_model(body);
  request.max_tokens = as_integer(require(body, "max_tokens", Path()), Path() / "max_tokens");
  if (request.max_tokens < 0) {
    fail(Path() / "max_tokens", "Input should be greater than or equal to 0");
  }
  request.prompt = parse_prompt(body);
  // max_tokens 0 generates nothing (a cache pre-warm), so no budget has to fit in it.
  if (request.prompt.thinking.type == ThinkingConfig::Type::kEnabled && request.max_tokens > 0 &&
      request.max_tokens <= request.prompt.thinking.budget_tokens) {
    fail(Path(), kBudgetAboveMaxTokens);
  }
  request.stop_sequences = parse_stop_sequences(body);
  if (Json* stream = find(body, "stream")) request.stream = as_bool(*stream, Path() / "stream");
  request.temperature = parse_unit_interval(body, "temperature");
  request.top_p = parse_unit_interval(body, "top_p");
  if (Json* top_k = find(body, "top_k")) {
    request.top_k = as_integer(*top_k, Path() / "top_k");
    if (*request.top_k < 0) fail(Path() / "top_k", "Input should be greater than or equal to 0");
  }
  request.metadata = parse_metadata(body);
  return request;
}

// Parses the body and runs `fill` on it, turning a thrown fields::Invalid into the Error.
template <typename T, typename Fill>
Result<T> parse_with(std::string_view body, Fill fill) {
  Result<Json> json = parse_json_body(body);
  if (!json.ok()) return json.error();
  Json& document = json.value();
  if (!document.is_object()) {
    return Error::invalid_request(
        "Input should be a valid dictionary or object to extract fields from");
  }
  try {
    return fill(document);
  } catch (const fields::Invalid& invalid) {
    return Error::invalid_request(invalid.message);
  }
}

}  // namespace

Result<MessagesRequest> parse_messages_request(std::string_view body) {
  return parse_with<MessagesRequest>(body, parse_messages_fields);
}

Result<CountTokensRequest> parse_count_tokens_request(std::string_view body) {
  return parse_with<CountTokensRequest>(body, [](Json& document) {
    CountTokensRequest request;
    request.model = parse_model(document);
    request.prompt = parse_prompt(document);
    return request;
  });
}

}  // namespace api
