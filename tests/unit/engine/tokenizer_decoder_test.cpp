// The streaming decoder: never half a character, at every split point of multi-byte characters;
// invalid bytes as U+FFFD; nothing held forever.
#include <gtest/gtest.h>

#include "engine/tokenizer/token_decoder.h"
#include "engine/tokenizer/unicode.h"
#include "tokenizer_test_util.h"

namespace engine {
namespace {

using tokenizer_test::byte_vocab;

const std::string kReplacement = "\xEF\xBF\xBD";

// Texts with 2-, 3- and 4-byte characters and a ZWJ sequence.
const std::vector<std::string> kTexts = {
    "caf\xC3\xA9", "\xE4\xB8\xAD\xE6\x96\x87", "a\xF0\x9F\x98\x80z",
    "\xF0\x9F\xA7\x91\xE2\x80\x8D\xF0\x9F\x92\xBB!", "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"};

// Every split of each text into two tokens (plus single-byte tokens): the decoder's pieces are
// whole characters and add up to the text.
TEST(TokenizerDecoder, EverySplitPointOfMultiByteCharacters) {
  std::vector<std::string> extra;
  for (const auto& t : kTexts) {
    for (size_t k = 1; k < t.size(); ++k) {
      extra.push_back(t.substr(0, k));
      extra.push_back(t.substr(k));
    }
  }
  std::sort(extra.begin(), extra.end());
  extra.erase(std::unique(extra.begin(), extra.end()), extra.end());
  std::erase_if(extra, [](const std::string& s) { return s.size() == 1; });  // byte tokens exist
  Vocab v = byte_vocab(extra);
  const Tokenizer tok(std::move(v));
  const auto id_of = [&](const std::string& bytes) {
    const auto id = tok.find_token(byte_level_encode(bytes));
    EXPECT_TRUE(id.has_value()) << bytes;
    return id.value_or(0);
  };
  for (const auto& t : kTexts) {
    for (size_t k = 1; k < t.size(); ++k) {
      TokenDecoder d(tok);
      const std::string first = d.feed(id_of(t.substr(0, k)));
      const std::string second = d.feed(id_of(t.substr(k)));
      EXPECT_EQ(unicode::find_invalid_utf8(first), std::string::npos);
      EXPECT_EQ(unicode::find_invalid_utf8(second), std::string::npos);
      EXPECT_EQ(first + second, t) << "split at " << k;
      EXPECT_EQ(d.pending_size(), 0u);
      EXPECT_EQ(d.finish(), "");
    }
    // One byte token at a time.
    TokenDecoder d(tok);
    std::string out;
    for (char c : t) {
      const std::string piece = d.feed(static_cast<unsigned char>(c));
      EXPECT_EQ(unicode::find_invalid_utf8(piece), std::string::npos);
      EXPECT_LE(d.pending_size(), 3u);
      out += piece;
    }
    EXPECT_EQ(out, t);
  }
}

TEST(TokenizerDecoder, InvalidBytesBecomeReplacementCharacters) {
  const Tokenizer tok(byte_vocab());
  TokenDecoder d(tok);
  EXPECT_EQ(d.feed(0xFF), kReplacement);       // never valid
  EXPECT_EQ(d.feed(0x80), kReplacement);       // stray continuation byte
  EXPECT_EQ(d.feed(0xE4), "");                 // a start: held
  EXPECT_EQ(d.feed('a'), kReplacement + "a");  // cut short by a non-continuation byte
  EXPECT_EQ(d.feed(0xED), "");
  EXPECT_EQ(d.feed(0xA0), kReplacement + kReplacement);  // a surrogate: invalid at its 2nd byte
  EXPECT_EQ(d.feed(0xF0), "");
  EXPECT_EQ(d.feed(0x9F), "");
  EXPECT_EQ(d.pending_size(), 2u);
  EXPECT_EQ(d.finish(), kReplacement);  // the stream ended inside a character
  EXPECT_EQ(d.pending_size(), 0u);
  EXPECT_EQ(d.finish(), "");
}

TEST(TokenizerDecoder, BadIdThrowsAndKeepsState) {
  const Tokenizer tok(byte_vocab());
  TokenDecoder d(tok);
  EXPECT_EQ(d.feed(0xC3), "");
  EXPECT_THROW((void)d.feed(100000), TokenizerError);
  EXPECT_THROW((void)d.feed(-5), TokenizerError);
  EXPECT_EQ(d.feed(0xA9), "\xC3\xA9");
}

TEST(TokenizerDecoder, AppendValidUtf8) {
  std::string out;
  EXPECT_EQ(append_valid_utf8("ab\xE4\xB8", out), 2u);
  EXPECT_EQ(out, "ab");
  out.clear();
  EXPECT_EQ(append_valid_utf8("\xC0\xAF"
                              "x",
                              out),
            0u);  // overlong: two invalid bytes
  EXPECT_EQ(out, kReplacement + kReplacement + "x");
}

}  // namespace
}  // namespace engine
