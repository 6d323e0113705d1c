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

// Q8_0 K/V: 2 layers of 2 heads, keys of 64 and values of 32 values.
const KvShape kQ8{
    .n_layer = 2, .n_head_kv = 2, .head_dim_k = 64, .head_dim_v = 32, .kv_type = KvType::kQ8_0};

// The value stored at (layer, head, pos, i): integers in [-11, 11] that differ by at least 1 from
// the other rows' (unless 23 positions apart), so a row moved or lost shows through Q8_0's
// rounding.
float kv_value(size_t layer, size_t head, size_t pos, size_t i) {
  return static_cast<float>((layer * 31 + head * 17 + pos * 7 + i * 3) % 23) - 11.0f;
}

void fill_q8(SequenceState& s, size_t n) {
  s.reserve_more(n);
  std::vector<float> key(64), value(32);
  for (size_t pos = s.n_tokens(); pos < s.n_tokens() + n; ++pos) {
    for (size_t l = 0; l < 2; ++l) {
      for (size_t h = 0; h < 2; ++h) {
        for (size_t i = 0; i < 64; ++i) key[i] = kv_value(l, h, pos, i);
        for (size_t i = 0; i < 32; ++i) value[i] = -kv_value(l, h, pos, i);
        s.store_kv(l, h, pos, key.data(), value.data());
      }
    }
  }
  std::vector<int32_t> ids(n, 7);
  s.append(ids);
}

// Every stored row of s, read back, is what fill_q8 stored, give or take the rounding: the keys
// (64 values) are held rotated, so they are rotated back; the values (32) are not rotated.
void expect_q8_rows(const SequenceState& s) {
  ASSERT_EQ(kv_key_rotation(KvType::kQ8_0, 64), 64u);
  ASSERT_EQ(kv_value_rotation(KvType::kQ8_0, 32), 0u);
  std::vector<float> row(64);
  for (size_t l = 0; l < 2; ++l) {
    for (size_t h = 0; h < 2; ++h) {
      for (size_t pos = 0; pos < s.n_tokens(); ++pos) {
        kv_load_row(KvType::kQ8_0, s.k(l) + h * s.k_head_stride() + pos * kQ8.k_row_bytes(),
                    row.data(), 64);
        hadamard_rotate(row.data(), 64, 64);
        for (size_t i = 0; i < 64; ++i) {
          ASSERT_NEAR(row[i], kv_value(l, h, pos, i), 0.45f) << l << " " << h << " " << pos;
        }
        kv_load_row(KvType::kQ8_0, s.v(l) + h * s.v_head_stride() + pos * kQ8.v_row_bytes(),
                    row.data(), 32);
        for (size_t i = 0; i < 32; ++i) ASSERT_NEAR(row[i], -kv_value(l, h, pos, i), 0.05f);
      }
    }
  }
}

TEST(SequenceState, Q8_0RowsTake34BytesPer32ValuesAndSurviveGrowthCopiesAndSaves) {
  EXPECT_EQ(kQ8.k_row_bytes(), 68u);
  EXPECT_EQ(kQ8.v_row_bytes(), 34u);
  EXPECT_EQ(kQ8.bytes_per_token(), 2u * 2u * (68u + 34u));
  SequenceState s(kQ8, 1024);
  fill_q8(s, 200);
  fill_q8(s, 100);  // past the first capacity of 256: the rows move to larger buffers
  EXPECT_GE(s.capacity(), 300u);
  EXPECT_EQ(s.memory_bytes(), s.capacity() * kQ8.bytes_per_token());
  expect_q8_rows(s);
  expect_q8_rows(s.copy_prefix(150));

  const auto bytes = s.save();
  const auto loaded = SequenceState::load(bytes, kQ8, 1024);
  EXPECT_EQ(loaded.n_tokens(), 300u);
  expect_q8_rows(loaded);
  EXPECT_EQ(loaded.save(), bytes);
  // The same shape with an fp16 cache is another shape: its bytes are refused.
  KvShape f16 = kQ8;
  f16.kv_type = KvType::kF16;
  EXPECT_THROW(SequenceState::load(bytes, f16, 1024), std::invalid_argument);
}

TEST(SequenceState, Q8_0NeedsHeadsInWholeBlocksAndStoresOnlyInsideTheCache) {
  KvShape odd = kQ8;
  odd.head_dim_v = 48;
  EXPECT_THROW(SequenceState(odd, 16), std::invalid_argument);
  SequenceState s(kQ8, 16);
  s.reserve_more(1);
  std::vector<float> key(64, 1.0f), value(32, 1.0f);
  EXPECT_THROW(s.store_kv(0, 0, s.capacity(), key.data(), value.data()), std::logic_error);
  EXPECT_THROW(s.store_kv(2, 0, 0, key.data(), value.data()), std::logic_error);
  EXPECT_THROW(s.store_kv(0, 2, 0, key.data(), value.data()), std::logic_error);
}

}  // namespace
}  // namespace engine
