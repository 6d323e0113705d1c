// serve::PromptCache on hand-made states (token ids only; the K/V bytes do not matter here, the
// scheduler test checks that reused states give the same output as fresh ones).
#include "serve/prompt_cache.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace serve {
namespace {

using Clock = PromptCache::Clock;
using Ids = std::vector<int32_t>;

constexpr engine::KvShape kShape{.n_layer = 2, .n_head_kv = 1, .head_dim_k = 4, .head_dim_v = 4};
constexpr size_t kContext = 64;
// Every non-empty state of kContext positions reserves them all (the minimum capacity is larger).
const size_t kStateBytes = kContext * kShape.bytes_per_token();

engine::SequenceState empty_state() {
  return engine::SequenceState(kShape, kContext);
}

engine::SequenceState state_of(const Ids& ids) {
  engine::SequenceState s = empty_state();
  s.reserve_more(ids.size());
  s.append(ids);
  return s;
}

Ids range(int32_t from, int32_t to) {
  Ids ids(static_cast<size_t>(to - from));
  std::iota(ids.begin(), ids.end(), from);
  return ids;
}

Ids concat(Ids a, const Ids& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class PromptCacheTest : public ::testing::Test {
 protected:
  explicit PromptCacheTest(PromptCacheOptions options = {}) : cache_(options) {}

  CacheLease acquire(const std::string& session, const Ids& prompt, const std::string& id = "m") {
    return cache_.acquire({id, session}, prompt, empty_state, now_);
  }
  // A finished request: its prompt plus `output` go back in the cache.
  bool release(const std::string& session, CacheLease lease, const Ids& prompt,
               const Ids& output = {}, const std::string& id = "m") {
    const Ids rest(prompt.begin() + static_cast<long>(lease.reused), prompt.end());
    const Ids all = concat(rest, output);
    lease.state.reserve_more(all.size());
    lease.state.append(all);
    return cache_.release({id, session}, std::move(lease.state), prompt.size(), now_);
  }
  void serve(const std::string& session, const Ids& prompt, const Ids& output = {}) {
    ASSERT_TRUE(release(session, acquire(session, prompt), prompt, output));
  }

  PromptCache cache_;
  Clock::time_point now_ = Clock::now();
};

TEST_F(PromptCacheTest, EmptyCacheMisses) {
  const CacheLease lease = acquire("s1", range(0, 10));
  EXPECT_EQ(lease.outcome, CacheOutcome::kMiss);
  EXPECT_EQ(lease.reason, "empty");
  EXPECT_EQ(lease.reused, 0u);
  EXPECT_EQ(lease.state.n_tokens(), 0u);
  EXPECT_EQ(cache_.stats().misses, 1u);
}

TEST_F(PromptCacheTest, SessionContinuationTakesItsEntry) {
  const Ids turn1 = range(0, 20);
  serve("s1", turn1, {100, 101, 102});
  // Turn 2 renders the answer differently after its first token, then adds the next user turn.
  const Ids turn2 = concat(concat(turn1, {100, 200, 201}), range(30, 40));
  EXPECT_EQ(cache_.peek({"m", "s1"}, turn2), 21u);
  CacheLease lease = acquire("s1", turn2);
  EXPECT_EQ(lease.outcome, CacheOutcome::kTaken);
  EXPECT_EQ(lease.reason, "session-continues");
  EXPECT_EQ(lease.reused, 21u);
  EXPECT_EQ(lease.state.n_tokens(), 21u);  // truncated to the common prefix
  EXPECT_EQ(cache_.stats().entries, 0u);   // moved out, not copied
  EXPECT_TRUE(release("s1", std::move(lease), turn2, {7}));
  EXPECT_EQ(cache_.stats().entries, 1u);
  EXPECT_EQ(cache_.stats().hits, 1u);
  EXPECT_EQ(cache_.stats().reused_tokens, 21u);
}

TEST_F(PromptCacheTest, RepeatedPromptRerunsItsLastToken) {
  const Ids prompt = range(0, 16);
  serve("s1", prompt, {50, 51});
  const CacheLease lease = acquire("s1", prompt);
  EXPECT_EQ(lease.outcome, CacheOutcome::kTaken);
  EXPECT_EQ(lease.reused, 15u);  // the last token runs again, for its logits
  EXPECT_EQ(lease.state.n_tokens(), 15u);
}

TEST_F(PromptCacheTest, OneTokenPromptReusesNothing) {
  serve("s1", {5});
  const CacheLease lease = acquire("s1", {5});
  EXPECT_EQ(lease.reused, 0u);
  EXPECT_EQ(lease.outcome, CacheOutcome::kMiss);
  EXPECT_EQ(lease.reason, "no-common-prefix");
}

TEST_F(PromptCacheTest, AnotherSessionsPrefixIsCopied) {
  const Ids system = range(0, 30);
  serve("s1", concat(system, {40, 41}), {90});
  const Ids other = concat(system, {50, 51, 52});
  CacheLease lease = acquire("s2", other);
  EXPECT_EQ(lease.outcome, CacheOutcome::kCopied);
  EXPECT_EQ(lease.reason, "other-session");
  EXPECT_EQ(lease.source, "s1");
  EXPECT_EQ(lease.reused, 30u);
  EXPECT_EQ(std::vector<int32_t>(lease.state.tokens().begin(), lease.state.tokens().end()), system);
  EXPECT_EQ(cache_.stats().entries, 1u);  // the source stays
  EXPECT_TRUE(release("s2", std::move(lease), other));
  EXPECT_EQ(cache_.stats().entries, 2u);
  // s1 still continues from its own, untouched entry.
  EXPECT_EQ(cache_.peek({"m", "s1"}, concat(system, {40, 41, 90, 3})), 33u);
}

TEST_F(PromptCacheTest, SideRequestOfTheSameSessionDoesNotCutTheConversation) {
  const Ids conversation = range(0, 50);
  serve("s1", conversation, {99});
  // Same session, same start, but it leaves the conversation at token 10 (a title request).
  const Ids side = concat(range(0, 10), {77, 78});
  CacheLease lease = acquire("s1", side);
  EXPECT_EQ(lease.outcome, CacheOutcome::kCopied);
  EXPECT_EQ(lease.reason, "branches-off-session");
  EXPECT_EQ(lease.reused, 10u);
  EXPECT_TRUE(release("s1", std::move(lease), side));
  EXPECT_EQ(cache_.peek({"m", "s1"}, concat(conversation, {99, 5})), 51u);
}

TEST_F(PromptCacheTest, ContinuationWithinTheSlackIsTaken) {
  const Ids turn1 = range(0, 60);
  serve("s1", turn1);
  // The next turn differs in the last few tokens of turn 1's prompt (a re-rendered generation
  // prompt) and goes on.
  const size_t keep = turn1.size() - PromptCache::kContinuationSlack;
  const Ids turn2 = concat(Ids(turn1.begin(), turn1.begin() + static_cast<long>(keep)), {500});
  const CacheLease lease = acquire("s1", turn2);
  EXPECT_EQ(lease.outcome, CacheOutcome::kTaken);
  EXPECT_EQ(lease.reused, keep);
}

TEST_F(PromptCacheTest, SessionlessRequestsUseTheLongestMatchOverAllSessions) {
  serve("s1", concat(range(0, 10), {20}));
  serve("s2", concat(range(0, 25), {21}));
  serve("s3", concat(range(0, 5), {22}));
  const CacheLease lease = acquire("", concat(range(0, 25), {9, 9}));
  EXPECT_EQ(lease.outcome, CacheOutcome::kCopied);
  EXPECT_EQ(lease.source, "s2");
  EXPECT_EQ(lease.reused, 25u);
}

TEST_F(PromptCacheTest, SessionlessConversationTakesItsSessionlessEntry) {
  const Ids turn1 = range(0, 12);
  serve("", turn1, {40});
  const CacheLease lease = acquire("", concat(turn1, {40, 41}));
  EXPECT_EQ(lease.outcome, CacheOutcome::kTaken);
  EXPECT_EQ(lease.reused, 13u);
}

TEST_F(PromptCacheTest, OwnSessionWinsATie) {
  const Ids shared = range(0, 20);
  serve("s2", concat(shared, {1}));
  serve("s1", concat(shared, {2}));
  serve("s3", concat(shared, {3}));  // most recently used, same length of match
  const CacheLease lease = acquire("s1", concat(shared, {4}));
  EXPECT_EQ(lease.source, "s1");
  EXPECT_EQ(lease.outcome, CacheOutcome::kTaken);
}

TEST_F(PromptCacheTest, OtherIdentityNeverMatches) {
  const Ids prompt = range(0, 20);
  serve("s1", prompt);
  const CacheLease lease = acquire("s1", prompt, "other-model");
  EXPECT_EQ(lease.outcome, CacheOutcome::kMiss);
  EXPECT_EQ(lease.reason, "other-identity");
  EXPECT_EQ(cache_.peek({"other-model", "s1"}, prompt), 0u);
}

TEST_F(PromptCacheTest, TtlExpiresIdleEntries) {
  PromptCache cache({.ttl = std::chrono::milliseconds(1000)});
  const Ids prompt = range(0, 8);
  ASSERT_TRUE(cache.release({"m", "s1"}, state_of(prompt), prompt.size(), now_));
  EXPECT_EQ(cache.expire(now_ + std::chrono::milliseconds(1000)), 0u);
  EXPECT_EQ(cache.expire(now_ + std::chrono::milliseconds(1001)), 1u);
  EXPECT_EQ(cache.stats().entries, 0u);
  EXPECT_EQ(cache.stats().evictions, 1u);
}

TEST_F(PromptCacheTest, ZeroTtlKeepsEntries) {
  PromptCache cache({.ttl = std::chrono::milliseconds(0)});
  const Ids prompt = range(0, 8);
  ASSERT_TRUE(cache.release({"m", "s1"}, state_of(prompt), prompt.size(), now_));
  EXPECT_EQ(cache.expire(now_ + std::chrono::hours(1000)), 0u);
}

TEST_F(PromptCacheTest, CountBoundEvictsLeastRecentlyUsed) {
  PromptCache cache({.max_sessions = 2});
  const Ids a = range(0, 8), b = range(10, 18), c = range(20, 28);
  ASSERT_TRUE(cache.release({"m", "a"}, state_of(a), a.size(), now_));
  ASSERT_TRUE(cache.release({"m", "b"}, state_of(b), b.size(), now_));
  // A copy from "a" makes it the most recently used; "b" is then the oldest.
  const CacheLease lease = cache.acquire({"m", "x"}, concat(range(0, 4), {99}), empty_state, now_);
  EXPECT_EQ(lease.outcome, CacheOutcome::kCopied);
  ASSERT_TRUE(cache.release({"m", "c"}, state_of(c), c.size(), now_));
  EXPECT_EQ(cache.stats().entries, 2u);
  EXPECT_EQ(cache.stats().evictions, 1u);
  EXPECT_GT(cache.peek({"m", "a"}, concat(a, {1})), 0u);
  EXPECT_EQ(cache.peek({"m", "b"}, concat(b, {1})), 0u);
  EXPECT_GT(cache.peek({"m", "c"}, concat(c, {1})), 0u);
}

TEST_F(PromptCacheTest, ByteBoundEvictsOldestAndDropsWhatCannotFit) {
  PromptCache cache({.max_bytes = 2 * kStateBytes});
  const Ids a = range(0, 8), b = range(10, 18), c = range(20, 28);
  ASSERT_TRUE(cache.release({"m", "a"}, state_of(a), a.size(), now_));
  ASSERT_TRUE(cache.release({"m", "b"}, state_of(b), b.size(), now_));
  ASSERT_TRUE(cache.release({"m", "c"}, state_of(c), c.size(), now_));
  EXPECT_EQ(cache.stats().entries, 2u);
  EXPECT_EQ(cache.stats().bytes, 2 * kStateBytes);
  EXPECT_EQ(cache.peek({"m", "a"}, concat(a, {1})), 0u);

  PromptCache tiny({.max_bytes = kStateBytes - 1});
  EXPECT_FALSE(tiny.release({"m", "a"}, state_of(a), a.size(), now_));
  EXPECT_EQ(tiny.stats().entries, 0u);
}

TEST_F(PromptCacheTest, DisabledCacheKeepsNothing) {
  PromptCache cache({.enabled = false});
  const Ids prompt = range(0, 8);
  EXPECT_FALSE(cache.release({"m", "s"}, state_of(prompt), prompt.size(), now_));
  const CacheLease lease = cache.acquire({"m", "s"}, prompt, empty_state, now_);
  EXPECT_EQ(lease.outcome, CacheOutcome::kDisabled);
  EXPECT_EQ(lease.reused, 0u);
  EXPECT_FALSE(cache.stats().enabled);
}

TEST(CommonPrefix, CountsEqualLeadingIds) {
  EXPECT_EQ(common_prefix(Ids{}, Ids{1}), 0u);
  EXPECT_EQ(common_prefix(Ids{1, 2, 3}, Ids{1, 2, 4}), 2u);
  EXPECT_EQ(common_prefix(Ids{1, 2}, Ids{1, 2, 3}), 2u);
  EXPECT_EQ(common_prefix(Ids{1, 2, 3}, Ids{1, 2}), 2u);
}

}  // namespace
}  // namespace serve
