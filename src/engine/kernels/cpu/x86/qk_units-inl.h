// The x8-unit tiles of the K-quants (Q4_K, Q5_K, Q6_K against Q8_K activations), written once
// against a byte dot product `Dot` (Avx2Dot in avx2_common.h, VnniDot in avx512_vnni.cpp).
// Include inside a target region and an anonymous namespace of engine::kernels::x86, after
// avx2_common.h, once per instruction set.
//
// Each 32-byte vector holds four consecutive quants of each of the eight rows (cpu/unit_packing.h),
// so Dot's products against four activation bytes broadcast to all lanes leave every row's sums
// in its own lanes; no horizontal adds. Products add up in an accumulator as far as it holds them
// (Avx2Dot's s16: Q4_K eight vectors, Q5_K four, Q6_K two), then one scaled_sum applies the eight
// rows' sub-block scales at once. The mins (Q4_K, Q5_K) and the -32 offset (Q6_K) come from the
// activations' per-16 sums.

// vpshufb masks for scale vectors whose row r holds four scale bytes at 4r (4(r - 4) in the high
// half): kScaleMasks.zero_extend[j] puts byte j of each row into both s16 lanes of that row (the
// lanes of its two pair sums), zero-extended; sign_shifted[j] puts it into the high byte of the
// lanes, for an arithmetic shift right by 8 to sign-extend (Q6_K's scales are signed).
struct ScaleMasks {
  alignas(32) int8_t zero_extend[4][32];
  alignas(32) int8_t sign_shifted[4][32];
};
constexpr ScaleMasks make_scale_masks() {
  ScaleMasks m{};
  for (int j = 0; j < 4; ++j) {
    for (int i = 0; i < 32; ++i) {
      const auto byte = static_cast<int8_t>(4 * ((i % 16) / 4) + j);
      m.zero_extend[j][i] = i % 2 == 0 ? byte : int8_t{-128};
      m.sign_shifted[j][i] = i % 2 == 1 ? byte : int8_t{-128};
    }
  }
  return m;
}
constexpr ScaleMasks kScaleMasks = make_scale_masks();

inline __m256i mask_of(const int8_t (&bytes)[32]) {
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(bytes));
}

// The eight sub-block (32-element) sums of token row a's super-block sb, as s16.
inline __m128i sub_block_sums(const ActRow& a, size_t sb) {
  const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.bsum + sb * 16));
  return _mm_hadd_epi16(_mm256_castsi256_si128(bs), _mm256_extracti128_si256(bs, 1));
}

// [r0 r1 r4 r5 | r2 r3 r6 r7] -> r0..r7, the order of _mm256_hadd_epi32(rows 0-3, rows 4-7).
inline __m256i rows_in_order(__m256i v) {
  return _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7));
}

// ---- Q4_K, Q5_K

// The eight rows' 6-bit scales and mins, from the three scale-word vectors (as
// unpack_scale_min_k4: bytes 0-3 hold scales 0-3 and the high 2 bits of scales 4-7, bytes 4-7
// the same for the mins, bytes 8-11 the low 4 bits of scales 4-7 and of mins 4-7).
struct UnitScales {
  __m256i sc03, sc47;                                  // per row, four scale bytes
  __m256i mins03_lo, mins47_lo, mins03_hi, mins47_hi;  // s16 mins of rows 0-3 (lo), 4-7 (hi)
};

inline UnitScales unit_scales(const uint8_t* words) {
  const __m256i u0 = load256(words), u1 = load256(words + 32), u2 = load256(words + 64);
  const __m256i low6 = _mm256_set1_epi8(0x3F), low4 = _mm256_set1_epi8(0x0F);
  const __m256i low2 = _mm256_set1_epi8(0x03);
  UnitScales s;
  s.sc03 = _mm256_and_si256(u0, low6);
  const __m256i mn03 = _mm256_and_si256(u1, low6);
  s.sc47 = _mm256_or_si256(_mm256_and_si256(u2, low4),
                           _mm256_slli_epi32(_mm256_and_si256(_mm256_srli_epi32(u0, 6), low2), 4));
  const __m256i mn47 =
      _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi32(u2, 4), low4),
                      _mm256_slli_epi32(_mm256_and_si256(_mm256_srli_epi32(u1, 6), low2), 4));
  s.mins03_lo = _mm256_cvtepu8_epi16(_mm256_castsi256_si128(mn03));
  s.mins47_lo = _mm256_cvtepu8_epi16(_mm256_castsi256_si128(mn47));
  s.mins03_hi = _mm256_cvtepu8_epi16(_mm256_extracti128_si256(mn03, 1));
  s.mins47_hi = _mm256_cvtepu8_epi16(_mm256_extracti128_si256(mn47, 1));
  return s;
}

