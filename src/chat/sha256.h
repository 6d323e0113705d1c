// SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), for the signatures the ReasoningStore mints.
// Small and portable rather than fast: it hashes a few kilobytes of reasoning per response.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace chat {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  void update(std::span<const uint8_t> bytes);
  void update(std::string_view bytes);
  // The digest of everything updated so far; the object must not be updated afterwards.
  Sha256Digest finish();

 private:
  void compress(const uint8_t* block);  // one 64-byte block

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> block_{};  // the partial block
  size_t block_size_ = 0;
  uint64_t total_bytes_ = 0;
};

Sha256Digest sha256(std::string_view bytes);
Sha256Digest hmac_sha256(std::span<const uint8_t> key, std::string_view message);

}  // namespace chat
