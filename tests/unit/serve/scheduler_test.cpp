// serve::Scheduler on the tiny model: generation, stops, the prompt cache's effect on output
// (none), the queue bound and cancellation.
#include "serve/scheduler.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/sampling/scripted_sampler.h"
#include "serve_test_util.h"

namespace serve {
namespace {

using testing::bytes_of;
using testing::kEndId;
using testing::RecordingObserver;
using testing::tiny_engine;

std::unique_ptr<engine::TokenSampler> greedy() {
  return std::make_unique<engine::LogitSampler>(engine::SamplingParams{.temperature = 0.0f});
}

// The random model may choose its end token at any point; runs that count tokens use a script.
std::unique_ptr<engine::TokenSampler> endless() {
  return std::make_unique<engine::ScriptedSampler>(std::vector<int32_t>(1000, 'a'), kEndId);
}

GenerationRequest request(const std::string& prompt, size_t max_tokens,
                          std::unique_ptr<engine::TokenSampler> sampler = greedy(),
                          const std::string& session = "s") {
  return {.request_id = "req_test",
          .cache_key = {"tiny", session},
          .prompt = bytes_of(prompt),
          .max_tokens = max_tokens,
          .sampler = std::move(sampler)};
}

struct Harness {
  explicit Harness(PromptCacheOptions cache_options = {},
                   SchedulerOptions options = {.queue_size = 4,
                                               .context_size = 256,
                                               .prefill_chunk = 8})
      : cache(cache_options),
        scheduler(*tiny_engine().model, tiny_engine().tokenizer, cache, options) {}

  std::shared_ptr<RecordingObserver> run(GenerationRequest r) {
    auto observer = std::make_shared<RecordingObserver>();
    EXPECT_TRUE(scheduler.submit(std::move(r), observer, observer->cancel));
    observer->wait();
    return observer;
  }

