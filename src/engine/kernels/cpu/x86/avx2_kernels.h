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

}  // namespace engine::kernels::x86
