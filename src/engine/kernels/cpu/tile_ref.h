// The portable tile kernel: every (row, token) pair through the scalar reference dot product.
// Runs on any CPU; reads the row-major (GGUF) layout only.
#pragma once

#include <algorithm>

#include "engine/kernels/activations.h"
#include "engine/kernels/check.h"
#include "engine/kernels/tile.h"

namespace engine::kernels {

using DotRefFn = float (*)(const void* w, const ActRow& a, size_t n);

template <DotRefFn kDot>
void tile_ref(const TileArgs& args) {
  KERNELS_CHECK(args.w.packing == Packing::kRowMajor);
  const size_t r_end = std::min(args.g1 * kGroupRows, args.w.n_out);
  for (size_t t = args.t0; t < args.t1; ++t) {
    const ActRow a = args.act.row(t);
    for (size_t r = args.g0 * kGroupRows; r < r_end; ++r) {
      args.y[t * args.ldy + r] = kDot(args.w.data + r * args.w.row_bytes, a, args.w.n_in);
    }
  }
}

}  // namespace engine::kernels
