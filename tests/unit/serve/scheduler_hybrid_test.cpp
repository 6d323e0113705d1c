// serve::Scheduler and the prompt cache on a hybrid model (qwen35: Gated DeltaNet layers with a
// recurrent state that cannot be truncated): a next turn and a repeated prompt resume from the
// snapshot kept one token before the end of the previous prompt, and give the same output as a
// fresh prefill.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/sampling/sampler.h"
#include "serve/scheduler.h"
#include "serve_test_util.h"

namespace serve {
namespace {

using testing::bytes_of;
using testing::RecordingObserver;

struct HybridEngine {
  HybridEngine() {
    const auto path = std::filesystem::temp_directory_path() /
                      ("serve_hybrid_" + std::to_string(::getpid()) + ".gguf");
    engine::testing::TinyShape shape{.arch = "qwen35", .n_vocab = 258, .n_layer = 4};
    engine::testing::TinyModel writer(shape, path, /*seed=*/7);
    auto file = std::make_shared<const engine::GgufFile>(engine::GgufFile::open(path));
    model = engine::Model::load(file, {.n_threads = 1, .prefill_chunk = 4});
    std::filesystem::remove(path);
  }
  std::unique_ptr<engine::Model> model;
  engine::Tokenizer tokenizer = testing::byte_tokenizer();
};

HybridEngine& hybrid_engine() {
  static HybridEngine engine;
  return engine;
}

GenerationRequest request(const std::string& prompt, size_t max_tokens,
                          const std::string& session = "s") {
  return {.request_id = "req_test",
          .cache_key = {"hybrid", session},
          .prompt = bytes_of(prompt),
          .max_tokens = max_tokens,
          .sampler =
              std::make_unique<engine::LogitSampler>(engine::SamplingParams{.temperature = 0.0f})};
}

struct Harness {
  explicit Harness(PromptCacheOptions cache_options = {})
      : cache(cache_options),
        scheduler(*hybrid_engine().model, hybrid_engine().tokenizer, cache,
                  {.queue_size = 4, .context_size = 256, .prefill_chunk = 8}) {}

  std::shared_ptr<RecordingObserver> run(GenerationRequest r) {
    auto observer = std::make_shared<RecordingObserver>();
    EXPECT_TRUE(scheduler.submit(std::move(r), observer, observer->cancel));
    observer->wait();
    return observer;
  }

  PromptCache cache;
  Scheduler scheduler;
};

std::vector<int32_t> fresh_output(const std::string& prompt, size_t max_tokens) {
  Harness fresh({.enabled = false});
  return fresh.run(request(prompt, max_tokens))->tokens;
}

TEST(SchedulerHybrid, NextTurnResumesFromTheSnapshotBeforeThePromptsLastToken) {
  const std::string turn1 = "The system prompt that every turn repeats. User: hi";
  Harness cached;
  auto first = cached.run(request(turn1, 6));
  EXPECT_TRUE(first->error.empty()) << first->error;
  // The next turn re-renders the reply differently: it shares turn1 and nothing of the output.
  const std::string turn2 = turn1 + "\nAssistant: (thinking dropped) ok.\nUser: and now?";
  auto second = cached.run(request(turn2, 10));
  EXPECT_EQ(second->stats.cache_outcome, CacheOutcome::kTaken);
  EXPECT_EQ(second->stats.cached_tokens, turn1.size() - 1);
  EXPECT_EQ(second->tokens, fresh_output(turn2, 10));
  EXPECT_GE(second->tokens.size(), 3u);
}

TEST(SchedulerHybrid, RepeatedPromptAndOtherSessionsResumeToo) {
  const std::string prompt = "A prompt sent twice, as clients do when they count tokens.";
  Harness cached;
  auto first = cached.run(request(prompt, 4));
  auto again = cached.run(request(prompt, 4));
  EXPECT_EQ(again->stats.cached_tokens, prompt.size() - 1);
  EXPECT_EQ(again->tokens, first->tokens);
  // Another session copies the entry up to its snapshot.
  auto other = cached.run(request(prompt + " More.", 4, "other"));
  EXPECT_EQ(other->stats.cache_outcome, CacheOutcome::kCopied);
  EXPECT_EQ(other->stats.cached_tokens, prompt.size() - 1);
  EXPECT_EQ(other->tokens, fresh_output(prompt + " More.", 4));
}

}  // namespace
}  // namespace serve
