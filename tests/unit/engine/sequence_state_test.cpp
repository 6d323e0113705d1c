// The hybrid part of SequenceState: a recurrent state that returns only to 0, the end, or a
// snapshot; the K/V part keeps truncating to any prefix.
#include "engine/kv/sequence_state.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace engine {
namespace {

// 1 K/V layer (1 head of 2), 2 recurrent layers of 3 conv + 4 ssm floats.
const KvShape kHybrid{.n_layer = 1,
                      .n_head_kv = 1,
                      .head_dim_k = 2,
                      .head_dim_v = 2,
                      .n_recurrent = 2,
                      .conv_floats = 3,
                      .ssm_floats = 4};

// Appends n tokens and marks the recurrent state with their count, as a forward pass would
// change it.
void run(SequenceState& s, size_t n) {
  s.reserve_more(n);
  std::vector<int32_t> ids(n);
  std::iota(ids.begin(), ids.end(), static_cast<int32_t>(s.n_tokens()));
  s.append(ids);
  for (size_t r = 0; r < 2; ++r) {
    for (size_t i = 0; i < 3; ++i) s.conv_state(r)[i] = static_cast<float>(s.n_tokens());
    for (size_t i = 0; i < 4; ++i) s.ssm_state(r)[i] = static_cast<float>(s.n_tokens() + r);
  }
}

float marker(SequenceState& s) {
  return s.conv_state(1)[2];
}

TEST(SequenceState, RecurrentStateReturnsOnlyToZeroTheEndOrASnapshot) {
  SequenceState s(kHybrid, 64);
  EXPECT_TRUE(s.has_recurrent());
  run(s, 5);
  s.keep_snapshot();
  run(s, 4);
  s.keep_snapshot();
  run(s, 3);
  EXPECT_EQ(s.snapshot_positions(), (std::vector<size_t>{5, 9}));
  EXPECT_EQ(s.resumable_prefix(12), 12u);
  EXPECT_EQ(s.resumable_prefix(11), 9u);
  EXPECT_EQ(s.resumable_prefix(8), 5u);
  EXPECT_EQ(s.resumable_prefix(4), 0u);

  EXPECT_THROW(s.truncate(7), std::invalid_argument);
  EXPECT_EQ(s.n_tokens(), 12u);
  EXPECT_THROW(static_cast<void>(s.copy_prefix(6)), std::invalid_argument);

  auto copy = s.copy_prefix(9);
  EXPECT_EQ(copy.n_tokens(), 9u);
  EXPECT_EQ(marker(copy), 9.0f);
  EXPECT_EQ(copy.ssm_state(1)[0], 10.0f);
  EXPECT_EQ(copy.snapshot_positions(), (std::vector<size_t>{5, 9}));

  s.truncate(5);
  EXPECT_EQ(s.n_tokens(), 5u);
  EXPECT_EQ(marker(s), 5.0f);
  EXPECT_EQ(s.snapshot_positions(), (std::vector<size_t>{5}));
  s.truncate(0);
  EXPECT_EQ(marker(s), 0.0f);
  EXPECT_TRUE(s.snapshot_positions().empty());
}

TEST(SequenceState, SnapshotsCountInMemoryAndCanBeDropped) {
  SequenceState s(kHybrid, 64);
  run(s, 3);
  const size_t before = s.memory_bytes();
  s.keep_snapshot();
  EXPECT_EQ(s.memory_bytes(), before + kHybrid.recurrent_bytes());
  s.keep_snapshot();  // the same position again replaces it
  EXPECT_EQ(s.snapshot_positions(), (std::vector<size_t>{3}));
  s.drop_snapshot(3);
  EXPECT_EQ(s.memory_bytes(), before);
}

TEST(SequenceState, SaveAndLoadKeepRecurrentStateAndSnapshots) {
  SequenceState s(kHybrid, 64);
  run(s, 4);
  s.keep_snapshot();
  run(s, 2);
  const auto bytes = s.save();
  auto loaded = SequenceState::load(bytes, kHybrid, 64);
  EXPECT_EQ(loaded.n_tokens(), 6u);
  EXPECT_EQ(marker(loaded), 6.0f);
  EXPECT_EQ(loaded.snapshot_positions(), (std::vector<size_t>{4}));
  loaded.truncate(4);
  EXPECT_EQ(marker(loaded), 4.0f);

  // Damaged bytes are refused with a message, never read past.
  for (size_t cut : {bytes.size() - 1, bytes.size() - 20, size_t{30}}) {
    EXPECT_THROW(SequenceState::load(std::span(bytes).first(cut), kHybrid, 64),
                 std::invalid_argument)
        << cut;
  }
  auto bad = bytes;
  bad.push_back(0);
  EXPECT_THROW(SequenceState::load(bad, kHybrid, 64), std::invalid_argument);
}

TEST(SequenceState, WithoutRecurrentLayersTruncationIsFree) {
  SequenceState s({.n_layer = 1, .n_head_kv = 1, .head_dim_k = 2, .head_dim_v = 2}, 16);
  EXPECT_FALSE(s.has_recurrent());
  s.reserve_more(5);
  s.append(std::vector<int32_t>{1, 2, 3, 4, 5});
  s.keep_snapshot();
  EXPECT_TRUE(s.snapshot_positions().empty());
  EXPECT_EQ(s.resumable_prefix(3), 3u);
  s.truncate(3);
  EXPECT_EQ(s.n_tokens(), 3u);
  EXPECT_EQ(s.copy_prefix(2).n_tokens(), 2u);
}

}  // namespace
}  // namespace engine
