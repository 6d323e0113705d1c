// AVX2 tiles of the K-quants: units of eight rows (x8 layout) run qk_units-inl.h with Avx2Dot,
// other groups the four-row kernels of avx2_qk.cpp.
#include <cstddef>
#include <cstdint>

#include "engine/kernels/blocks.h"
#include "engine/kernels/cpu/unit_packing.h"
#include "engine/kernels/cpu/x86/x86_kernels.h"
#include "engine/kernels/tile.h"

#include "engine/kernels/cpu/x86/avx2_common.h"

namespace engine::kernels::x86 {

AL_AVX2_BEGIN
namespace {

#include "engine/kernels/cpu/x86/qk_units-inl.h"

template <int RN>
using Q4KAvx2Unit = Q45KUnit<Avx2Dot, false, RN>;
template <int RN>
using Q5KAvx2Unit = Q45KUnit<Avx2Dot, true, RN>;
template <int RN>
using Q6KAvx2Unit = Q6KUnit<Avx2Dot, RN>;

}  // namespace

void tile_q4k_avx2(const TileArgs& args) {
  unit_tile<Q4KAvx2Unit, 3, q4k_groups_avx2>(args);
}

void tile_q5k_avx2(const TileArgs& args) {
  unit_tile<Q5KAvx2Unit, 3, q5k_groups_avx2>(args);
}

void tile_q6k_avx2(const TileArgs& args) {
  unit_tile<Q6KAvx2Unit, 2, q6k_groups_avx2>(args);
}

AL_AVX2_END

}  // namespace engine::kernels::x86
