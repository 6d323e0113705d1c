// The hand-written pre-tokenizers: hand-picked splits, and equality with the regexes run by PCRE2
// on the corpus and on random text.
#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "engine/tokenizer/pre_tokenizer.h"
#include "engine/tokenizer/unicode.h"
#include "tokenizer_pcre2_splitter.h"
#include "tokenizer_test_util.h"

namespace engine {
namespace {

using Pieces = std::vector<std::string>;

Pieces split(PreTokenizerKind kind, std::string_view text) {
  std::vector<std::string_view> views;
  pre_tokenize(kind, text, views);
  return Pieces(views.begin(), views.end());
}

constexpr PreTokenizerKind kAll[] = {PreTokenizerKind::kGpt2, PreTokenizerKind::kLlama3,
                                     PreTokenizerKind::kQwen2, PreTokenizerKind::kQwen35};

TEST(TokenizerPre, Names) {
  EXPECT_EQ(pre_tokenizer_from_name("qwen2"), PreTokenizerKind::kQwen2);
  EXPECT_EQ(pre_tokenizer_from_name("qwen35"), PreTokenizerKind::kQwen35);
  EXPECT_EQ(pre_tokenizer_from_name("llama-bpe"), PreTokenizerKind::kLlama3);
  EXPECT_EQ(pre_tokenizer_from_name("gpt-2"), PreTokenizerKind::kGpt2);
  EXPECT_EQ(pre_tokenizer_from_name("gpt2"), PreTokenizerKind::kGpt2);
  EXPECT_EQ(pre_tokenizer_from_name("deepseek-llm"), std::nullopt);
  EXPECT_EQ(pre_tokenizer_from_name(""), std::nullopt);
  EXPECT_EQ(pre_tokenizer_name(PreTokenizerKind::kLlama3), "llama-bpe");
}

TEST(TokenizerPre, Qwen2) {
  const auto q = PreTokenizerKind::kQwen2;
  EXPECT_EQ(split(q, "Hello world"), (Pieces{"Hello", " world"}));
  EXPECT_EQ(split(q, "I'm DON'T we'll 'S"),
            (Pieces{"I", "'m", " DON", "'T", " we", "'ll", " '", "S"}));
  EXPECT_EQ(split(q, "'stop"), (Pieces{"'s", "top"}));
  EXPECT_EQ(split(q, "12345 x1"), (Pieces{"1", "2", "3", "4", "5", " x", "1"}));  // one digit each
  EXPECT_EQ(split(q, "a  b"), (Pieces{"a", " ", " b"}));
  EXPECT_EQ(split(q, "a\n\n  b"), (Pieces{"a", "\n\n", " ", " b"}));
  EXPECT_EQ(split(q, "x  \n \t"), (Pieces{"x", "  \n", " \t"}));
  EXPECT_EQ(split(q, "x   "), (Pieces{"x", "   "}));
  EXPECT_EQ(split(q, "foo()!? bar"), (Pieces{"foo", "()!?", " bar"}));
  EXPECT_EQ(split(q, " ?!\n\nx"), (Pieces{" ?!\n\n", "x"}));
  EXPECT_EQ(split(q, "\tfoo (bar"), (Pieces{"\tfoo", " (", "bar"}));
  EXPECT_EQ(split(q, "(foo"), (Pieces{"(foo"}));
  EXPECT_EQ(split(q, "\r\nfoo"), (Pieces{"\r\n", "foo"}));
  EXPECT_EQ(split(q,
                  "a\xC2\xA0"
                  "b"),
            (Pieces{"a",
                    "\xC2\xA0"
                    "b"}));  // NBSP prefixes a word
  EXPECT_EQ(split(q, "\xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C\xE4\xB8\x96"),
            (Pieces{"\xE4\xBD\xA0\xE5\xA5\xBD", "\xEF\xBC\x8C\xE4\xB8\x96"}));  // 你好，世
  EXPECT_EQ(split(q, ""), Pieces{});
}

TEST(TokenizerPre, Llama3GroupsDigitsByThree) {
  EXPECT_EQ(split(PreTokenizerKind::kLlama3, "1234567 x"), (Pieces{"123", "456", "7", " x"}));
  EXPECT_EQ(split(PreTokenizerKind::kLlama3, "I'M"), (Pieces{"I", "'M"}));
}

TEST(TokenizerPre, Qwen35KeepsCombiningMarksInWords) {
  const std::string namaste =
      "\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87";
  EXPECT_EQ(split(PreTokenizerKind::kQwen35, namaste), (Pieces{namaste}));
  EXPECT_EQ(split(PreTokenizerKind::kQwen2, namaste).size(), 3u);  // split at the marks
  EXPECT_EQ(split(PreTokenizerKind::kQwen35, " e\xCC\x81t\xCC\x81"),
            (Pieces{" e\xCC\x81t\xCC\x81"}));
  EXPECT_EQ(split(PreTokenizerKind::kQwen2, " e\xCC\x81t"), (Pieces{" e", "\xCC\x81t"}));
}

TEST(TokenizerPre, Gpt2) {
  const auto g = PreTokenizerKind::kGpt2;
  EXPECT_EQ(split(g, "Hello  world"), (Pieces{"Hello", " ", " world"}));
  EXPECT_EQ(split(g, "I'M it's"), (Pieces{"I", "'", "M", " it", "'s"}));  // case-sensitive
  EXPECT_EQ(split(g, "a\n\nb"), (Pieces{"a", "\n", "\n", "b"}));
  EXPECT_EQ(split(g, "x 123456 !!"), (Pieces{"x", " 123456", " !!"}));
}

// Our pieces and PCRE2's, for every kind, on the whole corpus.
TEST(TokenizerPre, EqualsThePcre2RegexOnTheCorpus) {
  for (const auto& entry : std::filesystem::directory_iterator(tokenizer_test::corpus_dir())) {
    if (entry.path().extension() != ".txt") continue;
    const std::string text = tokenizer_test::read_file(entry.path());
    for (PreTokenizerKind kind : kAll) {
      std::vector<std::string_view> ours, theirs;
      pre_tokenize(kind, text, ours);
      tokenizer_test::Pcre2Splitter(kind).split(text, theirs);
      ASSERT_EQ(ours.size(), theirs.size()) << entry.path() << " " << pre_tokenizer_name(kind);
      for (size_t i = 0; i < ours.size(); ++i) {
        ASSERT_EQ(ours[i], theirs[i])
            << entry.path() << " " << pre_tokenizer_name(kind) << " piece " << i;
      }
    }
  }
}

// Random text drawn from characters that stress the alternatives: apostrophes and contraction
// letters, digits, spaces, newlines, Unicode spaces, letters, marks, punctuation, emoji.
TEST(TokenizerPre, EqualsThePcre2RegexOnRandomText) {
  const std::vector<std::string> alphabet = {"'",
                                             "s",
                                             "S",
                                             "t",
                                             "r",
                                             "e",
                                             "v",
                                             "m",
                                             "l",
                                             "L",
                                             "d",
                                             "a",
                                             "Z",
                                             "0",
                                             "9",
                                             " ",
                                             " ",
                                             "\n",
                                             "\r",
                                             "\t",
                                             "\v",
                                             "\xC2\xA0",
                                             "\xE3\x80\x80",
                                             "\xE2\x80\xA8",
                                             "\xC2\x85",
                                             ".",
                                             "!",
                                             "(",
                                             "\xCC\x81",
                                             "\xE0\xA5\x8D",
                                             "\xE0\xA4\xA8",
                                             "\xC3\xA9",
                                             "\xE4\xB8\xAD",
                                             "\xD9\xA3",
                                             "\xF0\x9F\x98\x80",
                                             "\xE2\x80\x8D",
                                             "\xC2\xBD",
                                             "_",
                                             "-"};
  std::vector<std::unique_ptr<tokenizer_test::Pcre2Splitter>> pcre2;
  for (PreTokenizerKind kind : kAll)
    pcre2.push_back(std::make_unique<tokenizer_test::Pcre2Splitter>(kind));
  std::mt19937 rng(42);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const int n = static_cast<int>(rng() % 24);
    for (int i = 0; i < n; ++i) text += alphabet[rng() % alphabet.size()];
    for (size_t k = 0; k < std::size(kAll); ++k) {
      const PreTokenizerKind kind = kAll[k];
      std::vector<std::string_view> ours, theirs;
      pre_tokenize(kind, text, ours);
      pcre2[k]->split(text, theirs);
      ASSERT_EQ(Pieces(ours.begin(), ours.end()), Pieces(theirs.begin(), theirs.end()))
          << pre_tokenizer_name(kind) << " on " << testing::PrintToString(text);
    }
  }
}

}  // namespace
}  // namespace engine
