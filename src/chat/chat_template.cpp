#include "chat/chat_template.h"

#include <variant>

#include "chat/forced_tool_call.h"

namespace chat {
namespace {

using Json = nlohmann::ordered_json;

jinja::Template parse_template(std::string_view source) {
  try {
    return jinja::Template::parse(source);
  } catch (const jinja::TemplateError& e) {
    throw ChatTemplateError(std::string("the model's chat template does not parse: ") + e.what());
  }
}

std::string token_string(const engine::Tokenizer& tokenizer, std::optional<engine::TokenId> id) {
  return id ? tokenizer.token_text(*id) : std::string();
}

std::string probe_call_id(int n, bool short_id) {
  return (short_id ? "probecal" : "probe_call_") + std::to_string(n);
}

Json probe_call(int n, bool as_string, bool short_id) {
  Json arguments = {{"probe_argument", n}};
  Json function = {{"name", "probe_tool_" + std::to_string(n)}};
  function["arguments"] = as_string ? Json(arguments.dump()) : arguments;
  return {{"id", probe_call_id(n, short_id)}, {"type", "function"}, {"function", function}};
}

bool in_order(const std::string& text, std::initializer_list<std::string_view> parts) {
  size_t at = 0;
  for (std::string_view part : parts) {
    const size_t found = text.find(part, at);
    if (found == std::string::npos) return false;
    at = found + part.size();
  }
  return true;
}

}  // namespace

ChatTemplate::ChatTemplate(std::string_view source, const engine::Tokenizer& tokenizer)
    : template_(parse_template(source)),
      tokenizer_(&tokenizer),
      specials_(SpecialTexts::from_tokenizer(tokenizer)),
      bos_token_(token_string(tokenizer, tokenizer.bos_id())),
      eos_token_(token_string(tokenizer, tokenizer.eos_id())) {
  traits_ = detect_text_traits(source, specials_.find_text("<think>") != nullptr);
  probe();
}

ChatTemplate::ChatTemplate(std::string_view source, SpecialTexts specials, std::string bos_token,
                           std::string eos_token)
    : template_(parse_template(source)),
      specials_(std::move(specials)),
      bos_token_(std::move(bos_token)),
      eos_token_(std::move(eos_token)) {
  traits_ = detect_text_traits(source, specials_.find_text("<think>") != nullptr);
  probe();
}

std::optional<std::string> ChatTemplate::try_render(const Json& vars) const {
  jinja::Context context;
  Json all = vars;
  all["bos_token"] = bos_token_;
  all["eos_token"] = eos_token_;
  context.set_json(all);
  try {
    return template_.render(context);
  } catch (const jinja::TemplateError&) {
    return std::nullopt;
  }
}

// Behaviour that only rendering shows, tried once on small conversations.
void ChatTemplate::probe() {
  const Json user1 = {{"role", "user"}, {"content", "probe-user-1"}};
  const Json user2 = {{"role", "user"}, {"content", "probe-user-2"}};
  {
    const Json vars = {{"messages",
                        {{{"role", "system"}, {"content", "probe-system-0"}},
                         user1,
                         {{"role", "system"}, {"content", "probe-system-1"}},
                         user2}},
                       {"add_generation_prompt", false}};
    const std::optional<std::string> out = try_render(vars);
    traits_.system_in_place =
        out && in_order(*out, {"probe-system-0", "probe-user-1", "probe-system-1", "probe-user-2"});
  }
  // Tool calls: arguments as objects or strings, several calls per message or one, any ids or
  // Mistral's 9-character ones; the first shape that renders wins.
  for (const bool short_id : {false, true}) {
    for (const bool as_string : {false, true}) {
      for (const int n_calls : {2, 1}) {
        Json calls = Json::array();
        Json messages = {user1};
        for (int i = 1; i <= n_calls; ++i) calls.push_back(probe_call(i, as_string, short_id));
        messages.push_back({{"role", "assistant"}, {"content", ""}, {"tool_calls", calls}});
        for (int i = 1; i <= n_calls; ++i) {
          messages.push_back({{"role", "tool"},
                              {"tool_call_id", probe_call_id(i, short_id)},
                              {"content", "probe-result-" + std::to_string(i)}});
        }
        // Ends with the results: Mistral's templates count a user turn after tool results as
        // breaking their user/assistant alternation.
        const std::optional<std::string> out =
            try_render({{"messages", messages}, {"add_generation_prompt", true}});
        if (out && out->find("probe_tool_" + std::to_string(n_calls)) != std::string::npos) {
          traits_.tool_arguments_as_string = as_string;
          traits_.single_tool_call = n_calls == 1;
          traits_.short_tool_call_ids = short_id;
          return;
        }
      }
    }
  }
}

void ChatTemplate::protect_strings(Json& value) const {
  if (value.is_string()) {
    value = specials_.protect(value.get_ref<const std::string&>());
  } else if (value.is_array()) {
    for (Json& item : value) protect_strings(item);
  } else if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      protect_strings(it.value());
      out[specials_.protect(it.key())] = std::move(it.value());
    }
    value = std::move(out);
  }
}

