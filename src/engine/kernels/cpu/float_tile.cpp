// Dispatch of the float tiles (float_tile-inl.h) to the best target this CPU runs.
#include "engine/kernels/cpu/float_tile.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/kernels/cpu/float_tile-inl.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "hwy/highway.h"

// The static target (foreach_target.h above included the file for every other target).
#include "engine/kernels/cpu/float_tile-inl.h"

#if HWY_ONCE
namespace engine::kernels {

HWY_EXPORT(TileF32);
HWY_EXPORT(TileF16);
HWY_EXPORT(TileBF16);

// The table entry of the target Highway has chosen (index 0, before the first choice, is a
// trampoline that makes the choice and then calls the chosen function).
TileFn float_tile_f32() {
  return HWY_DISPATCH_TABLE(TileF32)[hwy::GetChosenTarget().GetIndex()];
}
TileFn float_tile_f16() {
  return HWY_DISPATCH_TABLE(TileF16)[hwy::GetChosenTarget().GetIndex()];
}
TileFn float_tile_bf16() {
  return HWY_DISPATCH_TABLE(TileBF16)[hwy::GetChosenTarget().GetIndex()];
}

}  // namespace engine::kernels
#endif  // HWY_ONCE
