// Validation of vocabularies (every error says what is wrong) and the GGUF and tokenizer.json
// loaders.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <fstream>
#include <functional>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "tokenizer_test_util.h"

namespace engine {
namespace {

using tokenizer_test::byte_vocab;

// The message of the TokenizerError that building `vocab` throws.
std::string error_of(Vocab vocab) {
  try {
    const Tokenizer tok(std::move(vocab));
  } catch (const TokenizerError& e) {
    return e.what();
  }
  return "(no error)";
}

MATCHER_P(Says, text, "") {
  return arg.find(text) != std::string::npos;
}

TEST(TokenizerVocab, RefusesWhatItCannotUse) {
  Vocab v = byte_vocab();
  v.pre = "falcon";
  EXPECT_THAT(error_of(v), Says("unknown pre-tokenizer 'falcon': supported are gpt-2"));
  v = byte_vocab();
  v.model = "llama";
  EXPECT_THAT(error_of(v), Says("unsupported tokenizer model 'llama'"));
  v = byte_vocab({"\xC4\x8A"});  // "Ċ", the spelling of byte 0x0A, again
  v.tokens.back() = v.tokens[10];
  EXPECT_THAT(error_of(v), Says("token 256 'Ċ' repeats token 10"));
  v = byte_vocab();
  v.tokens[32] = "xyz";
  EXPECT_THAT(error_of(v), Says("no token for byte 0x20"));
  v = byte_vocab();
  v.merges = {"ab"};
  EXPECT_THAT(error_of(v), Says("merge 0 'ab': expected two tokens separated by a space"));
  v = byte_vocab();
  v.merges = {"a b"};
  EXPECT_THAT(error_of(v), Says("the merged token 'ab' is not in the vocab"));
  v = byte_vocab({"ab"});
  v.merges = {"a q1"};
  EXPECT_THAT(error_of(v), Says("'q1' is not in the vocab"));
  v = byte_vocab();
  v.types.assign(3, TokenType::kNormal);
  EXPECT_THAT(error_of(v), Says("256 tokens but 3 token types"));
  v = byte_vocab();
  v.types.assign(256, TokenType::kNormal);
  v.types[7] = static_cast<TokenType>(42);
  EXPECT_THAT(error_of(v), Says("token 7 has type 42"));
  v = byte_vocab();
  v.eos_id = 256;
  EXPECT_THAT(error_of(v), Says("the eos token id is 256, outside the vocab of 256 tokens"));
  v = byte_vocab();
  v.add_bos = true;
  EXPECT_THAT(error_of(v), Says("names none"));
  v = byte_vocab();
  v.tokens.clear();
  EXPECT_THAT(error_of(v), Says("no tokens"));
}

TEST(TokenizerVocab, DefaultsFollowThePreTokenizer) {
  Vocab v = byte_vocab({}, {}, "llama-bpe");
  v.bos_id = 1;
  v.normalization.reset();
  const Tokenizer llama(v);
  EXPECT_TRUE(llama.add_bos());
  EXPECT_TRUE(llama.ignore_merges());
  EXPECT_EQ(llama.normalization(), Normalization::kNone);
  Vocab q = byte_vocab({}, {}, "qwen35");
  q.normalization.reset();
  const Tokenizer qwen(q);
  EXPECT_FALSE(qwen.add_bos());
  EXPECT_FALSE(qwen.ignore_merges());
  EXPECT_EQ(qwen.normalization(), Normalization::kNfc);
  EXPECT_EQ(qwen.pre_tokenizer(), PreTokenizerKind::kQwen35);
}

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::path(AL_BUILD_DIR) / (name + "_" + std::to_string(::getpid()) + ".gguf");
}

// A GGUF file with a small vocab; `edit` changes the writer before it writes.
Tokenizer load_gguf(const std::function<void(GgufWriter&)>& edit) {
  const Vocab v = byte_vocab({"ab", "<|end|>"}, {{"a", "b"}});
  GgufWriter w;
  w.set_string("general.architecture", "qwen3");
  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_string("tokenizer.ggml.pre", "qwen2");
  w.set_array("tokenizer.ggml.tokens", v.tokens);
  std::vector<int32_t> types(v.tokens.size(), 1);
  types.back() = 3;
  w.set_array("tokenizer.ggml.token_type", types);
  w.set_array("tokenizer.ggml.merges", v.merges);
  w.set_u32("tokenizer.ggml.eos_token_id", 257);
  w.set_u32("tokenizer.ggml.bos_token_id", 'B');
  w.set_bool("tokenizer.ggml.add_bos_token", true);
  edit(w);
  const auto path = temp_path("tokenizer_vocab");
  w.write(path);
  struct Remove {
    std::filesystem::path p;
    ~Remove() { std::filesystem::remove(p); }
  } remove{path};
  const GgufFile file = GgufFile::open(path);
  return Tokenizer::from_gguf(file);
}

TEST(TokenizerVocab, FromGguf) {
  const Tokenizer tok = load_gguf([](GgufWriter&) {});
  EXPECT_EQ(tok.vocab_size(), 258u);
  EXPECT_EQ(tok.encode("xab<|end|>"), (std::vector<TokenId>{'x', 256, 257}));
  EXPECT_EQ(tok.eos_id(), 257);
  EXPECT_EQ(tok.bos_id(), 'B');
  EXPECT_TRUE(tok.add_bos());
  EXPECT_TRUE(tok.is_eog(257));
  EXPECT_EQ(tok.token_type(257), TokenType::kControl);
}

std::string gguf_error(const std::function<void(GgufWriter&)>& edit) {
  try {
    (void)load_gguf(edit);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TokenizerVocab, GgufErrorsNameTheFileAndKey) {
  EXPECT_THAT(gguf_error([](GgufWriter& w) { w.set_string("tokenizer.ggml.pre", "wat"); }),
              Says("unknown pre-tokenizer 'wat'"));
  EXPECT_THAT(gguf_error([](GgufWriter& w) { w.set_string("tokenizer.ggml.model", "llama"); }),
              Says("tokenizer_vocab_"));
  EXPECT_THAT(gguf_error([](GgufWriter& w) { w.set_u32("tokenizer.ggml.eos_token_id", 99999); }),
              Says("the eos token id is 99999, outside the vocab of 258 tokens"));
  EXPECT_THAT(gguf_error([](GgufWriter& w) {
                w.set_array("tokenizer.ggml.token_type", std::vector<int32_t>(258, 9));
              }),
              Says("tokenizer.ggml.token_type[0] is 9"));
  EXPECT_THAT(gguf_error([](GgufWriter& w) {
                w.set_array("tokenizer.ggml.merges", std::vector<std::string>{"a"});
              }),
              Says("merge 0 'a'"));
  // A missing key: rewrite the file without tokenizer.ggml.pre.
  GgufWriter w;
  w.set_string("tokenizer.ggml.model", "gpt2");
  const auto path = temp_path("tokenizer_nopre");
  w.write(path);
  try {
    const GgufFile file = GgufFile::open(path);
    (void)Tokenizer::from_gguf(file);
    ADD_FAILURE() << "expected an error";
  } catch (const TokenizerError& e) {
    EXPECT_THAT(std::string(e.what()), Says("no tokenizer.ggml.pre"));
  }
  std::filesystem::remove(path);
}

TEST(TokenizerVocab, FromHfFilesErrors) {
  const auto dir = std::filesystem::path(AL_BUILD_DIR);
  const auto path = dir / ("tokenizer_bad_" + std::to_string(::getpid()) + ".json");
  const auto write = [&](const std::string& text) { std::ofstream(path) << text; };
  const auto error = [&]() -> std::string {
    try {
      (void)Tokenizer::from_hf_files(path);
    } catch (const TokenizerError& e) {
      return e.what();
    }
    return "(no error)";
  };
  write("{not json");
  EXPECT_THAT(error(), Says("not valid JSON"));
  write(R"({"model": {"type": "Unigram"}})");
  EXPECT_THAT(error(), Says("model type 'Unigram' is not supported"));
  write(R"({"model": {"type": "BPE", "vocab": {}, "merges": []},
            "pre_tokenizer": {"type": "Whitespace"}})");
  EXPECT_THAT(error(), Says("unsupported pre_tokenizer"));
  std::filesystem::remove(path);
  EXPECT_THAT(error(), Says("cannot open"));
}

}  // namespace
}  // namespace engine
