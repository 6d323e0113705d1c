#include <atomic>

#include "engine/kernels/cpu/x86/x86_kernels.h"

namespace engine::kernels::x86 {
namespace {

X86Level detect() {
#if defined(AL_X86_EMULATE)
  return X86Level::kAvx512Bf16;  // SIMDe runs every intrinsic on any CPU
#else
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                    __builtin_cpu_supports("f16c");
  if (!avx2) return X86Level::kNone;
  const bool vnni = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                    __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
  if (!vnni) return X86Level::kAvx2;
  return __builtin_cpu_supports("avx512bf16") ? X86Level::kAvx512Bf16 : X86Level::kAvx512Vnni;
#endif
}

std::atomic<X86Level> g_cap{kX86LevelUncapped};

}  // namespace

X86Level x86_cpu_level() {
  static const X86Level level = detect();
  return level;
}

X86Level x86_level() {
  const X86Level cap = g_cap.load(std::memory_order_relaxed);
  return x86_cpu_level() < cap ? x86_cpu_level() : cap;
}

void cap_x86_level_for_test(X86Level level) {
  g_cap.store(level, std::memory_order_relaxed);
}

}  // namespace engine::kernels::x86