// Sub-block j's scale of each row, in both s16 lanes of the row.
inline __m256i sub_block_scale(const UnitScales& s, int j) {
  return _mm256_shuffle_epi8(j < 4 ? s.sc03 : s.sc47, mask_of(kScaleMasks.zero_extend[j % 4]));
}

// sum_j min_j * ysum_j for each of the eight rows.
inline __m256i unit_min_sums(const UnitScales& s, __m128i ysum) {
  const __m256i y03 = _mm256_broadcastq_epi64(ysum);
  const __m256i y47 = _mm256_broadcastq_epi64(_mm_srli_si128(ysum, 8));
  const __m256i lo =
      _mm256_add_epi32(_mm256_madd_epi16(s.mins03_lo, y03), _mm256_madd_epi16(s.mins47_lo, y47));
  const __m256i hi =
      _mm256_add_epi32(_mm256_madd_epi16(s.mins03_hi, y03), _mm256_madd_epi16(s.mins47_hi, y47));
  return rows_in_order(_mm256_hadd_epi32(lo, hi));
}

// The fifth bit of the quants of vector k for sub-block `bit` (Q5_K): 16 where set.
inline __m256i fifth_bit(__m256i qh, int bit) {
  return _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, bit), _mm256_set1_epi8(1)), 4);
}

template <class Dot, bool kQ5, int RN>
struct Q45KUnit {
  static void run(const TileArgs& args, const uint8_t* unit, size_t t0, float* y) {
    constexpr size_t kBlock = kQ5 ? sizeof(BlockQ5K) : sizeof(BlockQ4K);
    constexpr size_t kQs = kQ5 ? unit8::kQ5KQs : unit8::kQ4KQs;
    // add()s per Dot accumulator: up to a sub-block's eight vectors, as far as they fit.
    constexpr int kRun = Dot::runs(kQ5 ? 31 : 15) < 8 ? Dot::runs(kQ5 ? 31 : 15) : 8;
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const size_t nsb = args.w.n_in / kQK_K;
    __m256 acc[RN];
    ActRow a[RN];
    start_tokens(args.act, t0, acc, a);
    for (size_t sb = 0; sb < nsb; ++sb) {
      const uint8_t* p = unit + sb * kUnitRows * kBlock;
      prefetch_ahead(p, kUnitRows * kBlock);
      const UnitScales s = unit_scales(p + unit8::kKScaleWords);
      __m256i isum[RN];
      for (int t = 0; t < RN; ++t) isum[t] = _mm256_setzero_si256();
      for (int jp = 0; jp < 4; ++jp) {  // sub-blocks 2jp (low nibbles) and 2jp + 1 (high)
        const __m256i sc_lo = Dot::scale_of(sub_block_scale(s, 2 * jp));
        const __m256i sc_hi = Dot::scale_of(sub_block_scale(s, 2 * jp + 1));
        for (int k0 = 0; k0 < 8; k0 += kRun) {
          typename Dot::Acc s_lo[RN], s_hi[RN];
          for (int t = 0; t < RN; ++t) s_lo[t] = s_hi[t] = Dot::zero();
          for (int k = k0; k < k0 + kRun; ++k) {
            const __m256i v = load256(p + kQs + (jp * 8 + k) * unit8::kVector);
            __m256i lo = _mm256_and_si256(v, low4);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
            if constexpr (kQ5) {
              const __m256i qh = load256(p + unit8::kQ5KQh + k * unit8::kVector);
              lo = _mm256_or_si256(lo, fifth_bit(qh, 2 * jp));
              hi = _mm256_or_si256(hi, fifth_bit(qh, 2 * jp + 1));
            }
            for (int t = 0; t < RN; ++t) {
              const int8_t* yq = act_quants(a[t]) + sb * kQK_K + 64 * jp + 4 * k;
              s_lo[t] = Dot::add(s_lo[t], lo, bcast4(yq));
              s_hi[t] = Dot::add(s_hi[t], hi, bcast4(yq + 32));
            }
          }
          for (int t = 0; t < RN; ++t) {
            isum[t] = _mm256_add_epi32(isum[t], _mm256_add_epi32(Dot::scaled_sum(s_lo[t], sc_lo),
                                                                 Dot::scaled_sum(s_hi[t], sc_hi)));
          }
        }
      }
      const __m256 d = load_fp16x8(p + unit8::kKD);
      const __m256 dmin = load_fp16x8(p + unit8::kKDmin);
      for (int t = 0; t < RN; ++t) {
        const __m256 m = _mm256_cvtepi32_ps(unit_min_sums(s, sub_block_sums(a[t], sb)));
        const __m256 v = _mm256_fmsub_ps(d, _mm256_cvtepi32_ps(isum[t]), _mm256_mul_ps(dmin, m));
        acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(a[t].d[sb]), v, acc[t]);
      }
    }
    for (int t = 0; t < RN; ++t) _mm256_storeu_ps(y + t * args.ldy, acc[t]);
  }
};

