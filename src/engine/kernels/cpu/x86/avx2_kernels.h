// The AVX2 (+FMA, F16C) tile kernels of the quantized types, written with intrinsics because the
// byte dot product they are built on (vpmaddubsw) has no Highway op in the Highway we build with.
// Each computes what the matching dot_*_ref in dot_ref.h computes; see tile.h for the contract.
#pragma once

#include "engine/kernels/tile.h"

namespace engine::kernels::x86 {

// True when this CPU runs AVX2, FMA and F16C (checked once).
bool cpu_has_avx2();

void tile_q8_0_avx2(const TileArgs& args);
void tile_q4_0_avx2(const TileArgs& args);
void tile_q4k_avx2(const TileArgs& args);
void tile_q5k_avx2(const TileArgs& args);
void tile_q6k_avx2(const TileArgs& args);

// The Q4_K kernel of one unit of eight rows in the x8 layout (tile_q4k_avx2 calls it):
// y[t * ldy + r] for tokens [t0, t1) and the unit's rows r = 0..7.
void q4k_unit8_avx2(const uint8_t* unit, size_t nsb, size_t sb_stride, const ActView& act,
                    size_t t0, size_t t1, float* y, size_t ldy);

}  // namespace engine::kernels::x86
