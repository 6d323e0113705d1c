#include "chat/reasoning_store.h"

#include <random>

#include "chat/sha256.h"

namespace chat {
namespace {

// 0x12 makes every signature start with "E", as Anthropic's do; it also versions the layout.
constexpr uint8_t kVersion = 0x12;
constexpr size_t kTagBytes = 32;
constexpr size_t kCheckBytes = 8;
constexpr size_t kSignatureBytes = 1 + kTagBytes + kCheckBytes;

constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

ReasoningStore::Key random_key() {
  std::random_device device;
  ReasoningStore::Key key;
  for (size_t i = 0; i < key.size(); i += 4) {
    const uint32_t r = device();
    for (size_t j = 0; j < 4; ++j) key[i + j] = static_cast<uint8_t>(r >> (8 * j));
  }
  return key;
}

std::string_view as_chars(const Sha256Digest& digest, size_t n) {
  return {reinterpret_cast<const char*>(digest.data()), n};
}

// The check bytes over the version and tag: what makes a signature recognisably ours.
std::string check_of(const ReasoningStore::Key& key, std::string_view version_and_tag) {
  return std::string(
      as_chars(hmac_sha256(key, std::string("check:") += version_and_tag), kCheckBytes));
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{static_cast<uint8_t>(bytes[i])} << 16) |
                       (uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8) |
                       uint32_t{static_cast<uint8_t>(bytes[i + 2])};
    for (int s = 18; s >= 0; s -= 6) out += kBase64[(v >> s) & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{static_cast<uint8_t>(bytes[i])} << 16;
    if (rest == 2) v |= uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8;
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += rest == 2 ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t v = 0;
    int padding = 0;
    for (size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      uint32_t sextet = 0;
      if (c == '=' && i + 4 == text.size() && j >= 2) {
        ++padding;
      } else {
        if (padding > 0) return std::nullopt;  // data after padding
        const size_t at = kBase64.find(c);
        if (at == std::string_view::npos) return std::nullopt;
        sextet = static_cast<uint32_t>(at);
      }
      v = (v << 6) | sextet;
    }
    out += static_cast<char>(v >> 16);
    if (padding < 2) out += static_cast<char>((v >> 8) & 0xff);
    if (padding < 1) out += static_cast<char>(v & 0xff);
  }
  return out;
}

ReasoningStore::ReasoningStore(ReasoningStoreLimits limits)
    : ReasoningStore(limits, random_key()) {}

ReasoningStore::ReasoningStore(ReasoningStoreLimits limits, const Key& key)
    : limits_(limits), key_(key) {}

std::string ReasoningStore::sign(std::string_view reasoning) const {
  std::string raw(1, static_cast<char>(kVersion));
  raw += as_chars(hmac_sha256(key_, std::string("reasoning:") += reasoning), kTagBytes);
  raw += check_of(key_, raw);
  return base64_encode(raw);
}

std::string ReasoningStore::remember(std::string_view reasoning) {
  std::string signature = sign(reasoning);
  if (reasoning.size() > limits_.max_bytes || limits_.max_entries == 0) return signature;
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(signature); it != index_.end()) {
    entries_.splice(entries_.begin(), entries_, it->second);
    return signature;
  }
  entries_.push_front({signature, std::string(reasoning)});
  index_.emplace(entries_.front().signature, entries_.begin());
  bytes_ += reasoning.size();
  evict_locked();
  return signature;
}

void ReasoningStore::evict_locked() {
  while (!entries_.empty() &&
         (entries_.size() > limits_.max_entries || bytes_ > limits_.max_bytes)) {
    const Entry& last = entries_.back();
    bytes_ -= last.reasoning.size();
    index_.erase(last.signature);
    entries_.pop_back();
  }
}

std::optional<std::string> ReasoningStore::find(std::string_view signature) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(signature);
  if (it == index_.end()) return std::nullopt;
  entries_.splice(entries_.begin(), entries_, it->second);
  return it->second->reasoning;
}

ReasoningStore::SignatureKind ReasoningStore::classify(std::string_view signature) const {
  if (signature.empty()) return SignatureKind::kEmpty;
  const std::optional<std::string> raw = base64_decode(signature);
  if (!raw || raw->size() != kSignatureBytes || static_cast<uint8_t>((*raw)[0]) != kVersion) {
    return SignatureKind::kForeign;
  }
  const std::string_view view = *raw;
  const std::string expected = check_of(key_, view.substr(0, 1 + kTagBytes));
  return view.substr(1 + kTagBytes) == expected ? SignatureKind::kOurs : SignatureKind::kForeign;
}

bool ReasoningStore::matches(std::string_view signature, std::string_view reasoning) const {
  return !signature.empty() && sign(reasoning) == signature;
}

size_t ReasoningStore::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

size_t ReasoningStore::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace chat
