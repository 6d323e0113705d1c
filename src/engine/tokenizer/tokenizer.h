// engine::Tokenizer: byte-level BPE (GGUF tokenizer.ggml.model "gpt2"), as used by Qwen2.5/3/3.5,
// Llama 3 and GPT-2. Text -> ids: special tokens are matched first (longest at each position),
// the text between them is normalized (NFC where the model's tokenizer does so), split by the
// pre-tokenizer and each piece merged by BPE. Ids -> bytes: each token's bytes, concatenated.
// Immutable once built; encode and decode are safe to call from several threads at once.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/merge_table.h"
#include "engine/tokenizer/pre_tokenizer.h"
#include "engine/tokenizer/token_index.h"
#include "engine/tokenizer/vocab.h"

namespace engine {

class GgufFile;

struct EncodeOptions {
  // True: the text of CONTROL and USER_DEFINED tokens becomes those tokens. False: it is encoded as
  // plain text, like any other (for untrusted text, which must not be able to inject
  // <|im_start|> or <tool_call>).
  bool parse_special = true;
};

class Tokenizer {
 public:
  // Validates `vocab` and builds the tables; throws TokenizerError saying what is wrong.
  explicit Tokenizer(Vocab vocab);
  // From a GGUF file's tokenizer.ggml.* metadata (see tokenizer_gguf.cpp).
  static Tokenizer from_gguf(const GgufFile& file);
  // From a Hugging Face tokenizer.json and, optionally, its tokenizer_config.json.
  static Tokenizer from_hf_files(const std::filesystem::path& tokenizer_json,
                                 const std::filesystem::path& tokenizer_config = {});

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;
  ~Tokenizer();

  // Throws TokenizerError when `text` is not valid UTF-8 (naming the offset). Adds no BOS: callers
  // that want one check add_bos().
  std::vector<TokenId> encode(std::string_view text, const EncodeOptions& options = {}) const;
  void encode(std::string_view text, std::vector<TokenId>& out,
              const EncodeOptions& options = {}) const;

  // The bytes of the tokens, concatenated: special tokens as their text, unused tokens as nothing.
  // May end (or, for ids not produced by encode, be) in the middle of a UTF-8 character; see
  // TokenDecoder for text. Throws TokenizerError for an id outside the vocab.
  std::string decode(std::span<const TokenId> ids) const;
  // The bytes of one token; throws TokenizerError for an id outside the vocab.
  std::string_view token_bytes(TokenId id) const;

  size_t vocab_size() const { return tokens_.size(); }
  bool is_valid(TokenId id) const { return id >= 0 && static_cast<size_t>(id) < tokens_.size(); }
  // The token as the vocab spells it (byte-level encoded: "Ġthe" for " the"); throws for a bad id.
  const std::string& token_text(TokenId id) const;
  TokenType token_type(TokenId id) const;
  // The id whose vocab text is `text` exactly ("<|im_end|>", "Ġthe").
  std::optional<TokenId> find_token(std::string_view text) const;

  std::optional<TokenId> bos_id() const { return bos_id_; }
  std::optional<TokenId> eos_id() const { return eos_id_; }
  std::optional<TokenId> eot_id() const { return eot_id_; }
  std::optional<TokenId> pad_id() const { return pad_id_; }
  bool add_bos() const { return add_bos_; }
  // End of generation: eos, eot, eom, and the tokens llama.cpp ends on by their text
  // (<|im_end|>, <|endoftext|>, <|eot_id|>, the FIM pad/repo/file-separator tokens, ...).
  bool is_eog(TokenId id) const;
  const std::vector<TokenId>& eog_ids() const { return eog_ids_; }

  PreTokenizerKind pre_tokenizer() const { return pre_; }
  Normalization normalization() const { return normalization_; }
  bool ignore_merges() const { return ignore_merges_; }

 private:
  struct SpecialToken {
    std::string text;
    TokenId id;
  };
  struct SpecialMatch {
    size_t offset;  // npos: none
    size_t length;
    TokenId id;
  };

  void build_pieces();
  void build_merges(const std::vector<std::string>& merges);
  void build_specials();
  void build_eog(const Vocab& vocab);
  SpecialMatch find_special(std::string_view text, size_t from) const;
  struct EncodeScratch;  // per-call buffers and word cache (tokenizer.cpp)
  void encode_ordinary(std::string_view text, std::vector<TokenId>& out,
                       EncodeScratch& scratch) const;
  void encode_piece(std::string_view piece, std::vector<TokenId>& out,
                    EncodeScratch& scratch) const;
  void check_id(TokenId id) const;

  std::vector<std::string> tokens_;      // [n_vocab] vocab text
  std::vector<TokenType> types_;         // [n_vocab]
  std::string piece_pool_;               // the bytes of every token, back to back
  std::vector<uint32_t> piece_offsets_;  // [n_vocab + 1] token i: [offsets[i], offsets[i+1])
  TokenIndex text_index_;                // vocab text -> id
  TokenIndex normal_piece_index_;        // bytes of a kNormal token -> id (for ignore_merges)
  std::array<TokenId, 256> byte_ids_{};  // the token of each single byte
  MergeTable merges_;
  std::vector<SpecialToken> specials_;  // grouped by first byte, longest first within a group
  std::array<uint32_t, 257> special_begin_{};  // specials_ index range of each first byte

  PreTokenizerKind pre_ = PreTokenizerKind::kGpt2;
  Normalization normalization_ = Normalization::kNone;
  bool ignore_merges_ = false;
  bool add_bos_ = false;
  std::optional<TokenId> bos_id_, eos_id_, eot_id_, eom_id_, pad_id_;
  std::vector<TokenId> eog_ids_;  // sorted
};

}  // namespace engine
