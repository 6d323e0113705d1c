#include "engine/tokenizer/tokenizer.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>

#include "engine/tokenizer/bpe_merge.h"
#include "engine/tokenizer/byte_level.h"
#include "engine/tokenizer/unicode.h"

namespace engine {
namespace {

// Tokens that end generation by their text, as llama.cpp's llama-vocab.cpp decides EOG: the
// end-of-turn and end-of-text markers, and the FIM pad / repo / file-separator tokens.
constexpr std::string_view kEogTexts[] = {
    "<|eot_id|>",    "<|im_end|>",         "<|end|>",      "<end_of_turn>",
    "<|endoftext|>", "<|eom_id|>",         "<EOT>",        "<|end_of_text|>",
    "<|fim_pad|>",   "<fim-pad>",          "<fim_pad>",    "<|fim_repo|>",
    "<|repo_name|>", "<fim-repo>",         "<|file_sep|>", "<|return|>",
    "<|call|>",      "<end_of_utterance>",
};

// When the file names no eot token: the first of these that the vocab has.
constexpr std::string_view kEotTexts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
};

std::string shown(std::string_view s) {
  std::string out = "'";
  for (char c : s.substr(0, 60)) {
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02X", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + (s.size() > 60 ? "...'" : "'");
}

// The byte of a "<0x0A>" token, or -1.
int parse_byte_token(std::string_view text) {
  if (text.size() != 6 || !text.starts_with("<0x") || text.back() != '>') return -1;
  int value = 0;
  for (char c : text.substr(3, 2)) {
    const int digit = (c >= '0' && c <= '9')   ? c - '0'
                      : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                      : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                                               : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

// A direct-mapped cache of piece -> ids for one encode call: code and prose repeat their words,
// and a hit skips BPE. Short pieces with few ids only; a collision just overwrites.
class WordCache {
 public:
  static constexpr size_t kSlots = 4096;  // power of two
  static constexpr size_t kMaxBytes = 22;
  static constexpr size_t kMaxIds = 6;

  bool find(std::string_view piece, std::vector<TokenId>& out) const {
    if (piece.size() > kMaxBytes) return false;
    const Slot& s = slots_[slot_of(piece)];
    if (s.n_bytes != piece.size() || std::memcmp(s.bytes, piece.data(), piece.size()) != 0) {
      return false;
    }
    out.insert(out.end(), s.ids, s.ids + s.n_ids);
    return true;
  }

  void store(std::string_view piece, std::span<const TokenId> ids) {
    if (piece.size() > kMaxBytes || ids.size() > kMaxIds) return;
    Slot& s = slots_[slot_of(piece)];
    s.n_bytes = static_cast<uint8_t>(piece.size());
    s.n_ids = static_cast<uint8_t>(ids.size());
    std::memcpy(s.bytes, piece.data(), piece.size());
    std::copy(ids.begin(), ids.end(), s.ids);
  }

 private:
  struct Slot {
    uint8_t n_bytes = 0;  // 0: empty (pieces are never empty)
    uint8_t n_ids = 0;
    char bytes[kMaxBytes];
    TokenId ids[kMaxIds];
  };
  static size_t slot_of(std::string_view piece) {
    uint64_t h = 0xCBF29CE484222325ull;
    for (char c : piece) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001B3ull;
    return (h ^ (h >> 32)) & (kSlots - 1);
  }
  std::vector<Slot> slots_ = std::vector<Slot>(kSlots);
};

// Texts shorter than this are not worth a cache.
constexpr size_t kCacheMinText = 4096;

}  // namespace

struct Tokenizer::EncodeScratch {
  std::optional<WordCache> cache;
  std::vector<std::string_view> pieces;
  std::vector<TokenId> ids;
};

Tokenizer::Tokenizer(Vocab vocab) {
  if (vocab.model != "gpt2") {
    throw TokenizerError("unsupported tokenizer model '" + vocab.model +
                         "': only 'gpt2' (byte-level BPE) is supported");
  }
  const auto pre = pre_tokenizer_from_name(vocab.pre);
  if (!pre) {
    throw TokenizerError("unknown pre-tokenizer '" + vocab.pre + "': supported are " +
                         supported_pre_tokenizer_names());
  }
  pre_ = *pre;
  const bool llama3 = pre_ == PreTokenizerKind::kLlama3;
  const bool qwen = pre_ == PreTokenizerKind::kQwen2 || pre_ == PreTokenizerKind::kQwen35;
  normalization_ = vocab.normalization.value_or(qwen ? Normalization::kNfc : Normalization::kNone);
  ignore_merges_ = vocab.ignore_merges.value_or(llama3);
  add_bos_ = vocab.add_bos.value_or(llama3);

  if (vocab.tokens.empty()) throw TokenizerError("the vocab has no tokens");
  if (vocab.tokens.size() > static_cast<size_t>(std::numeric_limits<TokenId>::max())) {
    throw TokenizerError("the vocab has " + std::to_string(vocab.tokens.size()) +
                         " tokens, more than token ids can number");
  }
  if (!vocab.types.empty() && vocab.types.size() != vocab.tokens.size()) {
    throw TokenizerError("the vocab has " + std::to_string(vocab.tokens.size()) + " tokens but " +
                         std::to_string(vocab.types.size()) + " token types; expected one each");
  }
  tokens_ = std::move(vocab.tokens);
  types_ = vocab.types.empty() ? std::vector<TokenType>(tokens_.size(), TokenType::kNormal)
                               : std::move(vocab.types);
  for (size_t i = 0; i < types_.size(); ++i) {
    const auto t = static_cast<int32_t>(types_[i]);
    if (t < 0 || t > static_cast<int32_t>(TokenType::kByte)) {
      throw TokenizerError("token " + std::to_string(i) + " has type " + std::to_string(t) +
                           "; expected 0..6 (GGUF token types)");
    }
  }

  const auto n_tokens = static_cast<TokenId>(tokens_.size());
  if (const auto repeated = text_index_.build(
          n_tokens, [&](TokenId id) -> std::string_view { return tokens_[id]; })) {
    const TokenId first = *find_token(tokens_[*repeated]);
    throw TokenizerError("token " + std::to_string(*repeated) + " " + shown(tokens_[*repeated]) +
                         " repeats token " + std::to_string(first));
  }
  for (int b = 0; b < 256; ++b) {
    std::string text;
    unicode::append_utf8(text, byte_to_codepoint(static_cast<uint8_t>(b)));
    const auto id = find_token(text);
    if (!id) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "0x%02X", b);
      throw TokenizerError(std::string("the vocab has no token for byte ") + hex + " ('" + text +
                           "'); a byte-level BPE vocab needs all 256");
    }
    byte_ids_[b] = *id;
  }

  build_pieces();
  build_merges(vocab.merges);
  build_specials();

  const auto special_id = [&](const char* key, std::optional<TokenId> id) {
    if (id && !is_valid(*id)) {
      throw TokenizerError(std::string(key) + " is " + std::to_string(*id) +
                           ", outside the vocab of " + std::to_string(tokens_.size()) + " tokens");
    }
    return id;
  };
  bos_id_ = special_id("the bos token id", vocab.bos_id);
  eos_id_ = special_id("the eos token id", vocab.eos_id);
  eot_id_ = special_id("the eot token id", vocab.eot_id);
  eom_id_ = special_id("the eom token id", vocab.eom_id);
  pad_id_ = special_id("the padding token id", vocab.pad_id);
  if (add_bos_ && !bos_id_) {
    throw TokenizerError("the vocab asks for a BOS token (add_bos_token) but names none");
  }
  build_eog(vocab);
}

Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

void Tokenizer::build_pieces() {
  piece_offsets_.reserve(tokens_.size() + 1);
  piece_offsets_.push_back(0);
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const std::string& text = tokens_[i];
    switch (types_[i]) {
      case TokenType::kNormal:
        piece_pool_ += byte_level_decode(text);
        break;
      case TokenType::kByte:
        if (const int b = parse_byte_token(text); b >= 0) {
          piece_pool_.push_back(static_cast<char>(b));
        } else {
          piece_pool_ += byte_level_decode(text);
        }
        break;
      case TokenType::kControl:
      case TokenType::kUserDefined:
      case TokenType::kUnknown:
        piece_pool_ += text;
        break;
      case TokenType::kUnused:
      case TokenType::kUndefined:
        break;
    }
    if (piece_pool_.size() > std::numeric_limits<uint32_t>::max()) {
      throw TokenizerError("the vocab's tokens hold more than 4 GiB of text");
    }
    piece_offsets_.push_back(static_cast<uint32_t>(piece_pool_.size()));
  }
  if (ignore_merges_) {  // the first of tokens with the same bytes wins, as in llama.cpp's map
    (void)normal_piece_index_.build(static_cast<TokenId>(tokens_.size()), [&](TokenId id) {
      return types_[id] == TokenType::kNormal ? token_bytes(id) : std::string_view();
    });
  }
}