api::Result<RenderedPrompt> ChatTemplate::render(const api::Prompt& prompt,
                                                 const RenderOptions& options,
                                                 ReasoningStore* store) const {
  // A final assistant message is a prefill: rendered as history, cut after its text.
  const api::Message& last = prompt.messages.back();
  const bool prefill = last.role == api::Role::kAssistant;
  if (prefill) {
    for (const api::ContentBlock& block : last.content) {
      if (std::holds_alternative<api::ToolUseBlock>(block)) {
        return api::Error::invalid_request(
            "messages." + std::to_string(prompt.messages.size() - 1) +
            ": a final assistant message (a prefill) cannot contain tool_use blocks");
      }
    }
  }
  RenderOptions effective = options;
  if (prefill) effective.add_generation_prompt = false;
  api::Result<Json> built = build_template_variables(prompt, traits_, effective, store);
  if (!built.ok()) return built.error();
  Json& vars = built.value();
  protect_strings(vars["messages"]);
  if (vars.contains("tools")) protect_strings(vars["tools"]);
  if (prefill) {
    Json& message = vars["messages"].back();
    message["content"] = message["content"].get<std::string>() + SpecialTexts::cut_mark();
  }
  RenderedPrompt out;
  out.continues_assistant = prefill;
  if (auto it = vars.find("enable_thinking"); it != vars.end())
    out.enable_thinking = it->get<bool>();
  vars["bos_token"] = bos_token_;
  vars["eos_token"] = eos_token_;

  jinja::Context context;
  if (options.clock) context.set_clock(options.clock);
  context.set_json(vars);
  std::string rendered;
  try {
    rendered = template_.render(context);
  } catch (const jinja::TemplateError& e) {
    return api::Error::invalid_request(
        "the model's chat template cannot render this conversation: " + e.message());
  }
  const std::optional<ForcedToolCall> forced =
      forced_tool_call(prompt, traits_.tool_call_format, prefill);
  if (forced) {  // the template's text, around the client's tool name
    rendered += forced->head + specials_.protect(forced->name) + forced->tail;
    out.forced_output = forced->text();
    out.forced_choices = forced->choices;
  }
  SpecialTexts::Restored restored;
  try {
    restored = specials_.restore(rendered);
  } catch (const std::runtime_error& e) {
    return api::Error::api(e.what());
  }
  if (prefill && !restored.cut) {
    return api::Error::invalid_request(
        "the model's chat template does not render a final assistant message's text, so it "
        "cannot be continued (prefill)");
  }
  out.text = std::move(restored.text);
  out.specials = std::move(restored.spans);
  if (tokenizer_ != nullptr && options.tokenize) {
    try {
      out.ids = tokenize_prompt(*tokenizer_, out.text, out.specials);
    } catch (const engine::TokenizerError& e) {
      return api::Error::invalid_request(std::string("the prompt cannot be tokenized: ") +
                                         e.what());
    }
  }
  if (traits_.think_tags && !prefill && !forced) {
    const size_t end = out.text.find_last_not_of(" \t\r\n");
    out.starts_in_thinking = end != std::string::npos &&
                             std::string_view(out.text).substr(0, end + 1).ends_with("<think>");
  }
  return out;
}

ParserConfig ChatTemplate::parser_config(const api::MessagesRequest& request,
                                         const RenderedPrompt& prompt) const {
  ParserConfig config;
  config.tool_call_format = traits_.tool_call_format;
  config.think_tags = traits_.think_tags;
  config.starts_in_thinking = prompt.starts_in_thinking;
  config.continues_text = prompt.continues_assistant;
  config.forced_output = prompt.forced_output;
  if (request.prompt.tool_choice.type != api::ToolChoice::Type::kNone) {
    config.tools = request.prompt.tools;
  }
  config.stop_sequences = request.stop_sequences;
  config.max_tool_calls = request.prompt.tool_choice.disable_parallel_tool_use ? 1 : 0;
  return config;
}

}  // namespace chat
