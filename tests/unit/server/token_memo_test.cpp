// The token memo gives exactly chat::tokenize_prompt's ids, reads repeated long stretches from
// memory, stays within its byte bound, and fails as the tokenizer does.
#include "server/token_memo.h"

#include <gtest/gtest.h>

#include "engine/tokenizer/byte_level.h"

namespace server {
namespace {

constexpr engine::TokenId kImStart = 256;
constexpr engine::TokenId kImEnd = 257;
constexpr engine::TokenId kBos = 258;

// Byte-level BPE with one merge ("ab"), two special tokens and a BOS, as `add_bos` says.
engine::Tokenizer tokenizer(bool add_bos) {
  engine::Vocab v;
  v.pre = "qwen2";
  for (int b = 0; b < 256; ++b) {
    v.tokens.push_back(engine::byte_level_encode(std::string(1, static_cast<char>(b))));
    v.types.push_back(engine::TokenType::kNormal);
  }
  for (const char* special : {"<|im_start|>", "<|im_end|>", "<|bos|>"}) {
    v.tokens.push_back(special);
    v.types.push_back(engine::TokenType::kControl);
  }
  v.tokens.push_back("ab");
  v.types.push_back(engine::TokenType::kNormal);
  v.merges.push_back("a b");
  v.bos_id = kBos;
  v.add_bos = add_bos;
  return engine::Tokenizer(std::move(v));
}

// "<|im_start|>" + body + "<|im_end|>" for each body, with the spans of the two specials.
struct Prompt {
  std::string text;
  std::vector<chat::SpecialSpan> spans;
};
Prompt prompt(const std::vector<std::string>& bodies) {
  Prompt p;
  for (const std::string& body : bodies) {
    p.spans.push_back({p.text.size(), 12, kImStart});
    p.text += "<|im_start|>" + body;
    p.spans.push_back({p.text.size(), 10, kImEnd});
    p.text += "<|im_end|>";
  }
  p.text += "\ntail";
  return p;
}

const std::string kSystem = "system\n" + std::string(600, 'x') + " ab abab <|im_start|> é";

TEST(TokenMemo, SameIdsAsTokenizePrompt) {
  for (bool add_bos : {false, true}) {
    const engine::Tokenizer tok = tokenizer(add_bos);
    TokenMemo memo(tok, size_t{1} << 20);
    for (const Prompt& p :
         {prompt({kSystem, "user\nhi"}), prompt({kSystem, "user\nhi", "assistant\nab"}), prompt({}),
          prompt({"user\n" + std::string(300, 'a') + "b"})}) {
      for (int pass = 0; pass < 2; ++pass) {
        EXPECT_EQ(memo.tokenize(p.text, p.spans), chat::tokenize_prompt(tok, p.text, p.spans))
            << "add_bos " << add_bos << " pass " << pass << ": " << p.text.substr(0, 40);
      }
    }
  }
}

TEST(TokenMemo, RepeatedLongStretchesComeFromTheMemo) {
  const engine::Tokenizer tok = tokenizer(false);
  TokenMemo memo(tok, size_t{1} << 20);
  const Prompt turn1 = prompt({kSystem, "user\nfirst"});
  const Prompt turn2 = prompt({kSystem, "user\nfirst", "assistant\nok", "user\nsecond"});
  (void)memo.tokenize(turn1.text, turn1.spans);
  EXPECT_EQ(memo.stats().misses, 1u);  // only the system stretch is long enough to keep
  EXPECT_EQ(memo.stats().hits, 0u);
  EXPECT_EQ(memo.stats().entries, 1u);
  (void)memo.tokenize(turn2.text, turn2.spans);
  EXPECT_EQ(memo.stats().misses, 1u);
  EXPECT_EQ(memo.stats().hits, 1u);
}

TEST(TokenMemo, StaysWithinItsBytesLeastRecentlyUsedOut) {
  const engine::Tokenizer tok = tokenizer(false);
  const std::string a(1000, 'a'), b(1000, 'b'), c(1000, 'c');
  // Each stretch costs its 1000 bytes of text plus 1000 ids (4000 bytes): two fit in 11000 bytes,
  // three do not.
  TokenMemo memo(tok, 11000);
  for (const std::string* s : {&a, &b, &a, &c}) (void)memo.tokenize(*s, {});
  EXPECT_EQ(memo.stats().entries, 2u);
  EXPECT_EQ(memo.stats().bytes, 10000u);
  (void)memo.tokenize(a, {});  // used after b: still there
  EXPECT_EQ(memo.stats().hits, 2u);
  (void)memo.tokenize(b, {});  // the least recently used: gone
  EXPECT_EQ(memo.stats().hits, 2u);
  EXPECT_EQ(memo.tokenize(b, {}), chat::tokenize_prompt(tok, b, {}));

  TokenMemo small(tok, 100);  // a stretch larger than the whole bound is never kept
  (void)small.tokenize(a, {});
  EXPECT_EQ(small.stats().entries, 0u);
  EXPECT_EQ(small.stats().bytes, 0u);
}

TEST(TokenMemo, FailsAsTheTokenizerDoes) {
  const engine::Tokenizer tok = tokenizer(false);
  TokenMemo memo(tok, size_t{1} << 20);
  const std::string broken = std::string(400, 'x') + "\xff";
  EXPECT_THROW((void)memo.tokenize(broken, {}), engine::TokenizerError);
  EXPECT_THROW((void)memo.tokenize(broken, {}), engine::TokenizerError);
  EXPECT_EQ(memo.stats().entries, 0u);
  EXPECT_THROW((void)memo.tokenize("short", {{3, 10, kImEnd}}), std::out_of_range);
}

}  // namespace
}  // namespace server
