// The x86 tile kernels of the quantized types and of BF16, written with intrinsics because the dot
// products they are built on (vpmaddubsw, vpdpbusd, vdpbf16ps) have no Highway op in the Highway we
// build with. Each computes what the matching dot_*_ref in dot_ref.h computes; see tile.h for the
// contract. The one place that reads the CPU's features for them is x86_level().
#pragma once

#include <cstddef>

#include "engine/kernels/tile.h"

namespace engine::kernels::x86 {

enum class X86Level {
  kNone,        // neither: the portable reference tiles
  kAvx2,        // AVX2, FMA, F16C
  kAvx512Vnni,  // those plus AVX-512 F, BW, VL and VNNI (vpdpbusd at 256 bits)
  kAvx512Bf16,  // those plus AVX-512 BF16 (vdpbf16ps); every CPU with it has VNNI too
};

// The best level this CPU runs (checked once), lowered by cap_x86_level_for_test.
X86Level x86_level();
// The best level this CPU runs.
X86Level x86_cpu_level();
// For tests: tiles picked from now on use no level above `level` (kX86LevelUncapped undoes it).
void cap_x86_level_for_test(X86Level level);
inline constexpr X86Level kX86LevelUncapped = X86Level::kAvx512Bf16;

// AVX2 (avx2_q32.cpp, avx2_qk8.cpp).
void tile_q8_0_avx2(const TileArgs& args);
void tile_q4_0_avx2(const TileArgs& args);
void tile_q4k_avx2(const TileArgs& args);
void tile_q5k_avx2(const TileArgs& args);
void tile_q6k_avx2(const TileArgs& args);

// AVX-512 VNNI (avx512_vnni.cpp): the x8 units; other groups run the AVX2 group kernels.
void tile_q8_0_vnni(const TileArgs& args);
void tile_q4_0_vnni(const TileArgs& args);
void tile_q4k_vnni(const TileArgs& args);
void tile_q5k_vnni(const TileArgs& args);
void tile_q6k_vnni(const TileArgs& args);

// AVX-512 BF16 (avx512_bf16.cpp): BF16 weights x BF16 activations; below this level BF16 runs
// the Highway float tile (cpu/float_tile.h).
void tile_bf16_dpbf16(const TileArgs& args);

// The kernels of one group of four rows in ggml blocks (avx2_q32.cpp, avx2_qk.cpp), for the tiles
// of both levels: group g of args, all of args' tokens.
void q8_0_groups_avx2(const TileArgs& args, size_t g);
void q4_0_groups_avx2(const TileArgs& args, size_t g);
void q4k_groups_avx2(const TileArgs& args, size_t g);
void q5k_groups_avx2(const TileArgs& args, size_t g);
void q6k_groups_avx2(const TileArgs& args, size_t g);

}  // namespace engine::kernels::x86
