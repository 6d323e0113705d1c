// UTF-8 decoding, character classes and NFC of the tokenizer's unicode.h.
#include <gtest/gtest.h>

#include "engine/tokenizer/unicode.h"
#include "tokenizer_test_util.h"

namespace engine::unicode {
namespace {

TEST(TokenizerUnicode, ReadsValidCharacters) {
  const auto p1 = read_utf8("A");
  EXPECT_EQ(p1.kind, Utf8Prefix::kComplete);
  EXPECT_EQ(p1.cp, 0x41u);
  const auto p2 = read_utf8("\xC3\xA9x");
  EXPECT_EQ(p2.length, 2);
  EXPECT_EQ(p2.cp, 0xE9u);
  const auto p3 = read_utf8("\xE4\xB8\xAD");
  EXPECT_EQ(p3.cp, 0x4E2Du);
  const auto p4 = read_utf8("\xF0\x9F\x98\x80");
  EXPECT_EQ(p4.length, 4);
  EXPECT_EQ(p4.cp, 0x1F600u);
  EXPECT_EQ(read_utf8("\xF4\x8F\xBF\xBF").cp, 0x10FFFFu);
}

TEST(TokenizerUnicode, RejectsMalformedSequences) {
  // Overlongs, surrogates, beyond U+10FFFF, stray continuation bytes, bytes never used.
  for (const char* bad : {"\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xE0\x9F\xBF", "\xED\xA0\x80",
                          "\xED\xBF\xBF", "\xF0\x80\x80\x80", "\xF4\x90\x80\x80",
                          "\xF5\x80\x80\x80", "\x80", "\xBF", "\xFE", "\xFF"}) {
    EXPECT_EQ(read_utf8(bad).kind, Utf8Prefix::kInvalid) << testing::PrintToString(bad);
  }
  // The maximal invalid subpart: a good start cut by a bad byte.
  EXPECT_EQ(read_utf8("\xE4\xB8x").length, 2);
  EXPECT_EQ(read_utf8("\xF0\x9F\x98x").length, 3);
  // A good start cut by the end of the bytes is incomplete, not invalid.
  EXPECT_EQ(read_utf8("\xE4\xB8").kind, Utf8Prefix::kIncomplete);
  EXPECT_EQ(read_utf8("\xF0").kind, Utf8Prefix::kIncomplete);
  EXPECT_EQ(find_invalid_utf8("ok \xC3\xA9 fine"), std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("ok\xC3"), 2u);
  EXPECT_EQ(find_invalid_utf8("abc\xFF"), 3u);
  EXPECT_EQ(find_invalid_utf8(std::string("a\0b", 3)), std::string_view::npos);
}

TEST(TokenizerUnicode, AppendUtf8RoundTrips) {
  for (uint32_t cp : {0x0u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
    std::string s;
    append_utf8(s, cp);
    const auto p = read_utf8(s);
    EXPECT_EQ(p.kind, Utf8Prefix::kComplete);
    EXPECT_EQ(p.cp, cp);
    EXPECT_EQ(p.length, s.size());
  }
}

TEST(TokenizerUnicode, Classes) {
  EXPECT_EQ(class_of('a') & kLetter, kLetter);
  EXPECT_EQ(class_of(0x4E2D) & kLetter, kLetter);  // 中
  EXPECT_EQ(class_of(0x00E9) & kLetter, kLetter);  // é
  EXPECT_EQ(class_of('7') & kNumber, kNumber);
  EXPECT_EQ(class_of(0x0663) & kNumber, kNumber);  // Arabic-Indic three
  EXPECT_EQ(class_of(0x00BD) & kNumber, kNumber);  // ½ (No)
  EXPECT_EQ(class_of(0x0301) & kMark, kMark);      // combining acute
  EXPECT_EQ(class_of(0x093F) & kMark, kMark);      // Devanagari vowel sign I (Mc)
  for (uint32_t ws : {0x9u, 0xAu, 0xBu, 0xCu, 0xDu, 0x20u, 0x85u, 0xA0u, 0x1680u, 0x2000u, 0x200Au,
                      0x2028u, 0x2029u, 0x202Fu, 0x205Fu, 0x3000u}) {
    EXPECT_EQ(class_of(ws) & kWhitespace, kWhitespace) << ws;
  }
  for (uint32_t not_ws : {0x200Bu, 0xFEFFu, 0x180Eu, 0x1Cu})
    EXPECT_EQ(class_of(not_ws) & kWhitespace, 0) << not_ws;
  EXPECT_EQ(class_of(0x1F600) & (kLetter | kNumber | kMark | kWhitespace), 0);  // emoji: none
  EXPECT_EQ(class_of(0x110000), 0);
  EXPECT_EQ(combining_class(0x0301), 230);
  EXPECT_EQ(combining_class(0x0323), 220);
  EXPECT_EQ(combining_class('a'), 0);
}

TEST(TokenizerUnicode, Nfc) {
  EXPECT_EQ(to_nfc("e\xCC\x81"), "\xC3\xA9");     // e + acute -> é
  EXPECT_EQ(to_nfc("\xE2\x84\xAB"), "\xC3\x85");  // Å sign (singleton) -> Å
  EXPECT_EQ(to_nfc("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB"), "\xED\x95\x9C");  // jamo -> 한
  // Marks in either order come out in canonical order, composed where they can be: ạ́.
  EXPECT_EQ(to_nfc("a\xCC\x81\xCC\xA3"), "\xE1\xBA\xA1\xCC\x81");
  EXPECT_EQ(to_nfc("a\xCC\xA3\xCC\x81"), "\xE1\xBA\xA1\xCC\x81");
  // Composition exclusions stay decomposed: U+0958 -> U+0915 U+093C.
  EXPECT_EQ(to_nfc("\xE0\xA5\x98"), "\xE0\xA4\x95\xE0\xA4\xBC");
  // A mark blocked by another of the same class does not compose.
  EXPECT_EQ(to_nfc("a\xCC\x81\xCC\x81"), "\xC3\xA1\xCC\x81");
  EXPECT_EQ(to_nfc(""), "");
  EXPECT_TRUE(is_nfc_quick("plain ASCII"));
  EXPECT_TRUE(is_nfc_quick("caf\xC3\xA9 \xE4\xB8\xAD"));
  EXPECT_FALSE(is_nfc_quick("cafe\xCC\x81"));
  EXPECT_FALSE(is_nfc_quick("\xE2\x84\xAB"));
}

// NFC is idempotent, on the translated catalogs and on the text with decomposed marks.
TEST(TokenizerUnicode, NfcOnTheCorpus) {
  const std::string text =
      tokenizer_test::read_file(tokenizer_test::corpus_dir() / "multilingual.txt");
  ASSERT_GT(text.size(), 100000u);
  const std::string nfc = to_nfc(text);
  EXPECT_EQ(to_nfc(nfc), nfc);
  const std::string mix =
      tokenizer_test::read_file(tokenizer_test::corpus_dir() / "unicode_mix.txt");
  const std::string mix_nfc = to_nfc(mix);
  EXPECT_NE(mix_nfc, mix);  // it holds decomposed text
  EXPECT_EQ(to_nfc(mix_nfc), mix_nfc);
}

}  // namespace
}  // namespace engine::unicode