void Tokenizer::build_merges(const std::vector<std::string>& merges) {
  if (merges.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    throw TokenizerError("the vocab has too many merges: " + std::to_string(merges.size()));
  }
  merges_.reserve(merges.size());
  std::string joined;
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const std::string& merge = merges[rank];
    const auto fail = [&](const std::string& why) {
      throw TokenizerError("merge " + std::to_string(rank) + " " + shown(merge) + ": " + why);
    };
    // As llama.cpp: the first space after the first character separates the parts.
    const size_t space = merge.find(' ', 1);
    if (space == std::string::npos || space + 1 >= merge.size()) {
      fail("expected two tokens separated by a space");
    }
    const std::string_view left(merge.data(), space);
    const std::string_view right(merge.data() + space + 1, merge.size() - space - 1);
    const auto left_id = find_token(left);
    const auto right_id = find_token(right);
    joined.assign(left).append(right);
    const auto result_id = find_token(joined);
    if (!left_id) fail(shown(left) + " is not in the vocab");
    if (!right_id) fail(shown(right) + " is not in the vocab");
    if (!result_id) fail("the merged token " + shown(joined) + " is not in the vocab");
    merges_.insert(*left_id, *right_id, static_cast<int32_t>(rank), *result_id);
  }
}

void Tokenizer::build_specials() {
  for (size_t i = 0; i < tokens_.size(); ++i) {
    if ((types_[i] == TokenType::kControl || types_[i] == TokenType::kUserDefined) &&
        !tokens_[i].empty()) {
      specials_.push_back({tokens_[i], static_cast<TokenId>(i)});
    }
  }
  std::sort(specials_.begin(), specials_.end(), [](const SpecialToken& a, const SpecialToken& b) {
    const auto fa = static_cast<uint8_t>(a.text[0]), fb = static_cast<uint8_t>(b.text[0]);
    if (fa != fb) return fa < fb;
    if (a.text.size() != b.text.size()) return a.text.size() > b.text.size();
    return a.id < b.id;
  });
  size_t k = 0;
  for (int b = 0; b <= 256; ++b) {
    while (b < 256 && k < specials_.size() && static_cast<uint8_t>(specials_[k].text[0]) < b) ++k;
    special_begin_[b] = static_cast<uint32_t>(b < 256 ? k : specials_.size());
  }
}

