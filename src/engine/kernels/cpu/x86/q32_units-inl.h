// The x8-unit tiles of the 32-element block types, Q8_0 and Q4_0 weights against Q8_0
// activations, written once against a byte dot product `Dot` (Avx2Dot in avx2_common.h, VnniDot
// in avx512_vnni.cpp). Include inside a target region and an anonymous namespace of
// engine::kernels::x86, after avx2_common.h, once per instruction set.
//
// Each vector holds four quants of each of the eight rows (cpu/unit_packing.h); Dot's products
// against four broadcast activation bytes leave each row's sums in its own lanes, so a block's sum
// needs no horizontal adds, and one multiply-add applies the eight rows' block scales. Q4_0
// nibbles are unsigned; their -8 offset is applied once per block as -8 * sum(y).

template <class Dot, int RN>
struct Q8_0Unit {
  static void run(const TileArgs& args, const uint8_t* unit, size_t t0, float* y) {
    const size_t nb = args.w.n_in / kQK8_0;
    const size_t stride = kUnitRows * sizeof(BlockQ8_0);
    __m256 acc[RN];
    ActRow a[RN];
    start_tokens(args.act, t0, acc, a);
    for (size_t b = 0; b < nb; ++b) {
      const uint8_t* p = unit + b * stride;
      __m256i isum[RN];
      for (int t = 0; t < RN; ++t) isum[t] = _mm256_setzero_si256();
      for (int k = 0; k < 8; ++k) {
        const auto w = Dot::signed_weights(load256(p + unit8::kQ32Qs + k * unit8::kVector));
        for (int t = 0; t < RN; ++t) {
          isum[t] = Dot::add_signed(isum[t], w, bcast4(act_quants(a[t]) + b * kQK8_0 + 4 * k));
          AL_KEEP_IN_REGISTER(isum[t]);
        }
      }
      const __m256 d = load_fp16x8(p + unit8::kQ32D);
      for (int t = 0; t < RN; ++t) {
        const __m256i s = Dot::signed_sum(isum[t], a[t].sum[b]);
        acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(d, _mm256_set1_ps(a[t].d[b])),
                                 acc[t]);
      }
    }
    for (int t = 0; t < RN; ++t) _mm256_storeu_ps(y + t * args.ldy, acc[t]);
  }
};

template <class Dot, int RN>
struct Q4_0Unit {
  // Eight add()s (four vectors, low and high nibbles) per block.
  static_assert(Dot::runs(15) >= 8);

  static void run(const TileArgs& args, const uint8_t* unit, size_t t0, float* y) {
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const size_t nb = args.w.n_in / kQK4_0;
    const size_t stride = kUnitRows * sizeof(BlockQ4_0);
    __m256 acc[RN];
    ActRow a[RN];
    start_tokens(args.act, t0, acc, a);
    for (size_t b = 0; b < nb; ++b) {
      const uint8_t* p = unit + b * stride;
      typename Dot::Acc s[RN];
      for (int t = 0; t < RN; ++t) s[t] = Dot::zero();
      for (int k = 0; k < 4; ++k) {
        const __m256i v = load256(p + unit8::kQ32Qs + k * unit8::kVector);
        const __m256i lo = _mm256_and_si256(v, low4);                        // elements 4k..
        const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);  // elements 16 + 4k..
        for (int t = 0; t < RN; ++t) {
          const int8_t* yq = act_quants(a[t]) + b * kQK4_0 + 4 * k;
          s[t] = Dot::add(Dot::add(s[t], lo, bcast4(yq)), hi, bcast4(yq + 16));
        }
      }
      const __m256 d = load_fp16x8(p + unit8::kQ32D);
      for (int t = 0; t < RN; ++t) {
        const __m256i sum = _mm256_sub_epi32(Dot::sum(s[t]), _mm256_set1_epi32(8 * a[t].sum[b]));
        acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum),
                                 _mm256_mul_ps(d, _mm256_set1_ps(a[t].d[b])), acc[t]);
      }
    }
    for (int t = 0; t < RN; ++t) _mm256_storeu_ps(y + t * args.ldy, acc[t]);
  }
};
