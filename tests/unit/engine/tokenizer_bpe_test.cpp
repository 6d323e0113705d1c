// BPE on tiny hand-built vocabularies: merge order, ties, ignore_merges, the scan and heap merge
// loops agreeing, and special-token matching.
#include <gtest/gtest.h>

#include <random>

#include "engine/tokenizer/bpe_merge.h"
#include "tokenizer_test_util.h"

namespace engine {
namespace {

using tokenizer_test::byte_vocab;

// Ids of the extra tokens of byte_vocab start at 256.
constexpr TokenId kExtra = 256;

TEST(TokenizerBpe, MergesInRankOrder) {
  // "b c" outranks "a b": "abc" -> a + bc; then "a bc" merges to "abc".
  const Tokenizer tok(byte_vocab({"bc", "ab", "abc"}, {{"b", "c"}, {"a", "b"}, {"a", "bc"}}));
  EXPECT_EQ(tok.encode("abc"), (std::vector<TokenId>{kExtra + 2}));
  EXPECT_EQ(tok.encode("ab"), (std::vector<TokenId>{kExtra + 1}));
  EXPECT_EQ(tok.encode("abab"), (std::vector<TokenId>{kExtra + 1, kExtra + 1}));
  EXPECT_EQ(tok.encode("cab"), (std::vector<TokenId>{'c', kExtra + 1}));
  EXPECT_EQ(tok.encode("x"), (std::vector<TokenId>{'x'}));
  EXPECT_EQ(tok.encode(""), (std::vector<TokenId>{}));
}

TEST(TokenizerBpe, EqualRanksMergeLeftmostFirst) {
  const Tokenizer tok(byte_vocab({"aa"}, {{"a", "a"}}));
  EXPECT_EQ(tok.encode("aaa"), (std::vector<TokenId>{kExtra, 'a'}));
  EXPECT_EQ(tok.encode("aaaa"), (std::vector<TokenId>{kExtra, kExtra}));
}

TEST(TokenizerBpe, WordsAreMergedSeparately) {
  // The pre-tokenizer splits " b" from "a": no merge across pieces.
  const Tokenizer tok(byte_vocab({"a ", " b"}, {{"a", " "}, {" ", "b"}}));
  EXPECT_EQ(tok.encode("a b"), (std::vector<TokenId>{'a', kExtra + 1}));
}

TEST(TokenizerBpe, IgnoreMergesTakesWholeWords) {
  Vocab v = byte_vocab({"bc", "abc"}, {{"b", "c"}});
  const Tokenizer plain(v);
  EXPECT_EQ(plain.encode("abc"), (std::vector<TokenId>{'a', kExtra}));
  v.ignore_merges = true;
  const Tokenizer whole(std::move(v));
  EXPECT_EQ(whole.encode("abc"), (std::vector<TokenId>{kExtra + 1}));
  EXPECT_EQ(whole.encode("abcabc"), (std::vector<TokenId>{'a', kExtra, 'a', kExtra}));
}

// A random merge table over 12 base symbols; the scan and the heap must agree on random input.
TEST(TokenizerBpe, ScanAndHeapAgree) {
  std::mt19937 rng(1);
  for (int table = 0; table < 20; ++table) {
    MergeTable merges;
    merges.reserve(64);
    int32_t next_id = 12;
    std::vector<int32_t> known(12);
    for (int32_t i = 0; i < 12; ++i) known[i] = i;
    for (int32_t rank = 0; rank < 60; ++rank) {
      const int32_t l = known[rng() % known.size()], r = known[rng() % known.size()];
      if (merges.find(l, r)) continue;
      merges.insert(l, r, rank, next_id);
      known.push_back(next_id++);
    }
    for (int round = 0; round < 200; ++round) {
      std::vector<int32_t> ids(rng() % 120);
      for (auto& id : ids) id = static_cast<int32_t>(rng() % 4);  // few symbols: many merges
      std::vector<int32_t> scan = ids, heap = ids;
      bpe_merge_scan(merges, scan);
      bpe_merge_heap(merges, heap);
      ASSERT_EQ(scan, heap);
    }
  }
}

TEST(TokenizerBpe, MergeTableKeepsTheFirstRank) {
  MergeTable t;
  t.insert(1, 2, 5, 10);
  t.insert(1, 2, 9, 11);
  ASSERT_NE(t.find(1, 2), nullptr);
  EXPECT_EQ(t.find(1, 2)->rank, 5);
  EXPECT_EQ(t.find(1, 2)->result, 10);
  EXPECT_EQ(t.find(2, 1), nullptr);
  for (int32_t i = 0; i < 1000; ++i) t.insert(i, i + 1, i, i);  // grows without reserve
  EXPECT_EQ(t.find(999, 1000)->result, 999);
  EXPECT_EQ(t.size(), 1000u);
}

Vocab special_vocab() {
  Vocab v = byte_vocab({"<|a|>", "<|a|>x", "<t>", "<|b|>", "<|un|>"});
  v.types.assign(v.tokens.size(), TokenType::kNormal);
  v.types[kExtra] = TokenType::kControl;
  v.types[kExtra + 1] = TokenType::kControl;
  v.types[kExtra + 2] = TokenType::kUserDefined;
  v.types[kExtra + 3] = TokenType::kControl;
  v.types[kExtra + 4] = TokenType::kUnused;
  return v;
}

TEST(TokenizerBpe, SpecialTokensMatchLongestFirst) {
  const Tokenizer tok(special_vocab());
  const TokenId a = kExtra, ax = kExtra + 1, t = kExtra + 2, b = kExtra + 3;
  EXPECT_EQ(tok.encode("<|a|>"), (std::vector<TokenId>{a}));
  EXPECT_EQ(tok.encode("<|a|>x"), (std::vector<TokenId>{ax}));
  EXPECT_EQ(tok.encode("<|a|>y<t><|b|><|a|>"), (std::vector<TokenId>{a, 'y', t, b, a}));
  EXPECT_EQ(tok.encode("z<|a|"), (std::vector<TokenId>{'z', '<', '|', 'a', '|'}));
  // Unused tokens are never matched; they decode to nothing.
  EXPECT_EQ(tok.encode("<|un|>").size(), 6u);
  EXPECT_EQ(tok.token_bytes(kExtra + 4), "");
  // With parse_special off, all of it is text.
  const auto plain = tok.encode("<|a|>y<t>", {.parse_special = false});
  EXPECT_EQ(plain.size(), 9u);
  EXPECT_EQ(tok.decode(plain), "<|a|>y<t>");
  EXPECT_EQ(tok.decode(std::vector<TokenId>{a, 'y', t}), "<|a|>y<t>");
}

TEST(TokenizerBpe, EndOfGeneration) {
  Vocab v = byte_vocab({"<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|fim_pad|>", "<|other|>"});
  v.types.assign(v.tokens.size(), TokenType::kNormal);
  for (int i = 0; i < 5; ++i) v.types[kExtra + i] = TokenType::kControl;
  v.eos_id = 'E';  // any token named eos ends generation
  const Tokenizer tok(std::move(v));
  EXPECT_EQ(tok.eog_ids(), (std::vector<TokenId>{'E', kExtra, kExtra + 1, kExtra + 2, kExtra + 3}));
  EXPECT_EQ(tok.eot_id(), kExtra + 2);  // <|eot_id|> is preferred when none is named
  EXPECT_FALSE(tok.is_eog(kExtra + 4));
}

}  // namespace
}  // namespace engine
