#include "server/scripted_replies.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <variant>

#include <nlohmann/json.hpp>

namespace server {
namespace {

using Json = nlohmann::json;

ScriptedReply read_reply(const Json& value, const std::string& where, const std::string& origin) {
  ScriptedReply reply;
  reply.origin = where;
  if (value.is_string()) {
    reply.text = value.get<std::string>();
    return reply;
  }
  if (!value.is_object() || !value.contains("reply") || !value["reply"].is_string()) {
    throw std::runtime_error(origin + ": " + where +
                             " must be a string or an object with a string \"reply\"");
  }
  reply.text = value["reply"].get<std::string>();
  if (value.contains("token_delay_ms")) {
    const Json& delay = value["token_delay_ms"];
    if (!delay.is_number_integer() || delay.get<int64_t>() < 0 || delay.get<int64_t>() > 60000) {
      throw std::runtime_error(origin + ": " + where +
                               ".token_delay_ms must be an integer from 0 to 60000");
    }
    reply.token_delay_ms = delay.get<int64_t>();
  }
  return reply;
}

}  // namespace

std::unique_ptr<ScriptedReplies> ScriptedReplies::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("--scripted-replies: cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str(), path);
}

std::unique_ptr<ScriptedReplies> ScriptedReplies::parse(std::string_view text,
                                                        const std::string& origin) {
  const Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    throw std::runtime_error(origin + ": expected a JSON object with \"rules\" and/or \"queue\"");
  }
  auto replies = std::make_unique<ScriptedReplies>();
  if (json.contains("rules")) {
    if (!json["rules"].is_array())
      throw std::runtime_error(origin + ": \"rules\" must be an array");
    for (size_t i = 0; i < json["rules"].size(); ++i) {
      const Json& rule = json["rules"][i];
      const std::string where = "rule " + std::to_string(i);
      if (!rule.is_object() || !rule.contains("match") || !rule["match"].is_string()) {
        throw std::runtime_error(origin + ": " + where + " needs a string \"match\"");
      }
      replies->rules_.push_back(
          {rule["match"].get<std::string>(), read_reply(rule, where, origin)});
    }
  }
  if (json.contains("queue")) {
    if (!json["queue"].is_array())
      throw std::runtime_error(origin + ": \"queue\" must be an array");
    for (size_t i = 0; i < json["queue"].size(); ++i) {
      replies->queue_.push_back(read_reply(json["queue"][i], "queue " + std::to_string(i), origin));
    }
  }
  if (replies->rules_.empty() && replies->queue_.empty()) {
    throw std::runtime_error(origin + ": no rules and no queue: every request would fail");
  }
  return replies;
}

std::optional<ScriptedReply> ScriptedReplies::next(std::string_view last_user_text) {
  for (const Rule& rule : rules_) {
    if (last_user_text.find(rule.match) != std::string_view::npos) return rule.reply;
  }
  std::lock_guard lock(mutex_);
  if (queue_.empty()) return std::nullopt;
  ScriptedReply reply = std::move(queue_.front());
  queue_.pop_front();
  return reply;
}

std::string last_user_text(const api::Prompt& prompt) {
  for (auto it = prompt.messages.rbegin(); it != prompt.messages.rend(); ++it) {
    if (it->role != api::Role::kUser) continue;
    std::string text;
    const auto add = [&](const std::string& piece) {
      if (!text.empty()) text += "\n";
      text += piece;
    };
    for (const api::ContentBlock& block : it->content) {
      if (const auto* t = std::get_if<api::TextBlock>(&block)) add(t->text);
      if (const auto* r = std::get_if<api::ToolResultBlock>(&block)) {
        for (const api::ToolResultContent& c : r->content) {
          if (const auto* t = std::get_if<api::TextBlock>(&c)) add(t->text);
        }
      }
    }
    return text;
  }
  return "";
}

int32_t DelayedSampler::sample(std::span<const float> logits) {
  std::this_thread::sleep_for(delay_);
  return inner_->sample(logits);
}

}  // namespace server
