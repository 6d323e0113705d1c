// server::Service: everything a request handler needs, built once at start-up from the Config:
// the model, its tokenizer and chat template, the prompt cache and the scheduler, the reasoning
// store that signs thinking blocks, and the scripted replies of tests. The HTTP routes
// (routes.h) are thin functions over it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/response.h"
#include "chat/chat_template.h"
#include "chat/reasoning_store.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/model.h"
#include "engine/tokenizer/tokenizer.h"
#include "serve/prompt_cache.h"
#include "serve/scheduler.h"
#include "server/config.h"
#include "server/scripted_replies.h"
#include "server/token_memo.h"

namespace server {

class Service {
 public:
  // Loads the model named by config.model. Throws std::runtime_error (or the engine's and chat
  // layer's errors) with a message that names the file and the problem.
  explicit Service(Config config);
  ~Service();

  const Config& config() const { return config_; }
  const std::string& model_name() const { return model_name_; }
  // Names the model file, chat template and tokenizer: cached ids from anything else never match.
  const std::string& identity() const { return identity_; }
  size_t context_size() const { return context_size_; }

  const engine::Tokenizer& tokenizer() const { return *tokenizer_; }
  // Token ids of prompt stretches seen before (count_tokens and /v1/messages share it).
  TokenMemo& token_memo() { return *token_memo_; }
  const chat::ChatTemplate& chat_template() const { return *chat_template_; }
  chat::ReasoningStore& reasoning_store() { return reasoning_store_; }
  serve::PromptCache& prompt_cache() { return prompt_cache_; }
  serve::Scheduler& scheduler() { return *scheduler_; }
  ScriptedReplies* scripted_replies() { return scripted_.get(); }  // null unless testing

  // The models /v1/models lists: the model's name, then the configured aliases.
  std::vector<api::ModelInfo> models() const;
  // GET /v1/models/{id}: any id is accepted (clients ask for claude-* names) and echoed.
  api::ModelInfo model_info(std::string_view id) const;
  // The body of GET /health.
  nlohmann::ordered_json health() const;

  // The end-of-generation token a scripted reply ends with.
  int32_t end_token() const;

 private:
  Config config_;
  std::shared_ptr<const engine::GgufFile> file_;
  std::unique_ptr<engine::Tokenizer> tokenizer_;
  std::unique_ptr<TokenMemo> token_memo_;
  std::unique_ptr<engine::Model> model_;
  std::unique_ptr<chat::ChatTemplate> chat_template_;
  std::string model_name_;
  std::string identity_;
  size_t context_size_ = 0;
  chat::ReasoningStore reasoning_store_;
  serve::PromptCache prompt_cache_;
  std::unique_ptr<ScriptedReplies> scripted_;
  std::unique_ptr<serve::Scheduler> scheduler_;  // last: its worker uses the members above
};

}  // namespace server
