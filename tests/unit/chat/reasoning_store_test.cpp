// ReasoningStore: signatures (HMAC-SHA-256 under a per-process key, base64), lookup, bounds,
// LRU order, foreign signatures, threads. SHA-256 and HMAC against their published vectors.
#include <thread>

#include <gtest/gtest.h>

#include "chat/reasoning_store.h"
#include "chat/sha256.h"

namespace chat {
namespace {

std::string hex(const Sha256Digest& d) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

TEST(Sha256, FipsVectors) {
  EXPECT_EQ(hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 h;  // a million 'a's, fed unevenly
  const std::string chunk(977, 'a');
  size_t left = 1000000;
  while (left > 0) {
    const size_t n = std::min(left, chunk.size());
    h.update(std::string_view(chunk).substr(0, n));
    left -= n;
  }
  EXPECT_EQ(hex(h.finish()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, HmacRfc4231) {
  const std::vector<uint8_t> key1(20, 0x0b);
  EXPECT_EQ(hex(hmac_sha256(key1, "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  const std::string jefe = "Jefe";
  EXPECT_EQ(hex(hmac_sha256(std::span(reinterpret_cast<const uint8_t*>(jefe.data()), jefe.size()),
                            "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  const std::vector<uint8_t> long_key(131, 0xaa);  // longer than a block: hashed first
  EXPECT_EQ(hex(hmac_sha256(long_key, "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Base64, RoundTripAndRejects) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_FALSE(base64_decode("Zm8").has_value());
  EXPECT_FALSE(base64_decode("Zm=8").has_value());
  EXPECT_FALSE(base64_decode("Z!8=").has_value());
}

ReasoningStore::Key key(uint8_t fill) {
  ReasoningStore::Key k;
  k.fill(fill);
  return k;
}

TEST(ReasoningStore, RemembersAndFinds) {
  ReasoningStore store({}, key(1));
  const std::string sig = store.remember("Let me think about this.");
  EXPECT_TRUE(sig.starts_with("E"));
  EXPECT_EQ(sig.size(), 56u);
  EXPECT_EQ(store.find(sig), "Let me think about this.");
  EXPECT_EQ(store.classify(sig), ReasoningStore::SignatureKind::kOurs);
  EXPECT_TRUE(store.matches(sig, "Let me think about this."));
  EXPECT_FALSE(store.matches(sig, "Let me think about that."));
  // Deterministic per key: the same text signs the same, and is stored once.
  EXPECT_EQ(store.remember("Let me think about this."), sig);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.remember(""), store.remember(""));
}

TEST(ReasoningStore, ForeignAndEmptySignatures) {
  ReasoningStore ours({}, key(1)), theirs({}, key(2));
  const std::string foreign = theirs.remember("x");
  EXPECT_EQ(ours.classify(foreign), ReasoningStore::SignatureKind::kForeign);
  EXPECT_FALSE(ours.find(foreign).has_value());
  EXPECT_EQ(ours.classify(""), ReasoningStore::SignatureKind::kEmpty);
  // Anthropic-style and garbage signatures.
  EXPECT_EQ(ours.classify("EqQBCkYIBxgCKkBs3zZ+ZUY="), ReasoningStore::SignatureKind::kForeign);
  EXPECT_EQ(ours.classify("c2lnbmF0dXJl"), ReasoningStore::SignatureKind::kForeign);
  EXPECT_EQ(ours.classify("not base64!"), ReasoningStore::SignatureKind::kForeign);
  // A tampered signature of ours is foreign.
  std::string tampered = ours.remember("y");
  tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(ours.classify(tampered), ReasoningStore::SignatureKind::kForeign);
}

TEST(ReasoningStore, EvictsLeastRecentlyUsedByEntries) {
  ReasoningStore store({.max_entries = 2, .max_bytes = 1000}, key(3));
  const std::string a = store.remember("a"), b = store.remember("b");
  EXPECT_TRUE(store.find(a).has_value());  // a is now the most recent
  const std::string c = store.remember("c");
  EXPECT_FALSE(store.find(b).has_value());
  EXPECT_TRUE(store.find(a).has_value());
  EXPECT_TRUE(store.find(c).has_value());
  EXPECT_EQ(store.size(), 2u);
  // Evicted, still recognisably ours.
  EXPECT_EQ(store.classify(b), ReasoningStore::SignatureKind::kOurs);
}

TEST(ReasoningStore, EvictsByBytes) {
  ReasoningStore store({.max_entries = 100, .max_bytes = 10}, key(4));
  const std::string a = store.remember("12345"), b = store.remember("67890");
  EXPECT_EQ(store.bytes(), 10u);
  const std::string c = store.remember("x");
  EXPECT_FALSE(store.find(a).has_value());
  EXPECT_TRUE(store.find(b).has_value());
  EXPECT_EQ(store.bytes(), 6u);
  // Too large to keep at all: signed, not stored, nothing else evicted.
  const std::string big = store.remember(std::string(11, 'z'));
  EXPECT_EQ(store.classify(big), ReasoningStore::SignatureKind::kOurs);
  EXPECT_FALSE(store.find(big).has_value());
  EXPECT_TRUE(store.find(c).has_value());
}

TEST(ReasoningStore, ThreadSafe) {
  ReasoningStore store({.max_entries = 64, .max_bytes = 1 << 20});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 500; ++i) {
        const std::string text = "t" + std::to_string(t) + "-" + std::to_string(i % 80);
        const std::string sig = store.remember(text);
        const std::optional<std::string> found = store.find(sig);
        if (found) {
          ASSERT_EQ(*found, text);
        }
        ASSERT_EQ(store.classify(sig), ReasoningStore::SignatureKind::kOurs);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(store.size(), 64u);
}

}  // namespace
}  // namespace chat
