#include "engine/tokenizer/token_decoder.h"

#include "engine/tokenizer/unicode.h"

namespace engine {

namespace {
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
}  // namespace

size_t append_valid_utf8(std::string_view bytes, std::string& out) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t run = pos;  // copy runs of ASCII at once
    while (run < bytes.size() && static_cast<unsigned char>(bytes[run]) < 0x80) ++run;
    out.append(bytes.substr(pos, run - pos));
    pos = run;
    if (pos == bytes.size()) break;
    const unicode::Utf8Prefix p = unicode::read_utf8(bytes.substr(pos));
    switch (p.kind) {
      case unicode::Utf8Prefix::kComplete:
        out.append(bytes.substr(pos, p.length));
        break;
      case unicode::Utf8Prefix::kInvalid:
        out.append(kReplacement);
        break;
      case unicode::Utf8Prefix::kIncomplete:
        return bytes.size() - pos;
    }
    pos += p.length;
  }
  return 0;
}

std::string TokenDecoder::feed(TokenId id) {
  const std::string_view piece = tokenizer_->token_bytes(id);  // throws before any change
  std::string out;
  if (pending_.empty()) {
    const size_t held = append_valid_utf8(piece, out);
    pending_.assign(piece.substr(piece.size() - held));
    return out;
  }
  pending_.append(piece);
  const size_t held = append_valid_utf8(pending_, out);
  pending_.erase(0, pending_.size() - held);
  return out;
}

std::string TokenDecoder::finish() {
  std::string out;
  if (!pending_.empty()) out.append(kReplacement);
  pending_.clear();
  return out;
}

}  // namespace engine
