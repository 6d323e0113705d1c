// The intrinsics of the x86 kernels and the target regions they are compiled in. Include this only
// from files under cpu/x86/, after every other header, and define kernels between
// AL_AVX2_BEGIN/END (AVX2, FMA, F16C), AL_AVX512_BEGIN/END (those plus AVX-512 F, BW, VL and
// VNNI) or AL_AVX512_BF16_BEGIN/END (those plus AVX-512 BF16), so nothing outside the kernels is
// compiled for those instructions (an inline library function compiled there could otherwise be
// picked by the linker for callers that run on CPUs without them).
//
// With AL_X86_EMULATE defined, SIMDe (libsimde-dev) implements every intrinsic in portable code
// and the regions are empty: the test build `unit_kernels_x86_emulated` runs the AVX-512 kernels
// on CPUs that do not have AVX-512.
#pragma once

#if defined(AL_X86_EMULATE)

#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#include <simde/x86/f16c.h>
#include <simde/x86/fma.h>

#define AL_AVX2_BEGIN
#define AL_AVX2_END
#define AL_AVX512_BEGIN
#define AL_AVX512_END
#define AL_AVX512_BF16_BEGIN
#define AL_AVX512_BF16_END
#define AL_KEEP_IN_REGISTER(v) static_cast<void>(v)

#else

#include <immintrin.h>

#define AL_X86_PRAGMA(x) _Pragma(#x)
#if defined(__clang__)
#define AL_AVX2_BEGIN \
  AL_X86_PRAGMA(clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function))
#define AL_AVX512_BEGIN                                                              \
  AL_X86_PRAGMA(clang attribute push(                                                \
      __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni"))), \
      apply_to = function))
#define AL_AVX512_BF16_BEGIN                                                                    \
  AL_X86_PRAGMA(clang attribute push(                                                           \
      __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni,avx512bf16"))), \
      apply_to = function))
#define AL_AVX2_END AL_X86_PRAGMA(clang attribute pop)
#define AL_AVX512_END AL_X86_PRAGMA(clang attribute pop)
#define AL_AVX512_BF16_END AL_X86_PRAGMA(clang attribute pop)
#else
#define AL_AVX2_BEGIN AL_X86_PRAGMA(GCC push_options) AL_X86_PRAGMA(GCC target("avx2,fma,f16c"))
#define AL_AVX512_BEGIN           \
  AL_X86_PRAGMA(GCC push_options) \
  AL_X86_PRAGMA(GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni"))
#define AL_AVX512_BF16_BEGIN      \
  AL_X86_PRAGMA(GCC push_options) \
  AL_X86_PRAGMA(GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni,avx512bf16"))
#define AL_AVX2_END AL_X86_PRAGMA(GCC pop_options)
#define AL_AVX512_END AL_X86_PRAGMA(GCC pop_options)
#define AL_AVX512_BF16_END AL_X86_PRAGMA(GCC pop_options)
#endif
// Keeps GCC from regrouping integer sums across a loop (it would hold all the products at once
// and spill them).
#define AL_KEEP_IN_REGISTER(v) asm("" : "+x"(v))

#endif
