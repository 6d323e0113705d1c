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

// The K-quant kernels of one group of four rows in ggml blocks (avx2_qk.cpp), for the tiles of
// avx2_qk8.cpp: group g of args, all of args' tokens.
void q4k_groups_avx2(const TileArgs& args, size_t g);
void q5k_groups_avx2(const TileArgs& args, size_t g);
void q6k_groups_avx2(const TileArgs& args, size_t g);

}  // namespace engine::kernels::x86
