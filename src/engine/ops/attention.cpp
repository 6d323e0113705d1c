// Flash-style attention (attention.h). One task is one kv head and a block of query tokens: its
// rows are the (token, query head) pairs of the block that share that kv head, so each key and
// value tile is read from the cache (fp16 or Q8_0 rows) once and used by every row. Per tile of
// kTileKv positions:
//   S = Q . K^T (K transposed to [head_dim][tile] so a row of S is a few vector FMAs per dim),
//   online softmax (running max m and sum l per row), O = O * correction + P . V.
// Compiled once per x86 target by foreach_target; attention() dispatches to the best.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/ops/attention.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "engine/kernels/blocks.h"
#include "engine/kernels/fp16.h"
#include "engine/ops/attention.h"
#include "hwy/cache_control.h"
#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

#ifndef ENGINE_OPS_ATTENTION_ONCE
#define ENGINE_OPS_ATTENTION_ONCE
namespace engine::ops {
// Positions per key/value tile; a multiple of every target's float vector length times two.
inline constexpr size_t kTileKv = 64;
// Rows (query token x query head pairs) per task, before rounding to whole tokens.
inline constexpr size_t kTaskRows = 32;
// Up to this many rows, scores are taken from the fp16 keys in place; above it, transposing each
// key tile once pays for itself (bench/kernels/attention_bench.cpp).
inline constexpr size_t kDirectRows = 8;
// How many tiles ahead keys and values are prefetched (bench/kernels/attention_bench.cpp).
inline constexpr size_t kAheadTiles = 2;

// Per-thread scratch of a task, grown on demand and reused across calls. Only as aligned as
// malloc makes it: the kernels use unaligned loads and stores.
struct AttentionScratch {
  std::vector<float> q;         // [rows][head_dim_k], queries as kv_prepare_query leaves them
  std::vector<float> kt;        // [head_dim_k][kTileKv], the key tile transposed
  std::vector<float> vt;        // [kTileKv][head_dim_v]
  std::vector<float> s;         // [rows][kTileKv], scores then probabilities
  std::vector<float> o;         // [rows][head_dim_v], unnormalised outputs
  std::vector<float> m;         // [rows], running max of the scores
  std::vector<float> l;         // [rows], running sum of exp(score - m)
  std::vector<float> k_scales;  // [kTileKv][dk / 32]: a Q8_0 key tile's block scales as floats
  std::vector<float> v_scales;  // [kTileKv][dv / 32]

  void reserve(size_t rows, size_t dk, size_t dv) {
    q.resize(std::max(q.size(), rows * dk));
    kt.resize(std::max(kt.size(), dk * kTileKv));
    vt.resize(std::max(vt.size(), kTileKv * dv));
    s.resize(std::max(s.size(), rows * kTileKv));
    o.resize(std::max(o.size(), rows * dv));
    m.resize(std::max(m.size(), rows));
    l.resize(std::max(l.size(), rows));
    k_scales.resize(std::max(k_scales.size(), kTileKv * dk / kernels::kQK8_0));
    v_scales.resize(std::max(v_scales.size(), kTileKv * dv / kernels::kQK8_0));
  }
};
}  // namespace engine::ops
#endif

HWY_BEFORE_NAMESPACE();
namespace engine::ops::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using DF = hn::ScalableTag<float>;
using DH = hn::Rebind<hwy::float16_t, DF>;

