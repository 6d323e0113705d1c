// Times llama.cpp's own CPU mul_mat on random weights, for docs/PERFORMANCE.md: the same shapes and
// the same "fastest call" measure as matmul_bench.cpp, through ggml's backend API (with its
// CPU_REPACK buffer type where llama.cpp repacks: Q4_0, Q4_K on AVX2).
//
// Not part of the CMake build (ggml is not a dependency of this project): it is compiled by hand
// against the headers of github.com/ggml-org/ggml and linked with the prebuilt CPU backend that
// node-llama-cpp ships (build/node/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64), the one
// llama.cpp itself loads on this CPU (libggml-cpu-haswell.so for AVX2 without AVX-512):
//   L=build/node/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64
//   g++ -O2 -std=c++17 -I<ggml>/include bench/kernels/llama_cpp_matmul.cc -o /tmp/llama_cpp_matmul
//   \
//       -L$L -l:libggml-cpu-haswell.so -l:libggml-base.so -Wl,-rpath,$L
//   /tmp/llama_cpp_matmul TYPE N_OUT N_IN N_TOKENS THREADS REPACK [MIN_SECONDS [COLD]]
// TYPE is ggml's type id (0 f32, 1 f16, 2 q4_0, 8 q8_0, 12 q4_K, 13 q5_K, 14 q6_K, 30 bf16).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>
#include "ggml-alloc.h"
#include "ggml-backend.h"
#include "ggml-cpu.h"
#include "ggml.h"
ggml_backend_buffer_type_t ggml_backend_cpu_repack_buffer_type();

int main(int argc, char** argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: type n_out n_in n_tokens threads repack [min_seconds [cold]]\n");
    return 1;
  }
  const ggml_type type = (ggml_type)atoi(argv[1]);
  const int64_t n_out = atoll(argv[2]), n_in = atoll(argv[3]), n_tok = atoll(argv[4]);
  const int threads = atoi(argv[5]);
  const bool repack = atoi(argv[6]);
  const double min_s = argc > 7 ? atof(argv[7]) : 2.0;
  const bool cold = argc > 8 ? atoi(argv[8]) != 0 : n_tok == 1;
  ggml_backend_t backend = ggml_backend_cpu_init();
  ggml_backend_cpu_set_n_threads(backend, threads);
  // weights: cold (default for mat-vec): enough copies to overflow the LLC, as decode sees them
  // and as matmul_bench.cpp measures
  const size_t one = ggml_row_size(type, n_in) * n_out;
  const int copies = cold ? (int)std::max<size_t>(1, ((size_t)160 << 20) / one + 1) : 1;
  ggml_init_params wp = {ggml_tensor_overhead() * (copies + 4), nullptr, true};
  ggml_context* wctx = ggml_init(wp);
  std::vector<ggml_tensor*> Ws;
  for (int c = 0; c < copies; ++c) Ws.push_back(ggml_new_tensor_2d(wctx, type, n_in, n_out));
  ggml_tensor* W = Ws[0];
  ggml_backend_buffer_type_t wbuft =
      repack ? ggml_backend_cpu_repack_buffer_type() : ggml_backend_cpu_buffer_type();
  ggml_backend_buffer_t wbuf = ggml_backend_alloc_ctx_tensors_from_buft(wctx, wbuft);
  if (!wbuf) {
    fprintf(stderr, "alloc failed\n");
    return 1;
  }
  {
    std::mt19937 rng(1);
    std::normal_distribution<float> nd(0, 0.05f);
    std::vector<float> rows(n_in * 64);
    for (auto& v : rows) v = nd(rng);
    const size_t rb = ggml_row_size(type, n_in);
    std::vector<uint8_t> q(rb * n_out);
    std::vector<uint8_t> q64(rb * 64);
    ggml_quantize_chunk(type, rows.data(), q64.data(), 0, 64, n_in, nullptr);
    for (int64_t r = 0; r < n_out; ++r) memcpy(q.data() + r * rb, q64.data() + (r % 64) * rb, rb);
    for (auto* w : Ws) ggml_backend_tensor_set(w, q.data(), 0, q.size());
  }
  ggml_init_params cp = {ggml_tensor_overhead() * (2 * copies + 8) + ggml_graph_overhead() * copies,
                         nullptr, true};
  ggml_context* cctx = ggml_init(cp);
  ggml_tensor* X = ggml_new_tensor_2d(cctx, GGML_TYPE_F32, n_in, n_tok);
  std::vector<ggml_cgraph*> gfs;
  for (auto* w : Ws) {
    ggml_cgraph* g = ggml_new_graph(cctx);
    ggml_build_forward_expand(g, ggml_mul_mat(cctx, w, X));
    gfs.push_back(g);
  }
  ggml_cgraph* gf = gfs[0];
  ggml_backend_buffer_t cbuf =
      ggml_backend_alloc_ctx_tensors_from_buft(cctx, ggml_backend_cpu_buffer_type());
  {
    std::mt19937 rng(2);
    std::normal_distribution<float> nd(0, 1);
    std::vector<float> x(n_in * n_tok);
    for (auto& v : x) v = nd(rng);
    ggml_backend_tensor_set(X, x.data(), 0, x.size() * 4);
  }
  ggml_backend_graph_compute(backend, gf);  // warm-up
  double best = 1e30;
  double total = 0;
  int iters = 0;
  while (total < min_s || iters < 3) {
    auto t0 = std::chrono::steady_clock::now();
    ggml_backend_graph_compute(backend, gfs[iters % gfs.size()]);
    double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, dt);
    total += dt;
    ++iters;
  }
  const double mean = total / iters;
  const double wbytes = (double)ggml_nbytes(W);
  (void)W;
  (void)gf;
  printf("ggml %s %lldx%lld tok %lld thr %d %s: best %.1f us mean %.1f us", ggml_type_name(type),
         (long long)n_out, (long long)n_in, (long long)n_tok, threads,
         ggml_backend_buffer_name(wbuf), best * 1e6, mean * 1e6);
  if (n_tok == 1)
    printf("  GB/s best %.2f mean %.2f\n", wbytes / best / 1e9, wbytes / mean / 1e9);
  else
    printf("  GFLOP/s best %.1f mean %.1f\n", 2.0 * n_out * n_in * n_tok / best / 1e9,
           2.0 * n_out * n_in * n_tok / mean / 1e9);
  ggml_backend_buffer_free(cbuf);
  ggml_backend_buffer_free(wbuf);
  ggml_free(cctx);
  ggml_free(wctx);
  ggml_backend_free(backend);
}