// ---- Q6_K

// sum_i scale_i * bsum_i for each of the eight rows (the -32 offset, before the factor 32).
inline __m256i q6_offset_sums(const uint8_t* scale_vectors, const int16_t* bsum) {
  __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
  for (int v = 0; v < 4; ++v) {
    const __m256i sv = load256(scale_vectors + v * unit8::kVector);
    int64_t four;  // bsums 4v .. 4v + 3
    __builtin_memcpy(&four, bsum + 4 * v, sizeof four);
    const __m256i b = _mm256_set1_epi64x(four);
    lo = _mm256_add_epi32(lo,
                          _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm256_castsi256_si128(sv)), b));
    hi = _mm256_add_epi32(
        hi, _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm256_extracti128_si256(sv, 1)), b));
  }
  return rows_in_order(_mm256_hadd_epi32(lo, hi));
}

template <class Dot, int RN>
struct Q6KUnit {
  // add()s per Dot accumulator: up to the four vectors of a 16-element sub-block, as far as they
  // fit.
  static constexpr int kRun = Dot::runs(63) < 4 ? Dot::runs(63) : 4;

  static void run(const TileArgs& args, const uint8_t* unit, size_t t0, float* y) {
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const __m256i bits45 = _mm256_set1_epi8(0x30);
    const size_t nsb = args.w.n_in / kQK_K;
    __m256 acc[RN];
    ActRow a[RN];
    start_tokens(args.act, t0, acc, a);
    for (size_t sb = 0; sb < nsb; ++sb) {
      const uint8_t* p = unit + sb * kUnitRows * sizeof(BlockQ6K);
      prefetch_ahead(p, kUnitRows * sizeof(BlockQ6K));
      __m256i isum[RN];
      for (int t = 0; t < RN; ++t) {
        isum[t] = _mm256_sub_epi32(
            _mm256_setzero_si256(),
            _mm256_slli_epi32(q6_offset_sums(p + unit8::kQ6Scales, a[t].bsum + sb * 16), 5));
      }
      for (int h = 0; h < 2; ++h) {
        for (int k0 = 0; k0 < 8; k0 += kRun) {
          // Sub-block of elements 128h + 32g + 4k: 8h + 2g + k / 4.
          __m256i sc[4];
          for (int g = 0; g < 4; ++g) {
            const int i = 8 * h + 2 * g + k0 / 4;
            const __m256i bytes =
                _mm256_shuffle_epi8(load256(p + unit8::kQ6Scales + (i / 4) * unit8::kVector),
                                    mask_of(kScaleMasks.sign_shifted[i % 4]));
            sc[g] = Dot::scale_of(_mm256_srai_epi16(bytes, 8));
          }
          typename Dot::Acc s16[4][RN];
          for (int g = 0; g < 4; ++g) {
            for (int t = 0; t < RN; ++t) s16[g][t] = Dot::zero();
          }
          for (int k = k0; k < k0 + kRun; ++k) {
            const __m256i la = load256(p + unit8::kQ6Ql + ((h * 2 + 0) * 8 + k) * unit8::kVector);
            const __m256i lb = load256(p + unit8::kQ6Ql + ((h * 2 + 1) * 8 + k) * unit8::kVector);
            const __m256i qh = load256(p + unit8::kQ6Qh + (h * 8 + k) * unit8::kVector);
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(la, low4),
                                   _mm256_and_si256(_mm256_slli_epi16(qh, 4), bits45));
            q[1] = _mm256_or_si256(_mm256_and_si256(lb, low4),
                                   _mm256_and_si256(_mm256_slli_epi16(qh, 2), bits45));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(la, 4), low4),
                                   _mm256_and_si256(qh, bits45));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(lb, 4), low4),
                                   _mm256_and_si256(_mm256_srli_epi16(qh, 2), bits45));
            for (int g = 0; g < 4; ++g) {
              for (int t = 0; t < RN; ++t) {
                const int8_t* yq = act_quants(a[t]) + sb * kQK_K + 128 * h + 32 * g + 4 * k;
                s16[g][t] = Dot::add(s16[g][t], q[g], bcast4(yq));
              }
            }
          }
          for (int g = 0; g < 4; ++g) {
            for (int t = 0; t < RN; ++t) {
              isum[t] = _mm256_add_epi32(isum[t], Dot::scaled_sum(s16[g][t], sc[g]));
            }
          }
        }
      }
      const __m256 d = load_fp16x8(p + unit8::kQ6D);
      for (int t = 0; t < RN; ++t) {
        acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, _mm256_set1_ps(a[t].d[sb])),
                                 _mm256_cvtepi32_ps(isum[t]), acc[t]);
      }
    }
    for (int t = 0; t < RN; ++t) _mm256_storeu_ps(y + t * args.ldy, acc[t]);
  }
};