// S[r][c] = scale * Q[r] . Kt[.][c] for r < rows, c < kTileKv.
HWY_INLINE void Scores(const float* q, const float* kt, size_t rows, size_t dk, float scale,
                       float* s) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  const auto vscale = hn::Set(df, scale);
  size_t r = 0;
  for (; r + 4 <= rows; r += 4) {
    for (size_t c = 0; c < kTileKv; c += 2 * lanes) {
      auto a00 = hn::Zero(df), a01 = hn::Zero(df), a10 = hn::Zero(df), a11 = hn::Zero(df);
      auto a20 = hn::Zero(df), a21 = hn::Zero(df), a30 = hn::Zero(df), a31 = hn::Zero(df);
      for (size_t j = 0; j < dk; ++j) {
        const auto k0 = hn::LoadU(df, kt + j * kTileKv + c);
        const auto k1 = hn::LoadU(df, kt + j * kTileKv + c + lanes);
        const auto q0 = hn::Set(df, q[(r + 0) * dk + j]);
        const auto q1 = hn::Set(df, q[(r + 1) * dk + j]);
        const auto q2 = hn::Set(df, q[(r + 2) * dk + j]);
        const auto q3 = hn::Set(df, q[(r + 3) * dk + j]);
        a00 = hn::MulAdd(q0, k0, a00);
        a01 = hn::MulAdd(q0, k1, a01);
        a10 = hn::MulAdd(q1, k0, a10);
        a11 = hn::MulAdd(q1, k1, a11);
        a20 = hn::MulAdd(q2, k0, a20);
        a21 = hn::MulAdd(q2, k1, a21);
        a30 = hn::MulAdd(q3, k0, a30);
        a31 = hn::MulAdd(q3, k1, a31);
      }
      float* out = s + r * kTileKv + c;
      hn::StoreU(hn::Mul(a00, vscale), df, out);
      hn::StoreU(hn::Mul(a01, vscale), df, out + lanes);
      hn::StoreU(hn::Mul(a10, vscale), df, out + kTileKv);
      hn::StoreU(hn::Mul(a11, vscale), df, out + kTileKv + lanes);
      hn::StoreU(hn::Mul(a20, vscale), df, out + 2 * kTileKv);
      hn::StoreU(hn::Mul(a21, vscale), df, out + 2 * kTileKv + lanes);
      hn::StoreU(hn::Mul(a30, vscale), df, out + 3 * kTileKv);
      hn::StoreU(hn::Mul(a31, vscale), df, out + 3 * kTileKv + lanes);
    }
  }
  for (; r < rows; ++r) {
    for (size_t c = 0; c < kTileKv; c += lanes) {
      auto acc = hn::Zero(df);
      for (size_t j = 0; j < dk; ++j) {
        acc = hn::MulAdd(hn::Set(df, q[r * dk + j]), hn::LoadU(df, kt + j * kTileKv + c), acc);
      }
      hn::StoreU(hn::Mul(acc, vscale), df, s + r * kTileKv + c);
    }
  }
}

// Asks for the cache lines of n bytes at p ahead of their use. Decode streams each head's keys
// and values once; the hardware prefetcher alone left it at a third of the read bandwidth.
HWY_INLINE void PrefetchBytes(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i += 64) hwy::Prefetch(p + i);
}

// The key and value rows some distance ahead of a tile, prefetched a few at a time as the tile's
// scores are taken, so the loads spread over the work instead of queueing up at once.
struct KvAhead {
  const uint8_t* k;  // the rows ahead of the tile's first position
  const uint8_t* v;
  size_t n;             // rows there are ahead (0: none)
  size_t k_row, v_row;  // bytes per row

  HWY_INLINE void Rows(size_t t, size_t count) const {
    for (size_t p = t; p < std::min(n, t + count); ++p) {
      PrefetchBytes(k + p * k_row, k_row);
      PrefetchBytes(v + p * v_row, v_row);
    }
  }
  // The rows from the t-th on (none when t >= n; pointers never move past the rows there are).
  KvAhead From(size_t t) const {
    return t < n ? KvAhead{k + t * k_row, v + t * v_row, n - t, k_row, v_row}
                 : KvAhead{k, v, 0, k_row, v_row};
  }
};

// A tile of fp16 key or value rows as the kernels read them, in place: row t at base + t * dim * 2.
struct Fp16Rows {
  const uint8_t* base;
  size_t dim;

  static size_t RowBytes(size_t dim) { return dim * sizeof(uint16_t); }
  static Fp16Rows Tile(const uint8_t* base, size_t dim, size_t /*n*/, float* /*scales*/) {
    return {base, dim};
  }
  HWY_INLINE const hwy::float16_t* Row(size_t t) const {
    return reinterpret_cast<const hwy::float16_t*>(base + t * RowBytes(dim));
  }
  // Floats d .. d + lanes of row t.
  HWY_INLINE hn::Vec<DF> Load(size_t t, size_t d) const {
    return hn::PromoteTo(DF(), hn::LoadU(DH(), Row(t) + d));
  }
  HWY_INLINE float At(size_t t, size_t d) const {
    uint16_t bits;
    std::memcpy(&bits, base + t * RowBytes(dim) + d * sizeof(bits), sizeof(bits));
    return kernels::fp16_to_fp32(bits);
  }
  HWY_INLINE void ToFloat(size_t t, float* dst) const {
    const size_t lanes = hn::Lanes(DF());
    size_t d = 0;
    for (; d + lanes <= dim; d += lanes) hn::StoreU(Load(t, d), DF(), dst + d);
    for (; d < dim; ++d) dst[d] = At(t, d);
  }
};

