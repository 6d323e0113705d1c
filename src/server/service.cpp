#include "server/service.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <stdexcept>

namespace server {
namespace {

// The date /v1/models reports: the model file's modification day.
std::string file_date(const std::filesystem::path& path) {
  std::error_code error;
  const auto written = std::filesystem::last_write_time(path, error);
  if (error) return "2025-01-01T00:00:00Z";
  const auto system = std::chrono::file_clock::to_sys(written);
  const std::time_t t = std::chrono::system_clock::to_time_t(system);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT00:00:00Z", &utc);
  return text;
}

// What the token memo may hold: the text and ids of a few hundred 20k-token prompts.
constexpr size_t kTokenMemoBytes = size_t{64} << 20;

std::string hex(size_t value) {
  char text[24];
  std::snprintf(text, sizeof(text), "%016zx", value);
  return text;
}

}  // namespace

Service::Service(Config config)
    : config_(std::move(config)),
      prompt_cache_({.enabled = config_.prompt_cache,
                     .max_bytes = config_.prompt_cache_bytes,
                     .ttl = std::chrono::milliseconds(config_.context_ttl_ms),
                     .max_sessions = config_.context_max_sessions}) {
  if (!std::filesystem::is_regular_file(config_.model)) {
    throw std::runtime_error("model file not found: " + config_.model);
  }
  file_ = std::make_shared<const engine::GgufFile>(engine::GgufFile::open(config_.model));
  tokenizer_ = std::make_unique<engine::Tokenizer>(engine::Tokenizer::from_gguf(*file_));
  token_memo_ = std::make_unique<TokenMemo>(*tokenizer_, kTokenMemoBytes);
  const std::optional<std::string_view> source = file_->get_string("tokenizer.chat_template");
  if (!source) {
    throw std::runtime_error(config_.model +
                             ": the model has no tokenizer.chat_template; a chat model is needed");
  }
  chat_template_ = std::make_unique<chat::ChatTemplate>(*source, *tokenizer_);
  model_ = engine::Model::load(file_, {.n_threads = config_.threads,
                                       .prefill_chunk = config_.prefill_chunk,
                                       .kv_type = engine::kv_type_named(config_.kv_cache_type)});

  const engine::ModelConfig& mc = model_->config();
  context_size_ = config_.context_size != 0 ? config_.context_size
                  : mc.n_ctx_train != 0     ? mc.n_ctx_train
                                            : 4096;
  // A model id is typed into shells and settings: the file's name ("Qwen3-8B-Q4_K_M") rather
  // than general.name, which often holds spaces.
  model_name_ = !config_.model_name.empty() ? config_.model_name
                                            : std::filesystem::path(config_.model).stem().string();

  // Cached ids are only valid for the same file (weights and tokenizer) and the same template.
  std::error_code error;
  const auto canonical = std::filesystem::weakly_canonical(config_.model, error);
  const auto size = std::filesystem::file_size(config_.model, error);
  const auto written = std::filesystem::last_write_time(config_.model, error);
  const std::string fingerprint = canonical.string() + "\n" + std::to_string(size) + "\n" +
                                  std::to_string(written.time_since_epoch().count()) + "\n" +
                                  std::string(*source) + "\n" +
                                  std::to_string(tokenizer_->vocab_size());
  identity_ = model_name_ + "@" + hex(std::hash<std::string>{}(fingerprint));

  if (!config_.scripted_replies.empty()) {
    scripted_ = ScriptedReplies::load(config_.scripted_replies);
  }
  scheduler_ = std::make_unique<serve::Scheduler>(
      *model_, *tokenizer_, prompt_cache_,
      serve::SchedulerOptions{.queue_size = config_.queue_size,
                              .context_size = context_size_,
                              .prefill_chunk = config_.prefill_chunk});
}

Service::~Service() = default;

int32_t Service::end_token() const {
  if (tokenizer_->eos_id()) return *tokenizer_->eos_id();
  if (tokenizer_->eot_id()) return *tokenizer_->eot_id();
  if (!tokenizer_->eog_ids().empty()) return tokenizer_->eog_ids().front();
  throw std::runtime_error("the tokenizer has no end-of-generation token");
}

api::ModelInfo Service::model_info(std::string_view id) const {
  return {.id = std::string(id),
          .display_name = std::string(id),
          .created_at = file_date(config_.model),
          .max_input_tokens = static_cast<int64_t>(context_size_ - 1),
          .max_tokens = static_cast<int64_t>(config_.max_tokens != 0
                                                 ? std::min(config_.max_tokens, context_size_ - 1)
                                                 : context_size_ - 1)};
}

std::vector<api::ModelInfo> Service::models() const {
  std::vector<api::ModelInfo> list{model_info(model_name_)};
  for (const std::string& alias : config_.model_aliases) {
    if (!alias.empty() && alias != model_name_) list.push_back(model_info(alias));
  }
  return list;
}

nlohmann::ordered_json Service::health() const {
  const serve::PromptCacheStats cache = prompt_cache_.stats();
  const engine::ModelConfig& mc = model_->config();
  nlohmann::ordered_json j;
  j["status"] = "ok";
  j["model"] = {
      {"name", model_name_},
      {"path", config_.model},
      {"architecture", mc.arch_name},
      {"n_layer", mc.n_layer},
      {"n_embd", mc.n_embd},
      {"n_vocab", mc.n_vocab},
      {"context_train", mc.n_ctx_train},
      {"chat_template",
       std::string(chat::tool_call_format_name(chat_template_->traits().tool_call_format))}};
  j["context_size"] = context_size_;
  j["kv_cache"] = {{"type", config_.kv_cache_type},
                   {"bytes_per_token", model_->kv_shape().bytes_per_token()}};
  j["thinking"] = {{"enabled", config_.enable_thinking},
                   {"exposed", config_.expose_thinking},
                   {"think_tags", chat_template_->traits().think_tags}};
  j["prompt_cache"] = {{"enabled", cache.enabled},
                       {"entries", cache.entries},
                       {"bytes", cache.bytes},
                       {"max_bytes", cache.max_bytes},
                       {"max_sessions", cache.max_sessions},
                       {"ttl_ms", config_.context_ttl_ms},
                       {"hits", cache.hits},
                       {"misses", cache.misses},
                       {"reused_tokens", cache.reused_tokens},
                       {"evictions", cache.evictions}};
  const TokenMemoStats memo = token_memo_->stats();
  j["token_memo"] = {{"entries", memo.entries},
                     {"bytes", memo.bytes},
                     {"hits", memo.hits},
                     {"misses", memo.misses}};
  j["queue"] = {{"running", scheduler_->busy()},
                {"waiting", scheduler_->queued()},
                {"size", config_.queue_size}};
  j["threads"] = model_->n_threads();
  j["scripted_replies"] = scripted_ != nullptr;
  j["anthropic_version"] = config_.anthropic_version;
  return j;
}

}  // namespace server
