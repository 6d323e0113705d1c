#!/usr/bin/env bash
# Our matmul against llama.cpp's (bench/kernels/llama_cpp_matmul.cc, built by hand to $LLAMA) on
# the same shapes, alternating the two so that both see the same load; each figure is the fastest
# call of a 2-second run (GB/s of weights for mat-vec, GFLOP/s for mat-mat).
#   bench/kernels/compare_llama_cpp.sh BUILD_DIR [LLAMA_BINARY]
set -euo pipefail
build=${1:?usage: compare_llama_cpp.sh BUILD_DIR [LLAMA_BINARY]}
llama=${2:-/tmp/llama_cpp_matmul}
ours() {  # type n_out n_in tokens threads cold
  "$build/bench_kernels" --benchmark_min_time=2 \
      --benchmark_filter="^mat(vec|mat)/type:$1/n_out:$2/n_in:$3/tok:$4/thr:$5/repack:1/cold:$6/x86:0/" 2>/dev/null |
    sed -nE 's/.*best_(GB|GFLOP)\/s=([0-9.]+).*/\2/p'
}
theirs() {  # type n_out n_in tokens threads repack cold
  "$llama" "$1" "$2" "$3" "$4" "$5" "$6" 2 "$7" 2>/dev/null |
    sed -nE 's/.*(GB|GFLOP)\/s best ([0-9.]+).*/\2/p'
}
# type ids: 8 q8_0, 2 q4_0, 12 q4_K, 13 q5_K, 14 q6_K, 1 f16, 30 bf16, 0 f32. llama.cpp repacks
# q4_0 and q4_K on AVX2 (REPACK 1), the others it runs from the GGUF layout.
while read -r name type n_out n_in tokens threads cold repack; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  o=$(ours "$type" "$n_out" "$n_in" "$tokens" "$threads" "$cold")
  t=$(theirs "$type" "$n_out" "$n_in" "$tokens" "$threads" "$repack" "$cold")
  unit=$([[ $tokens == 1 ]] && echo GB/s || echo GFLOP/s)
  printf '%-14s %5s %6sx%-5s tok %3s thr %s: ours %7.1f, llama.cpp %7.1f %s\n' \
    "$name" "$([[ $cold == 1 ]] && echo cold || echo hot)" "$n_out" "$n_in" "$tokens" "$threads" \
    "$o" "$t" "$unit"
done <<'CONFIGS'
# hot, one thread: the kernels' compute rate
q8_0 8 1024 1024 1 1 0 0
q4_0 2 1024 1024 1 1 0 1
q4_K 12 1024 1024 1 1 0 1
q5_K 13 1024 1024 1 1 0 0
q6_K 14 1024 1024 1 1 0 0
f16 1 1024 1024 1 1 0 0
bf16 30 1024 1024 1 1 0 0
f32 0 1024 1024 1 1 0 0
q8_0 8 256 1024 64 1 0 0
q4_0 2 256 1024 64 1 0 1
q4_K 12 256 1024 64 1 0 1
q5_K 13 256 1024 64 1 0 0
q6_K 14 256 1024 64 1 0 0
f16 1 256 1024 64 1 0 0
bf16 30 256 1024 64 1 0 0
f32 0 256 1024 64 1 0 0
# Qwen3-0.6B shapes: decode from memory, prefill of 512 tokens, 1 and 2 threads
q8_0 8 3072 1024 1 1 1 0
q8_0 8 3072 1024 1 2 1 0
q8_0 8 151936 1024 1 2 1 0
q4_K 12 3072 1024 1 2 1 1
q6_K 14 3072 1024 1 2 1 0
q8_0 8 3072 1024 512 1 0 0
q8_0 8 3072 1024 512 2 0 0
q8_0 8 1024 3072 512 2 0 0
q4_0 2 3072 1024 512 2 0 1
q4_K 12 3072 1024 512 2 0 1
q6_K 14 3072 1024 512 2 0 0
CONFIGS