// A tile of Q8_0 rows (dim a multiple of 32): each row is dim / 32 blocks of an fp16 scale and 32
// int8s. The scales of the tile's rows are converted to floats once (Tile), so a load is a
// widening of int8s and one multiply by a broadcast scale.
struct Q8Rows {
  const uint8_t* base;
  size_t dim;
  const float* scales;  // [n][dim / 32]

  static size_t RowBytes(size_t dim) { return dim / kernels::kQK8_0 * sizeof(kernels::BlockQ8_0); }
  static Q8Rows Tile(const uint8_t* base, size_t dim, size_t n, float* scales) {
    // The scales' bits are gathered first so that they convert a vector at a time (F16C where
    // the target has it): converting each on its own cost a fifth of decode's attention.
    const DF df;
    const size_t lanes = hn::Lanes(df);
    const size_t count = n * (dim / kernels::kQK8_0);  // <= kTileKv * 1024 / 32
    HWY_ALIGN uint16_t bits[kTileKv * 32];
    for (size_t b = 0; b < count; ++b) {
      std::memcpy(&bits[b], base + b * sizeof(kernels::BlockQ8_0), sizeof(uint16_t));
    }
    const auto* halves = reinterpret_cast<const hwy::float16_t*>(bits);
    size_t b = 0;
    for (; b + lanes <= count; b += lanes) {
      hn::StoreU(hn::PromoteTo(df, hn::LoadU(DH(), halves + b)), df, scales + b);
    }
    for (; b < count; ++b) scales[b] = kernels::fp16_to_fp32(bits[b]);
    return {base, dim, scales};
  }
  HWY_INLINE const int8_t* Ints(size_t t, size_t d) const {
    const size_t block = d / kernels::kQK8_0;
    return reinterpret_cast<const int8_t*>(base + t * RowBytes(dim) +
                                           block * sizeof(kernels::BlockQ8_0) + sizeof(uint16_t)) +
           d % kernels::kQK8_0;
  }
  HWY_INLINE float Scale(size_t t, size_t d) const {
    return scales[t * (dim / kernels::kQK8_0) + d / kernels::kQK8_0];
  }
  // Floats d .. d + lanes of row t; lanes divide 32, so they lie in one block.
  HWY_INLINE hn::Vec<DF> Load(size_t t, size_t d) const {
    const DF df;
    const hn::Rebind<int32_t, DF> di;
    const hn::Rebind<int8_t, DF> d8;
    const auto ints = hn::PromoteTo(di, hn::LoadU(d8, Ints(t, d)));
    return hn::Mul(hn::ConvertTo(df, ints), hn::Set(df, Scale(t, d)));
  }
  HWY_INLINE float At(size_t t, size_t d) const { return *Ints(t, d) * Scale(t, d); }
  HWY_INLINE void ToFloat(size_t t, float* dst) const {
    const size_t lanes = hn::Lanes(DF());
    for (size_t d = 0; d < dim; d += lanes) hn::StoreU(Load(t, d), DF(), dst + d);
  }
};

// S[r][t] = scale * Q[r] . K[t] for r < kRows, t < n_kv, with K read in place (keys.Load):
// kPos positions at a time, so kRows * kPos independent sums hide the FMA latency. Used where
// there are too few rows to pay for converting and transposing the key tile (decode).
template <size_t kRows, size_t kPos, class Keys>
HWY_INLINE void ScoresDirect(const float* q, const Keys& keys, size_t t, size_t n_kv, size_t dk,
                             float scale, float* s, const KvAhead& ahead) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  const size_t dk_vec = dk / lanes * lanes;
  for (; t + kPos <= n_kv; t += kPos) {
    ahead.Rows(t, kPos);
    hn::Vec<DF> acc[kRows][kPos];
    for (size_t r = 0; r < kRows; ++r)
      for (size_t p = 0; p < kPos; ++p) acc[r][p] = hn::Zero(df);
    for (size_t j = 0; j < dk_vec; j += lanes) {
      for (size_t p = 0; p < kPos; ++p) {
        const auto kv = keys.Load(t + p, j);
        for (size_t r = 0; r < kRows; ++r) {
          acc[r][p] = hn::MulAdd(hn::LoadU(df, q + r * dk + j), kv, acc[r][p]);
        }
      }
    }
    for (size_t r = 0; r < kRows; ++r) {
      for (size_t p = 0; p < kPos; ++p) {
        float sum = hn::GetLane(hn::SumOfLanes(df, acc[r][p]));
        for (size_t j = dk_vec; j < dk; ++j) sum += q[r * dk + j] * keys.At(t + p, j);
        s[r * kTileKv + t + p] = sum * scale;
      }
    }
  }
  if constexpr (kPos > 1) {
    if (t < n_kv) ScoresDirect<kRows, 1>(q, keys, t, n_kv, dk, scale, s, ahead);
  }
}