void Tokenizer::build_eog(const Vocab& vocab) {
  if (!vocab.eot_id) {
    for (std::string_view text : kEotTexts) {
      if ((eot_id_ = find_token(text))) break;
    }
  }
  for (const auto& id : {eos_id_, eot_id_, eom_id_}) {
    if (id) eog_ids_.push_back(*id);
  }
  for (std::string_view text : kEogTexts) {
    if (const auto id = find_token(text)) eog_ids_.push_back(*id);
  }
  std::sort(eog_ids_.begin(), eog_ids_.end());
  eog_ids_.erase(std::unique(eog_ids_.begin(), eog_ids_.end()), eog_ids_.end());
}

bool Tokenizer::is_eog(TokenId id) const {
  return std::binary_search(eog_ids_.begin(), eog_ids_.end(), id);
}

void Tokenizer::check_id(TokenId id) const {
  if (!is_valid(id)) {
    throw TokenizerError("token id " + std::to_string(id) + " is outside the vocab: expected 0.." +
                         std::to_string(tokens_.size() - 1));
  }
}

const std::string& Tokenizer::token_text(TokenId id) const {
  check_id(id);
  return tokens_[static_cast<size_t>(id)];
}

TokenType Tokenizer::token_type(TokenId id) const {
  check_id(id);
  return types_[static_cast<size_t>(id)];
}

