#include "server/token_memo.h"

#include <stdexcept>
#include <string>

namespace server {

TokenMemo::TokenMemo(const engine::Tokenizer& tokenizer, size_t max_bytes)
    : tokenizer_(tokenizer), max_bytes_(max_bytes) {}

std::vector<engine::TokenId> TokenMemo::tokenize(std::string_view text,
                                                 const std::vector<chat::SpecialSpan>& spans) {
  // The same walk as chat::tokenize_prompt, with each stretch through the memo.
  std::vector<engine::TokenId> ids;
  size_t pos = 0;
  for (const chat::SpecialSpan& span : spans) {
    if (span.offset < pos || span.offset + span.length > text.size()) {
      throw std::out_of_range("TokenMemo: a special span at " + std::to_string(span.offset) +
                              " lies outside the text or before the previous one");
    }
    encode_stretch(text.substr(pos, span.offset - pos), ids);
    ids.push_back(span.id);
    pos = span.offset + span.length;
  }
  encode_stretch(text.substr(pos), ids);
  if (tokenizer_.add_bos() && tokenizer_.bos_id() &&
      (ids.empty() || ids[0] != *tokenizer_.bos_id())) {
    ids.insert(ids.begin(), *tokenizer_.bos_id());
  }
  return ids;
}

void TokenMemo::encode_stretch(std::string_view stretch, std::vector<engine::TokenId>& out) {
  const engine::EncodeOptions plain{.parse_special = false};
  if (stretch.size() < kMinBytes) return tokenizer_.encode(stretch, out, plain);
  {
    std::lock_guard lock(mutex_);
    auto found = index_.find(stretch);
    if (found != index_.end()) {
      entries_.splice(entries_.begin(), entries_, found->second);
      out.insert(out.end(), found->second->ids.begin(), found->second->ids.end());
      ++stats_.hits;
      return;
    }
  }
  Entry entry{.text = std::string(stretch), .ids = tokenizer_.encode(stretch, plain)};
  out.insert(out.end(), entry.ids.begin(), entry.ids.end());
  std::lock_guard lock(mutex_);
  ++stats_.misses;
  if (entry.bytes() > max_bytes_ || index_.contains(stretch)) return;  // too big, or raced in
  stats_.bytes += entry.bytes();
  entries_.push_front(std::move(entry));
  index_.emplace(entries_.front().text, entries_.begin());
  while (stats_.bytes > max_bytes_) {
    const Entry& last = entries_.back();
    stats_.bytes -= last.bytes();
    index_.erase(last.text);
    entries_.pop_back();
  }
  stats_.entries = entries_.size();
}

TokenMemoStats TokenMemo::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace server