// ScoresDirect over any number of rows, four at a time; the first four prefetch `ahead`.
template <class Keys>
HWY_INLINE void ScoresDirectRows(const float* q, const Keys& keys, size_t rows, size_t n_kv,
                                 size_t dk, float scale, float* s, const KvAhead& ahead) {
  for (size_t r0 = 0; r0 < rows; r0 += 4) {
    const float* qr = q + r0 * dk;
    float* sr = s + r0 * kTileKv;
    const KvAhead& pf = r0 == 0 ? ahead : ahead.From(ahead.n);
    switch (std::min<size_t>(4, rows - r0)) {
      case 4:
        ScoresDirect<4, 2>(qr, keys, 0, n_kv, dk, scale, sr, pf);
        break;
      case 3:
        ScoresDirect<3, 2>(qr, keys, 0, n_kv, dk, scale, sr, pf);
        break;
      case 2:
        ScoresDirect<2, 4>(qr, keys, 0, n_kv, dk, scale, sr, pf);
        break;
      default:
        ScoresDirect<1, 8>(qr, keys, 0, n_kv, dk, scale, sr, pf);
        break;
    }
  }
}

// Turns row r of S into probabilities against the running max (columns >= visible get 0) and
// returns the factor by which the row's earlier output and sum must be scaled.
HWY_INLINE float SoftmaxRow(float* s, size_t visible, float& m, float& l) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  float tile_max = -std::numeric_limits<float>::infinity();
  for (size_t c = 0; c < visible; ++c) tile_max = std::max(tile_max, s[c]);
  const float m_new = std::max(m, tile_max);
  const float correction = std::exp(m - m_new);  // 0 while m is still -inf
  const auto vmax = hn::Set(df, m_new);
  auto vsum = hn::Zero(df);
  for (size_t c = 0; c < kTileKv; c += lanes) {
    const auto visible_lanes = hn::FirstN(df, visible > c ? visible - c : 0);
    const auto p =
        hn::IfThenElseZero(visible_lanes, hn::Exp(df, hn::Sub(hn::LoadU(df, s + c), vmax)));
    hn::StoreU(p, df, s + c);
    vsum = hn::Add(vsum, p);
  }
  l = l * correction + hn::GetLane(hn::SumOfLanes(df, vsum));
  m = m_new;
  return correction;
}

// Value rows as AccumulateRows reads them: a tile already converted to floats, or the cache's
// rows in place (Fp16Rows, Q8Rows: decode, where converting a tile first would cost as much as
// using it).
struct FloatValues {
  const float* v;  // [kTileKv][dv]
  size_t dv;
  HWY_INLINE hn::Vec<DF> Load(size_t t, size_t d) const { return hn::LoadU(DF(), v + t * dv + d); }
  HWY_INLINE float At(size_t t, size_t d) const { return v[t * dv + d]; }
};

