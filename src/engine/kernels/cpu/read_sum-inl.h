// A memory read loop for the bandwidth probe (bandwidth.cpp): XOR of every 64-bit word, so the
// loads cannot be skipped and the arithmetic costs nothing next to them.

#if defined(ENGINE_KERNELS_CPU_READ_SUM_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef ENGINE_KERNELS_CPU_READ_SUM_INL_H_
#undef ENGINE_KERNELS_CPU_READ_SUM_INL_H_
#else
#define ENGINE_KERNELS_CPU_READ_SUM_INL_H_
#endif

#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace engine::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// XOR of n words at p (n a multiple of 4 vectors).
uint64_t ReadSum(const uint64_t* p, size_t n) {
  const hn::ScalableTag<uint64_t> d;
  const size_t lanes = hn::Lanes(d);
  auto a0 = hn::Zero(d), a1 = hn::Zero(d), a2 = hn::Zero(d), a3 = hn::Zero(d);
  for (size_t i = 0; i + 4 * lanes <= n; i += 4 * lanes) {
    a0 = hn::Xor(a0, hn::LoadU(d, p + i));
    a1 = hn::Xor(a1, hn::LoadU(d, p + i + lanes));
    a2 = hn::Xor(a2, hn::LoadU(d, p + i + 2 * lanes));
    a3 = hn::Xor(a3, hn::LoadU(d, p + i + 3 * lanes));
  }
  const auto x = hn::Xor(hn::Xor(a0, a1), hn::Xor(a2, a3));
  uint64_t out = 0;
  for (size_t i = 0; i < lanes; ++i) out ^= hn::ExtractLane(x, i);
  return out;
}

}  // namespace engine::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // include guard toggled per target
