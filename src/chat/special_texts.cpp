#include "chat/special_texts.h"

#include <algorithm>
#include <numeric>

namespace chat {
namespace {

constexpr char32_t kEscape = 0x10FFFD;
constexpr char32_t kCut = 0x10FFFC;
constexpr char32_t kFirstCode = 0x100000;
constexpr size_t kMaxSpecials = kCut - kFirstCode;  // codes U+100000 .. U+10FFFB

void append_utf8(std::string& out, char32_t c) {  // 4-byte sequences only (plane 16)
  out += static_cast<char>(0xF0 | (c >> 18));
  out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
  out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
  out += static_cast<char>(0x80 | (c & 0x3F));
}

// The plane-16 code point encoded at `pos`, or 0 if the 4 bytes there are not one.
char32_t plane16_at(std::string_view s, size_t pos) {
  if (pos + 4 > s.size() || static_cast<uint8_t>(s[pos]) != 0xF4) return 0;
  const auto b1 = static_cast<uint8_t>(s[pos + 1]), b2 = static_cast<uint8_t>(s[pos + 2]),
             b3 = static_cast<uint8_t>(s[pos + 3]);
  if (b1 < 0x80 || b1 > 0x8F || (b2 & 0xC0) != 0x80 || (b3 & 0xC0) != 0x80) return 0;
  return (char32_t{4} << 18) | (char32_t{b1 & 0x3Fu} << 12) | (char32_t{b2 & 0x3Fu} << 6) |
         (b3 & 0x3Fu);
}

}  // namespace

SpecialTexts::SpecialTexts(std::vector<SpecialToken> tokens) {
  std::erase_if(tokens, [](const SpecialToken& t) { return t.text.empty(); });
  if (tokens.size() > kMaxSpecials) {
    throw std::invalid_argument("a vocabulary with " + std::to_string(tokens.size()) +
                                " special tokens; at most " + std::to_string(kMaxSpecials) +
                                " are supported");
  }
  std::vector<size_t> order(tokens.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto fa = static_cast<uint8_t>(tokens[a].text[0]),
               fb = static_cast<uint8_t>(tokens[b].text[0]);
    if (fa != fb) return fa < fb;
    if (tokens[a].text.size() != tokens[b].text.size()) {
      return tokens[a].text.size() > tokens[b].text.size();
    }
    return tokens[a].id < tokens[b].id;
  });
  by_escape_.resize(tokens.size());
  for (size_t k = 0; k < order.size(); ++k) {
    tokens_.push_back(tokens[order[k]]);
    original_.push_back(order[k]);
    by_escape_[order[k]] = k;
  }
  size_t k = 0;
  for (int b = 0; b <= 256; ++b) {
    while (b < 256 && k < tokens_.size() && static_cast<uint8_t>(tokens_[k].text[0]) < b) ++k;
    begin_[b] = static_cast<uint32_t>(b < 256 ? k : tokens_.size());
  }
}

SpecialTexts SpecialTexts::from_tokenizer(const engine::Tokenizer& tokenizer) {
  std::vector<SpecialToken> tokens;
  for (size_t i = 0; i < tokenizer.vocab_size(); ++i) {
    const auto id = static_cast<engine::TokenId>(i);
    const engine::TokenType type = tokenizer.token_type(id);
    if (type == engine::TokenType::kControl || type == engine::TokenType::kUserDefined) {
      tokens.push_back({tokenizer.token_text(id), id});
    }
  }
  return SpecialTexts(std::move(tokens));
}

const SpecialToken* SpecialTexts::match_at(std::string_view text, size_t pos) const {
  if (pos >= text.size()) return nullptr;
  const auto b = static_cast<uint8_t>(text[pos]);
  for (uint32_t k = begin_[b]; k < begin_[b + 1]; ++k) {
    const std::string& s = tokens_[k].text;
    if (text.compare(pos, s.size(), s) == 0) return &tokens_[k];
  }
  return nullptr;
}

const SpecialToken* SpecialTexts::find_text(std::string_view text) const {
  if (text.empty()) return nullptr;
  const auto b = static_cast<uint8_t>(text[0]);
  for (uint32_t k = begin_[b]; k < begin_[b + 1]; ++k) {
    if (tokens_[k].text == text) return &tokens_[k];
  }
  return nullptr;
}

std::string SpecialTexts::protect(std::string_view untrusted) const {
  std::string out;
  out.reserve(untrusted.size());
  for (size_t pos = 0; pos < untrusted.size();) {
    if (plane16_at(untrusted, pos) == kEscape) {
      append_utf8(out, kEscape);
      append_utf8(out, kEscape);
      pos += 4;
    } else if (const SpecialToken* t = match_at(untrusted, pos)) {
      append_utf8(out, kEscape);
      append_utf8(out, kFirstCode + static_cast<char32_t>(original_[t - tokens_.data()]));
      pos += t->text.size();
    } else {
      out += untrusted[pos++];
    }
  }
  return out;
}

SpecialTexts::Restored SpecialTexts::restore(std::string_view rendered) const {
  Restored out;
  out.text.reserve(rendered.size());
  for (size_t pos = 0; pos < rendered.size();) {
    if (plane16_at(rendered, pos) == kEscape) {
      const char32_t code = plane16_at(rendered, pos + 4);
      if (code == kEscape) {
        append_utf8(out.text, kEscape);
      } else if (code == kCut) {
        out.cut = true;
        return out;
      } else if (code >= kFirstCode && code - kFirstCode < by_escape_.size()) {
        out.text += tokens_[by_escape_[code - kFirstCode]].text;
      } else {
        throw std::runtime_error("the chat template cut an escaped special token at byte " +
                                 std::to_string(pos) + " of its output");
      }
      pos += 8;
    } else if (const SpecialToken* t = match_at(rendered, pos)) {
      out.spans.push_back({out.text.size(), t->text.size(), t->id});
      out.text += t->text;
      pos += t->text.size();
    } else {
      out.text += rendered[pos++];
    }
  }
  return out;
}

std::string SpecialTexts::cut_mark() {
  std::string out;
  append_utf8(out, kEscape);
  append_utf8(out, kCut);
  return out;
}

std::vector<engine::TokenId> tokenize_prompt(const engine::Tokenizer& tokenizer,
                                             std::string_view text,
                                             const std::vector<SpecialSpan>& spans) {
  std::vector<engine::TokenId> ids;
  const engine::EncodeOptions plain{.parse_special = false};
  size_t pos = 0;
  for (const SpecialSpan& span : spans) {
    tokenizer.encode(text.substr(pos, span.offset - pos), ids, plain);
    ids.push_back(span.id);
    pos = span.offset + span.length;
  }
  tokenizer.encode(text.substr(pos), ids, plain);
  if (tokenizer.add_bos() && tokenizer.bos_id() && (ids.empty() || ids[0] != *tokenizer.bos_id())) {
    ids.insert(ids.begin(), *tokenizer.bos_id());
  }
  return ids;
}

}  // namespace chat
