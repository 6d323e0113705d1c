// chat::ReasoningStore: the reasoning text behind each thinking-block signature we hand out.
//
// Claude Code sends earlier thinking blocks back with the signature we minted, and with
// `display: "omitted"` their text is empty. To re-render the history exactly as the model produced
// it (so the prompt cache can reuse those tokens), the renderer looks the reasoning up here by
// signature and gives it to the template as reasoning_content.
//
// A signature is base64 of: a version byte, HMAC-SHA-256(key, reasoning) and 8 bytes of
// HMAC-SHA-256(key, version + tag), with a per-process random key (or one the server is given, to
// survive restarts). The check bytes let us tell a signature we minted (whose entry may have been
// evicted) from a foreign one (Anthropic's, another server's) without storing anything. The same
// reasoning always gets the same signature within one key. Bounded by entries and bytes, least
// recently used first out. Thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace chat {

struct ReasoningStoreLimits {
  size_t max_entries = 4096;
  size_t max_bytes = 64u << 20;  // reasoning text bytes held, all entries together
};

class ReasoningStore {
 public:
  using Key = std::array<uint8_t, 32>;

  enum class SignatureKind {
    kEmpty,    // no signature
    kOurs,     // minted with this store's key (its entry may have been evicted)
    kForeign,  // anything else: Anthropic's, another process's, garbage
  };

  // A random key from the OS.
  explicit ReasoningStore(ReasoningStoreLimits limits = {});
  ReasoningStore(ReasoningStoreLimits limits, const Key& key);

  ReasoningStore(const ReasoningStore&) = delete;
  ReasoningStore& operator=(const ReasoningStore&) = delete;

  // Stores `reasoning` and returns its signature. A text larger than max_bytes is not stored but
  // still signed.
  std::string remember(std::string_view reasoning);

  // The reasoning behind `signature`, if we minted it and still hold it (refreshes its age).
  std::optional<std::string> find(std::string_view signature);

  SignatureKind classify(std::string_view signature) const;

  // True if `signature` is the one this store mints for `reasoning` (whether stored or not).
  bool matches(std::string_view signature, std::string_view reasoning) const;

  size_t size() const;
  size_t bytes() const;

 private:
  struct Entry {
    std::string signature;
    std::string reasoning;
  };

  std::string sign(std::string_view reasoning) const;
  void evict_locked();

  const ReasoningStoreLimits limits_;
  const Key key_;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator>
      index_;  // keys point into entries_
  size_t bytes_ = 0;
};

// Standard base64 (RFC 4648, with padding), and its inverse (nullopt for anything malformed).
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace chat