// O[r][d..d + kCols * lanes) = O[r][..] * correction[r] + P[r] . V[..][..] for kRows rows:
// kRows * kCols independent sums, so the FMA latency is hidden even for one or two rows (decode).
template <size_t kRows, size_t kCols, class Values>
HWY_INLINE void AccumulateColumns(const float* p, const Values& values, size_t n_kv, size_t dv,
                                  size_t d, const float* correction, float* o) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  hn::Vec<DF> acc[kRows][kCols];
  for (size_t r = 0; r < kRows; ++r) {
    const auto c = hn::Set(df, correction[r]);
    for (size_t i = 0; i < kCols; ++i) {
      acc[r][i] = hn::Mul(hn::LoadU(df, o + r * dv + d + i * lanes), c);
    }
  }
  for (size_t t = 0; t < n_kv; ++t) {
    hn::Vec<DF> v[kCols];
    for (size_t i = 0; i < kCols; ++i) v[i] = values.Load(t, d + i * lanes);
    for (size_t r = 0; r < kRows; ++r) {
      const auto pr = hn::Set(df, p[r * kTileKv + t]);
      for (size_t i = 0; i < kCols; ++i) acc[r][i] = hn::MulAdd(pr, v[i], acc[r][i]);
    }
  }
  for (size_t r = 0; r < kRows; ++r) {
    for (size_t i = 0; i < kCols; ++i) hn::StoreU(acc[r][i], df, o + r * dv + d + i * lanes);
  }
}

// O[r] = O[r] * correction[r] + P[r] . V for kRows rows: eight sums at a time where dv allows,
// then one vector, then scalar columns.
template <size_t kRows, class Values>
HWY_INLINE void AccumulateRows(const float* p, const Values& values, size_t n_kv, size_t dv,
                               const float* correction, float* o) {
  constexpr size_t kCols = (8 + kRows - 1) / kRows;
  const size_t lanes = hn::Lanes(DF());
  size_t d = 0;
  for (; d + kCols * lanes <= dv; d += kCols * lanes) {
    AccumulateColumns<kRows, kCols>(p, values, n_kv, dv, d, correction, o);
  }
  for (; d + lanes <= dv; d += lanes) {
    AccumulateColumns<kRows, 1>(p, values, n_kv, dv, d, correction, o);
  }
  for (; d < dv; ++d) {
    for (size_t r = 0; r < kRows; ++r) {
      float acc = o[r * dv + d] * correction[r];
      for (size_t t = 0; t < n_kv; ++t) acc += p[r * kTileKv + t] * values.At(t, d);
      o[r * dv + d] = acc;
    }
  }
}

// AccumulateRows for 1 to 4 rows.
template <class Values>
HWY_INLINE void AccumulateUpTo4Rows(size_t n_rows, const float* p, const Values& values,
                                    size_t n_kv, size_t dv, const float* correction, float* o) {
  switch (n_rows) {
    case 4:
      AccumulateRows<4>(p, values, n_kv, dv, correction, o);
      break;
    case 3:
      AccumulateRows<3>(p, values, n_kv, dv, correction, o);
      break;
    case 2:
      AccumulateRows<2>(p, values, n_kv, dv, correction, o);
      break;
    default:
      AccumulateRows<1>(p, values, n_kv, dv, correction, o);
      break;
  }
}

