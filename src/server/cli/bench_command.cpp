// `anthropic-local bench`: llama-bench-style speed figures of the engine on synthetic token ids:
// prefill of --pp tokens, and decode of --tg tokens after a --depth-token prompt, repeated --reps
// times, as JSON for the comparison against llama.cpp (bench/compare.mjs).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/kernels/bandwidth.h"
#include "engine/model/model.h"
#include "engine/sampling/sampler.h"
#include "server/cli/commands.h"

namespace server::cli {
namespace {

// The same synthetic ids for every engine: spread over the vocabulary, never special tokens.
std::vector<int32_t> synthetic_ids(size_t n, size_t offset) {
  std::vector<int32_t> ids(n);
  for (size_t i = 0; i < n; ++i)
    ids[i] = static_cast<int32_t>(1000 + ((i + offset) * 7919) % 50000);
  return ids;
}

double seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

nlohmann::json bench(const BenchOptions& o) {
  auto file = std::make_shared<const engine::GgufFile>(engine::GgufFile::open(o.model));
  const auto load_start = std::chrono::steady_clock::now();
  auto model = engine::Model::load(file, o.engine.model_options());
  const double load_s = seconds(load_start);
  const size_t n_vocab = model->config().n_vocab;
  std::vector<float> logits(n_vocab);
  nlohmann::json prefill = nlohmann::json::array(), decode = nlohmann::json::array();

  auto state = model->new_sequence(std::max(o.pp, o.depth + o.tg) + 1);
  if (o.pp > 0) {
    const auto ids = synthetic_ids(o.pp, 0);
    for (size_t r = 0; r < o.reps; ++r) {
      state.truncate(0);
      const auto start = std::chrono::steady_clock::now();
      model->forward(ids, state, engine::Logits::kLast, logits);
      prefill.push_back(o.pp / seconds(start));
    }
  }
  if (o.tg > 0) {
    state.truncate(0);
    const auto prompt = synthetic_ids(std::max<size_t>(o.depth, 1), 0);
    model->forward(prompt, state, engine::Logits::kLast, logits);
    const size_t depth = state.n_tokens();
    state.keep_snapshot();  // a recurrent state (hybrid models) can only return to a snapshot
    for (size_t r = 0; r < o.reps; ++r) {
      state.truncate(depth);
      const auto start = std::chrono::steady_clock::now();
      for (size_t i = 0; i < o.tg; ++i) {
        const int32_t next = engine::argmax(logits);
        model->forward(std::span(&next, 1), state, engine::Logits::kLast, logits);
      }
      decode.push_back(o.tg / seconds(start));
    }
  }
  nlohmann::json out = {{"engine", "anthropic-local"},
                        {"model", o.model},
                        {"threads", model->n_threads()},
                        {"pp", o.pp},
                        {"tg", o.tg},
                        {"depth", o.depth},
                        {"prefill_tps", prefill},
                        {"decode_tps", decode},
                        {"load_s", load_s},
                        {"decode_weight_bytes", model->decode_weight_bytes()},
                        {"kv_cache_type", o.engine.kv_cache_type},
                        {"kv_bytes_per_token", model->kv_shape().bytes_per_token()},
                        {"owned_weight_bytes", model->owned_weight_bytes()},
                        {"peak_rss_mb", peak_rss_mb()}};
  if (o.bandwidth) {
    engine::kernels::ThreadPool pool(o.engine.threads);
    out["bandwidth_gbs"] = engine::kernels::measure_read_bandwidth(pool);
  }
  return out;
}

}  // namespace

int run_bench(const BenchOptions& o) {
  std::puts(bench(o).dump().c_str());
  return 0;
}

}  // namespace server::cli