  PromptCache cache;
  Scheduler scheduler;
};

TEST(Scheduler, GeneratesUpToMaxTokens) {
  Harness h;
  auto run = h.run(request("hello world, this is a prompt", 12, endless()));
  EXPECT_EQ(run->cause, StopCause::kMaxTokens) << run->error;
  EXPECT_EQ(run->stats.output_tokens, 12u);
  EXPECT_EQ(run->stats.prompt_tokens, 29u);
  EXPECT_EQ(run->stats.rest_tokens, 29u);
  EXPECT_EQ(run->stats.cached_tokens, 0u);
  // Prefill progress comes per chunk of 8, up to the rest.
  EXPECT_EQ(run->progress, (std::vector<size_t>{8, 16, 24, 29}));
  EXPECT_EQ(run->progress_total, 29u);
  // The text is what the tokens decode to (the end id never comes out as text).
  EXPECT_EQ(run->text, std::string(12, 'a'));
  EXPECT_TRUE(run->stats.kept);
  EXPECT_EQ(run->stats.cache_creation_tokens(), 29u);
  EXPECT_EQ(run->stats.input_tokens(), 0u);
}

TEST(Scheduler, MaxTokensZeroOnlyPrefills) {
  Harness h;
  auto run = h.run(request("prefill me", 0));
  EXPECT_EQ(run->cause, StopCause::kMaxTokens);
  EXPECT_EQ(run->stats.output_tokens, 0u);
  EXPECT_TRUE(run->tokens.empty());
}

TEST(Scheduler, CachedPrefixGivesTheSameOutputAsAFreshPrefill) {
  const std::string turn1 = "The system prompt that every turn repeats. User: hi";
  Harness cached;
  auto first = cached.run(request(turn1, 6));
  const std::string turn2 = turn1 + " Assistant: ok. User: and now?";
  auto second = cached.run(request(turn2, 10));
  EXPECT_EQ(second->stats.cache_outcome, CacheOutcome::kTaken);
  EXPECT_EQ(second->stats.cached_tokens, turn1.size());
  EXPECT_EQ(second->stats.rest_tokens, turn2.size() - turn1.size());
  EXPECT_EQ(second->stats.cache_read_tokens() + second->stats.cache_creation_tokens() +
                second->stats.input_tokens(),
            turn2.size());

  Harness fresh({.enabled = false});
  auto reference = fresh.run(request(turn2, 10));
  EXPECT_EQ(reference->stats.cache_outcome, CacheOutcome::kDisabled);
  EXPECT_EQ(reference->stats.input_tokens(), turn2.size());
  EXPECT_EQ(second->tokens, reference->tokens);
  // The random model does say something before its end token, so the comparison means something.
  EXPECT_GE(reference->tokens.size(), 5u);

  // A copy from another session's entry gives the same output too.
  auto other = cached.run(request(turn2, 10, greedy(), "other"));
  EXPECT_EQ(other->stats.cache_outcome, CacheOutcome::kCopied);
  EXPECT_EQ(other->tokens, reference->tokens);
}

TEST(Scheduler, ScriptedSamplerEndsWithTheEndToken) {
  Harness h;
  const std::string reply = "scripted <reply> é";
  auto run = h.run(
      request("question", 100, std::make_unique<engine::ScriptedSampler>(bytes_of(reply), kEndId)));
  EXPECT_EQ(run->cause, StopCause::kEndOfGeneration);
  EXPECT_EQ(run->text, reply);
  EXPECT_EQ(run->stats.output_tokens, reply.size() + 1);  // the end token counts
}

TEST(Scheduler, UnfinishedCharacterAtTheEndBecomesReplacement) {
  Harness h;
  const std::vector<int32_t> script = {'a', 0xC3};  // "a", then the first byte of "é"
  auto run = h.run(request("q", 2, std::make_unique<engine::ScriptedSampler>(script, kEndId)));
  EXPECT_EQ(run->cause, StopCause::kMaxTokens);
  EXPECT_EQ(run->text, "a\xEF\xBF\xBD");
}

TEST(Scheduler, ObserverStops) {
  Harness h;
  auto observer = std::make_shared<RecordingObserver>();
  observer->stop_after = 3;
  ASSERT_TRUE(h.scheduler.submit(request("stop soon", 50, endless()), observer, observer->cancel));
  observer->wait();
  EXPECT_EQ(observer->cause, StopCause::kObserver);
  EXPECT_EQ(observer->stats.output_tokens, 3u);
}

TEST(Scheduler, CancellationStopsAtTheNextToken) {
  Harness h;
  auto observer = std::make_shared<RecordingObserver>();
  observer->cancel_after = 4;
  ASSERT_TRUE(h.scheduler.submit(request("cancel me", 50, endless()), observer, observer->cancel));
  observer->wait();
  EXPECT_EQ(observer->cause, StopCause::kCancelled);
  EXPECT_EQ(observer->stats.output_tokens, 4u);
  // What it had computed stays reusable.
  EXPECT_TRUE(observer->stats.kept);
}

TEST(Scheduler, CancelledBeforeRunningNeverRuns) {
  Harness h;
  auto observer = std::make_shared<RecordingObserver>();
  observer->cancel->cancel();
  ASSERT_TRUE(h.scheduler.submit(request("never", 5), observer, observer->cancel));
  observer->wait();
  EXPECT_EQ(observer->cause, StopCause::kCancelled);
  EXPECT_FALSE(observer->started);
  EXPECT_EQ(observer->stats.output_tokens, 0u);
}

TEST(Scheduler, ContextFullStops) {
  Harness h({}, {.queue_size = 1, .context_size = 16, .prefill_chunk = 4});
  auto run = h.run(request("ten bytes!", 100, endless()));
  EXPECT_EQ(run->cause, StopCause::kContextFull);
  // Six more positions hold output; the seventh token is sampled but has no room to run.
  EXPECT_EQ(run->stats.output_tokens, 7u);
}

TEST(Scheduler, PromptThatFillsTheContextFails) {
  Harness h({}, {.queue_size = 1, .context_size = 8, .prefill_chunk = 4});
  auto run = h.run(request("eight by", 1));
  EXPECT_NE(run->error.find("it must hold 1 to 7"), std::string::npos) << run->error;
}

TEST(Scheduler, QueueBoundRefusesAndDestructionCancelsTheWaiting) {
  std::shared_ptr<RecordingObserver> running = std::make_shared<RecordingObserver>();
  std::shared_ptr<RecordingObserver> waiting = std::make_shared<RecordingObserver>();
  std::thread release;
  {
    Harness h({}, {.queue_size = 1, .context_size = 64, .prefill_chunk = 4});
    running->set_hold(true);
    ASSERT_TRUE(h.scheduler.submit(request("first", 5, endless()), running, running->cancel));
    running->wait_started();  // the worker is now busy with it
    EXPECT_TRUE(h.scheduler.busy());
    ASSERT_TRUE(h.scheduler.submit(request("second", 5, endless()), waiting, waiting->cancel));
    auto refused = std::make_shared<RecordingObserver>();
    EXPECT_FALSE(h.scheduler.submit(request("third", 5), refused, refused->cancel));
    EXPECT_EQ(h.scheduler.queued(), 1u);
    running->set_hold(false);
    running->wait();
    EXPECT_EQ(running->cause, StopCause::kMaxTokens);
    waiting->wait();
    EXPECT_EQ(waiting->cause, StopCause::kMaxTokens);

    // Now hold the worker again and destroy the scheduler with a run waiting.
    running = std::make_shared<RecordingObserver>();
    waiting = std::make_shared<RecordingObserver>();
    running->set_hold(true);
    ASSERT_TRUE(h.scheduler.submit(request("first", 5, endless()), running, running->cancel));
    running->wait_started();
    ASSERT_TRUE(h.scheduler.submit(request("second", 5, endless()), waiting, waiting->cancel));
    // The destructor sets the stop flag before joining; release the hold from another thread
    // once it has.
    release = std::thread([running] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      running->set_hold(false);
    });
  }
  release.join();
  running->wait();
  waiting->wait();
  EXPECT_EQ(running->cause, StopCause::kCancelled);
  EXPECT_EQ(waiting->cause, StopCause::kCancelled);
  EXPECT_FALSE(waiting->started);
}

TEST(Scheduler, SubmitNeedsASampler) {
  Harness h;
  auto observer = std::make_shared<RecordingObserver>();
  EXPECT_THROW((void)h.scheduler.submit(request("x", 1, nullptr), observer, observer->cancel),
               std::invalid_argument);
}

}  // namespace
}  // namespace serve
