// The scripted replies of `--scripted-replies FILE` (the test double of DESIGN.md): the model runs
// for real, but each request's output is a text taken from the file, tokenized with the model's
// tokenizer and emitted token by token by engine::ScriptedSampler. The file:
//
//   {"rules": [{"match": "echo hi", "reply": "<tool_call>\n{...}\n</tool_call>"},
//              {"match": "slow", "reply": "...", "token_delay_ms": 50},
//              {"match": "", "reply": "the default"}],
//    "queue": ["first unmatched request gets this", "the second this"]}
//
// A request gets the reply of the first rule whose `match` occurs in the text of its last user
// message (text blocks and tool results; "" matches everything); when no rule matches, the next
// queue entry (each used once); when the queue is empty too, the request fails with api_error.
// `reply` is the raw model text, special tokens included (<think>, <tool_call>, ...).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/types.h"
#include "engine/sampling/sampler.h"

namespace server {

struct ScriptedReply {
  std::string text;
  int64_t token_delay_ms = 0;  // a pause before each token (to test pings, queues, disconnects)
  std::string origin;          // "rule 2", "queue 0": for the log
};

class ScriptedReplies {
 public:
  // Throws std::runtime_error naming the file and what is wrong in it.
  static std::unique_ptr<ScriptedReplies> load(const std::string& path);
  static std::unique_ptr<ScriptedReplies> parse(std::string_view json, const std::string& origin);

  // The reply for a request whose last user message reads `last_user_text`; nullopt when nothing
  // matches and the queue is empty. Thread-safe.
  std::optional<ScriptedReply> next(std::string_view last_user_text);

  size_t rule_count() const { return rules_.size(); }

 private:
  struct Rule {
    std::string match;
    ScriptedReply reply;
  };
  std::vector<Rule> rules_;
  std::mutex mutex_;
  std::deque<ScriptedReply> queue_;
};

// The text of the last user message: its text blocks and the text inside its tool results, joined
// with "\n".
std::string last_user_text(const api::Prompt& prompt);

// A sampler that waits before each token, then asks `inner`.
class DelayedSampler final : public engine::TokenSampler {
 public:
  DelayedSampler(std::unique_ptr<engine::TokenSampler> inner, std::chrono::milliseconds delay)
      : inner_(std::move(inner)), delay_(delay) {}
  int32_t sample(std::span<const float> logits) override;

 private:
  std::unique_ptr<engine::TokenSampler> inner_;
  std::chrono::milliseconds delay_;
};

}  // namespace server