// The rows of one kv head and block of query tokens; Rows is the cache's row format.
template <class Rows>
void AttentionTask(const AttentionArgs& a, size_t kv_head, size_t tok0, size_t tok1,
                   AttentionScratch& w) {
  const size_t group = a.n_head / a.n_head_kv;
  const size_t rows = (tok1 - tok0) * group;
  const size_t dk = a.head_dim_k, dv = a.head_dim_v;
  const size_t k_row = Rows::RowBytes(dk), v_row = Rows::RowBytes(dv);
  w.reserve(rows, dk, dv);

  // Row r is token tok0 + r / group, query head kv_head * group + r % group.
  for (size_t r = 0; r < rows; ++r) {
    const size_t token = tok0 + r / group;
    const size_t head = kv_head * group + r % group;
    const float* src = a.q + (token * a.n_head + head) * dk;
    float* dst = w.q.data() + r * dk;
    std::copy_n(src, dk, dst);
    kv_prepare_query(a.kv_type, dst, dk);
  }
  std::fill_n(w.o.begin(), rows * dv, 0.0f);
  std::fill_n(w.m.begin(), rows, -std::numeric_limits<float>::infinity());
  std::fill_n(w.l.begin(), rows, 0.0f);

  const uint8_t* k_head = a.k + kv_head * a.kv_head_stride_k;
  const uint8_t* v_head = a.v + kv_head * a.kv_head_stride_v;
  const size_t kv_end = a.pos0 + tok1;  // the last token of the block sees positions < kv_end
  HWY_ALIGN float row[1024];            // one key row as floats; head_dim <= 1024 (model_config)
  float correction[4];
  const bool direct = rows <= kDirectRows;
  for (size_t t0 = 0; t0 < kv_end; t0 += kTileKv) {
    const size_t n_kv = std::min(kTileKv, kv_end - t0);
    const Rows keys = Rows::Tile(k_head + t0 * k_row, dk, n_kv, w.k_scales.data());
    const Rows values = Rows::Tile(v_head + t0 * v_row, dv, n_kv, w.v_scales.data());
    // Positions [t0, kv_end) are left: prefetch from t0 + kAheadTiles tiles while there are any.
    const KvAhead ahead =
        KvAhead{k_head + t0 * k_row, v_head + t0 * v_row, kv_end - t0, k_row, v_row}.From(
            kAheadTiles * kTileKv);
    if (direct) {
      ScoresDirectRows(w.q.data(), keys, rows, n_kv, dk, a.scale, w.s.data(), ahead);
    } else {
      std::fill_n(w.kt.begin(), dk * kTileKv, 0.0f);
      for (size_t t = 0; t < n_kv; ++t) {
        ahead.Rows(t, 1);
        keys.ToFloat(t, row);
        for (size_t j = 0; j < dk; ++j) w.kt[j * kTileKv + t] = row[j];
        values.ToFloat(t, w.vt.data() + t * dv);
      }
      Scores(w.q.data(), w.kt.data(), rows, dk, a.scale, w.s.data());
    }
    for (size_t r0 = 0; r0 < rows; r0 += 4) {
      const size_t n_rows = std::min<size_t>(4, rows - r0);
      size_t max_visible = 0;
      for (size_t r = r0; r < r0 + n_rows; ++r) {
        const size_t token_pos = a.pos0 + tok0 + r / group;  // sees positions <= token_pos
        const size_t visible = token_pos >= t0 ? std::min(n_kv, token_pos - t0 + 1) : 0;
        max_visible = std::max(max_visible, visible);
        correction[r - r0] =
            visible ? SoftmaxRow(w.s.data() + r * kTileKv, visible, w.m[r], w.l[r]) : 1.0f;
        if (!visible) std::fill_n(w.s.begin() + r * kTileKv, kTileKv, 0.0f);
      }
      const float* p = w.s.data() + r0 * kTileKv;
      float* o = w.o.data() + r0 * dv;
      if (direct) {
        AccumulateUpTo4Rows(n_rows, p, values, max_visible, dv, correction, o);
      } else {
        AccumulateUpTo4Rows(n_rows, p, FloatValues{w.vt.data(), dv}, max_visible, dv, correction,
                            o);
      }
    }
  }

  for (size_t r = 0; r < rows; ++r) {
    const size_t token = tok0 + r / group;
    const size_t head = kv_head * group + r % group;
    float* dst = a.out + (token * a.n_head + head) * dv;
    const float inv = 1.0f / w.l[r];
    for (size_t d = 0; d < dv; ++d) dst[d] = w.o[r * dv + d] * inv;
    kv_restore_output(a.kv_type, dst, dv);
  }
}

void Attention(const AttentionArgs& a, kernels::ThreadPool& pool) {
  const size_t group = a.n_head / a.n_head_kv;
  const size_t block = std::max<size_t>(1, kTaskRows / group);  // query tokens per task
  const size_t n_blocks = (a.n_tokens + block - 1) / block;
  // Later blocks see more keys: hand them out first so the threads finish together.
  pool.parallel_for(a.n_head_kv * n_blocks, [&](size_t task) {
    thread_local AttentionScratch scratch;
    const size_t b = n_blocks - 1 - task / a.n_head_kv;
    const size_t kv_head = task % a.n_head_kv;
    const size_t tok1 = std::min(a.n_tokens, (b + 1) * block);
    if (a.kv_type == KvType::kQ8_0) {
      AttentionTask<Q8Rows>(a, kv_head, b * block, tok1, scratch);
    } else {
      AttentionTask<Fp16Rows>(a, kv_head, b * block, tok1, scratch);
    }
  });
}

}  // namespace engine::ops::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace engine::ops {

HWY_EXPORT(Attention);

void attention(const AttentionArgs& args, kernels::ThreadPool& pool) {
  if (args.n_tokens == 0) return;
  require_kv_type_fits(args.kv_type, args.head_dim_k, args.head_dim_v);
  HWY_DYNAMIC_DISPATCH(Attention)(args, pool);
}

}  // namespace engine::ops
#endif  // HWY_ONCE
