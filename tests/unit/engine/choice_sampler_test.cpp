#include "engine/sampling/choice_sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "engine/sampling/scripted_sampler.h"
#include "tokenizer_test_util.h"

namespace engine {
namespace {

// The 256 bytes, then whole words, pieces that cross a choice's end, and a control token.
const Tokenizer& vocab() {
  static const Tokenizer tokenizer = [] {
    Vocab v = tokenizer_test::byte_vocab({"Read", "Re", "ad\", ", "Bash", "Hello", "\", \"x\": "});
    v.tokens.push_back("<|im_end|>");
    v.types.assign(v.tokens.size(), TokenType::kNormal);
    v.types.back() = TokenType::kControl;
    return Tokenizer(std::move(v));
  }();
  return tokenizer;
}

TokenId id_of(std::string_view bytes) {
  for (size_t i = 0; i < vocab().vocab_size(); ++i) {
    const auto id = static_cast<TokenId>(i);
    if (vocab().token_type(id) == TokenType::kNormal && vocab().token_bytes(id) == bytes) return id;
  }
  ADD_FAILURE() << "no token " << bytes;
  return 0;
}

// The wrapped sampler: greedy, and keeps the logits it was given.
class RecordingGreedy final : public TokenSampler {
 public:
  int32_t sample(std::span<const float> logits) override {
    seen.assign(logits.begin(), logits.end());
    return argmax(logits);
  }
  std::vector<float> seen;
};

const std::vector<std::string> kChoices = {"Read\", ", "Bash\", "};

// Samples until the constraint ends (at most 40 tokens); returns the bytes.
std::string run(ChoiceSampler& sampler, const std::vector<float>& logits) {
  std::string out;
  for (int i = 0; i < 40 && sampler.active(); ++i)
    out += vocab().token_bytes(sampler.sample(logits));
  return out;
}

bool starts_with_a_choice(const std::string& out) {
  return std::any_of(kChoices.begin(), kChoices.end(),
                     [&](const std::string& c) { return out.starts_with(c); });
}

TEST(ChoiceSampler, TheModelsFavouriteWordIsNotAChoice) {
  std::vector<float> logits(vocab().vocab_size(), 0.0f);
  logits[static_cast<size_t>(id_of("Hello"))] = 9.0f;
  logits[static_cast<size_t>(id_of("B"))] = 2.0f;
  logits[vocab().vocab_size() - 1] = 12.0f;  // the control token
  ChoiceSampler sampler(std::make_unique<RecordingGreedy>(), vocab(), kChoices);
  EXPECT_EQ(run(sampler, logits), "Bash\", ");
  EXPECT_FALSE(sampler.active());
}

TEST(ChoiceSampler, EveryDrawSpellsOneChoice) {
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  for (uint64_t seed = 0; seed < 200; ++seed) {
    std::vector<float> logits(vocab().vocab_size());
    for (float& l : logits) l = normal(rng);
    ChoiceSampler sampler(std::make_unique<LogitSampler>(SamplingParams{.seed = seed}), vocab(),
                          kChoices);
    const std::string out = run(sampler, logits);
    EXPECT_TRUE(starts_with_a_choice(out)) << out;
    EXPECT_FALSE(sampler.active());
  }
}

TEST(ChoiceSampler, OnlyTokensThatKeepAPrefixOrCompleteAChoiceKeepTheirLogits) {
  auto inner = std::make_unique<RecordingGreedy>();
  RecordingGreedy* spy = inner.get();
  std::vector<float> logits(vocab().vocab_size(), 1.0f);
  logits[static_cast<size_t>(id_of("Re"))] = 5.0f;
  ChoiceSampler sampler(std::move(inner), vocab(), kChoices);
  EXPECT_EQ(sampler.sample(logits), id_of("Re"));
  const float gone = -std::numeric_limits<float>::infinity();
  EXPECT_EQ(spy->seen[static_cast<size_t>(id_of("Read"))], 1.0f);
  EXPECT_EQ(spy->seen[static_cast<size_t>(id_of("Hello"))], gone);
  // After "Re": "ad\", " completes "Read\", "; "Bash" no longer fits.
  logits[static_cast<size_t>(id_of("ad\", "))] = 6.0f;
  EXPECT_EQ(sampler.sample(logits), id_of("ad\", "));
  EXPECT_EQ(spy->seen[static_cast<size_t>(id_of("Bash"))], gone);
  EXPECT_FALSE(sampler.active());
  // From here the logits pass as they are.
  sampler.sample(logits);
  EXPECT_EQ(spy->seen, logits);
}

TEST(ChoiceSampler, ATokenThatRunsPastTheChoiceCompletesIt) {
  ChoiceSampler sampler(std::make_unique<RecordingGreedy>(), vocab(), {"Bash\""});
  std::vector<float> logits(vocab().vocab_size(), 0.0f);
  logits[static_cast<size_t>(id_of("Bash"))] = 3.0f;
  logits[static_cast<size_t>(id_of("\", \"x\": "))] = 4.0f;
  EXPECT_EQ(run(sampler, logits), "Bash\", \"x\": ");
}

TEST(ChoiceSampler, AScriptedChoiceEndsTheConstraint) {
  // A scripted sampler (the tests' model) ignores logits: whatever it takes ends the constraint.
  ChoiceSampler sampler(
      std::make_unique<ScriptedSampler>(std::vector<TokenId>{id_of("Hello"), id_of("B")}, 0),
      vocab(), kChoices);
  const std::vector<float> logits(vocab().vocab_size(), 0.0f);
  EXPECT_EQ(sampler.sample(logits), id_of("Hello"));
  EXPECT_FALSE(sampler.active());
}

TEST(ChoiceSampler, NoChoicesConstrainNothing) {
  ChoiceSampler sampler(std::make_unique<RecordingGreedy>(), vocab(), {"", ""});
  EXPECT_FALSE(sampler.active());
  std::vector<float> logits(vocab().vocab_size(), 0.0f);
  logits[static_cast<size_t>(id_of("Hello"))] = 1.0f;
  EXPECT_EQ(sampler.sample(logits), id_of("Hello"));
  EXPECT_THROW(ChoiceSampler(nullptr, vocab(), kChoices), std::invalid_argument);
}

}  // namespace
}  // namespace engine
