// The float weight tiles (F32, F16, BF16), compiled by Highway for every x86 target; each getter
// returns the tile of the target Highway chose for this CPU (tests force others with
// hwy::SetSupportedTargetsForTest before asking).
#pragma once

#include "engine/kernels/tile.h"

namespace engine::kernels {

TileFn float_tile_f32();
TileFn float_tile_f16();
TileFn float_tile_bf16();

}  // namespace engine::kernels