std::string_view Tokenizer::token_bytes(TokenId id) const {
  check_id(id);
  const auto i = static_cast<size_t>(id);
  return std::string_view(piece_pool_)
      .substr(piece_offsets_[i], piece_offsets_[i + 1] - piece_offsets_[i]);
}

std::optional<TokenId> Tokenizer::find_token(std::string_view text) const {
  return text_index_.find(text, [&](TokenId id) -> std::string_view { return tokens_[id]; });
}

std::string Tokenizer::decode(std::span<const TokenId> ids) const {
  std::string out;
  for (TokenId id : ids) out += token_bytes(id);
  return out;
}

std::vector<TokenId> Tokenizer::encode(std::string_view text, const EncodeOptions& options) const {
  std::vector<TokenId> out;
  encode(text, out, options);
  return out;
}

void Tokenizer::encode(std::string_view text, std::vector<TokenId>& out,
                       const EncodeOptions& options) const {
  if (const size_t bad = unicode::find_invalid_utf8(text); bad != std::string_view::npos) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "0x%02X", static_cast<unsigned char>(text[bad]));
    throw TokenizerError("text is not valid UTF-8: byte " + std::string(hex) + " at offset " +
                         std::to_string(bad) + " does not start a valid character");
  }
  EncodeScratch scratch;
  if (text.size() >= kCacheMinText) scratch.cache.emplace();
  size_t pos = 0;
  while (pos < text.size()) {
    const SpecialMatch m = options.parse_special ? find_special(text, pos)
                                                 : SpecialMatch{std::string_view::npos, 0, 0};
    const size_t end = m.offset == std::string_view::npos ? text.size() : m.offset;
    encode_ordinary(text.substr(pos, end - pos), out, scratch);
    if (m.offset == std::string_view::npos) break;
    out.push_back(m.id);
    pos = m.offset + m.length;
  }
}

Tokenizer::SpecialMatch Tokenizer::find_special(std::string_view text, size_t from) const {
  if (specials_.empty()) return {std::string_view::npos, 0, 0};
  for (size_t pos = from; pos < text.size(); ++pos) {
    const auto b = static_cast<uint8_t>(text[pos]);
    for (uint32_t k = special_begin_[b]; k < special_begin_[b + 1]; ++k) {  // longest first
      const std::string& s = specials_[k].text;
      if (text.compare(pos, s.size(), s) == 0) return {pos, s.size(), specials_[k].id};
    }
  }
  return {std::string_view::npos, 0, 0};
}

void Tokenizer::encode_ordinary(std::string_view text, std::vector<TokenId>& out,
                                EncodeScratch& scratch) const {
  if (text.empty()) return;
  std::string normalized;
  if (normalization_ == Normalization::kNfc && !unicode::is_nfc_quick(text)) {
    normalized = unicode::to_nfc(text);
    text = normalized;
  }
  scratch.pieces.clear();
  pre_tokenize(pre_, text, scratch.pieces);
  for (std::string_view piece : scratch.pieces) encode_piece(piece, out, scratch);
}

void Tokenizer::encode_piece(std::string_view piece, std::vector<TokenId>& out,
                             EncodeScratch& scratch) const {
  if (ignore_merges_) {
    const auto id = normal_piece_index_.find(piece, [&](TokenId i) { return token_bytes(i); });
    if (id) {
      out.push_back(*id);
      return;
    }
  }
  if (piece.size() == 1) {
    out.push_back(byte_ids_[static_cast<uint8_t>(piece[0])]);
    return;
  }
  if (scratch.cache && scratch.cache->find(piece, out)) return;
  std::vector<TokenId>& ids = scratch.ids;
  ids.resize(piece.size());
  for (size_t i = 0; i < piece.size(); ++i) ids[i] = byte_ids_[static_cast<uint8_t>(piece[i])];
  bpe_merge(merges_, ids);
  out.insert(out.end(), ids.begin(), ids.end());
  if (scratch.cache) scratch.cache->store(piece, ids);
}

}  // namespace engine
