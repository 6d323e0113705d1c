// engine-logits: runs a prompt (token ids) through our engine and writes, in the formats of
// tests/reference/llama_reference.mjs:
//   --out-logprobs FILE: log-softmax of the logits at every prompt position, float32 little
//     endian [n_tokens][n_vocab], with FILE.json holding {shape, n_tokens, n_vocab, argmax, ...};
//   --out-greedy FILE (with --greedy N): the next N tokens at temperature 0, not stopping at
//     end-of-generation tokens, with their log-probabilities and the gap to the runner-up.
//   --stride S: rows only for positions S-1, 2S-1, ... and the last (long prompts: a row is the
//     whole vocabulary); FILE.json's "positions" lists them.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/model/model.h"
#include "engine/sampling/sampler.h"

namespace {

struct Options {
  std::string model, ids_path, out_logprobs, out_greedy;
  size_t greedy = 0;
  size_t threads = 2;
  size_t prefill_chunk = 512;
  size_t stride = 1;
  std::string kv_cache_type = "f16";
};

// The prompt positions whose rows are written: every stride-th, and the last.
std::vector<size_t> row_positions(size_t n, size_t stride) {
  std::vector<size_t> positions;
  for (size_t i = stride - 1; i < n; i += stride) positions.push_back(i);
  if (positions.empty() || positions.back() != n - 1) positions.push_back(n - 1);
  return positions;
}

// log-softmax in double, written back as float.
void log_softmax(std::span<float> row) {
  const float mx = *std::max_element(row.begin(), row.end());
  double sum = 0.0;
  for (float v : row) sum += std::exp(static_cast<double>(v) - mx);
  const double log_sum = std::log(sum) + mx;
  for (float& v : row) v = static_cast<float>(v - log_sum);
}

// The chosen token's log-probability and its gap to the runner-up.
std::pair<float, float> top_two_gap(std::span<const float> logprobs, int32_t best) {
  float second = -INFINITY;
  for (size_t i = 0; i < logprobs.size(); ++i) {
    if (static_cast<int32_t>(i) != best) second = std::max(second, logprobs[i]);
  }
  return {logprobs[best], logprobs[best] - second};
}

int run(const Options& o) {
  std::ifstream ids_file(o.ids_path);
  if (!ids_file) throw std::runtime_error("cannot read " + o.ids_path);
  const std::vector<int32_t> ids = nlohmann::json::parse(ids_file).get<std::vector<int32_t>>();
  if (ids.empty()) throw std::runtime_error(o.ids_path + ": no token ids");

  auto file = std::make_shared<const engine::GgufFile>(engine::GgufFile::open(o.model));
  auto model = engine::Model::load(file, {.n_threads = o.threads,
                                          .prefill_chunk = o.prefill_chunk,
                                          .kv_type = engine::kv_type_named(o.kv_cache_type)});
  const size_t n_vocab = model->config().n_vocab;
  auto state = model->new_sequence(ids.size() + o.greedy + 1);

  // Every position in one pass (the batched prefill path), or, with a stride, one forward call
  // per written row, ending at its position (a long prompt's [n_tokens][n_vocab] would not fit).
  const auto positions = row_positions(ids.size(), o.stride);
  std::vector<float> logits(o.stride == 1 ? ids.size() * n_vocab : n_vocab);
  std::vector<int32_t> argmax;
  std::ofstream out;
  if (!o.out_logprobs.empty()) out.open(o.out_logprobs, std::ios::binary);
  std::vector<float> row_logprobs(n_vocab);
  const auto write_row = [&](const float* row) {
    argmax.push_back(engine::argmax({row, n_vocab}));
    std::copy_n(row, n_vocab, row_logprobs.begin());
    log_softmax(row_logprobs);
    if (out) out.write(reinterpret_cast<const char*>(row_logprobs.data()), n_vocab * sizeof(float));
  };
  if (o.stride == 1) {
    model->forward(ids, state, engine::Logits::kAll, logits);
    for (size_t i : positions) write_row(logits.data() + i * n_vocab);
  } else {
    size_t done = 0;
    for (size_t i : positions) {
      model->forward(std::span(ids).subspan(done, i + 1 - done), state, engine::Logits::kLast,
                     logits);
      done = i + 1;
      write_row(logits.data());
    }
  }
  if (out) {
    nlohmann::json header = {{"format", "f32le"},
                             {"shape", {positions.size(), n_vocab}},
                             {"n_tokens", ids.size()},
                             {"n_vocab", n_vocab},
                             {"positions", positions},
                             {"model", o.model},
                             {"threads", model->n_threads()},
                             {"kv_cache_type", o.kv_cache_type},
                             {"engine", "anthropic-local"},
                             {"argmax", argmax}};
    std::ofstream(o.out_logprobs + ".json") << header.dump();
  }
  if (o.greedy > 0) {
    std::vector<float> last(logits.end() - static_cast<ptrdiff_t>(n_vocab), logits.end());
    nlohmann::json tokens = nlohmann::json::array(), logprobs = nlohmann::json::array(),
                   gaps = nlohmann::json::array();
    for (size_t i = 0; i < o.greedy; ++i) {
      const int32_t next = engine::argmax(last);
      std::copy(last.begin(), last.end(), row_logprobs.begin());
      log_softmax(row_logprobs);
      const auto [logprob, gap] = top_two_gap(row_logprobs, next);
      tokens.push_back(next);
      logprobs.push_back(logprob);
      gaps.push_back(gap);
      if (i + 1 < o.greedy) model->forward(std::span(&next, 1), state, engine::Logits::kLast, last);
    }
    nlohmann::json out = {
        {"prompt_tokens", ids.size()}, {"tokens", tokens}, {"logprobs", logprobs}, {"gaps", gaps}};
    std::ofstream(o.out_greedy) << out.dump();
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Our engine's log-probabilities and greedy tokens for a prompt of token ids",
               "engine-logits"};
  app.add_option("--model", o.model, "GGUF model")->required();
  app.add_option("--ids", o.ids_path, "JSON array of prompt token ids")->required();
  app.add_option("--out-logprobs", o.out_logprobs, "float32 [n_tokens][n_vocab] log-probs");
  app.add_option("--greedy", o.greedy, "Tokens to generate greedily after the prompt");
  app.add_option("--out-greedy", o.out_greedy, "JSON file of the greedy tokens");
  app.add_option("--threads", o.threads, "Threads")->capture_default_str();
  app.add_option("--prefill-chunk", o.prefill_chunk, "Tokens per forward step")
      ->capture_default_str();
  app.add_option("--kv-cache-type", o.kv_cache_type, "f16 or q8_0")->capture_default_str();
  app.add_option("--stride", o.stride, "Rows for every stride-th position and the last")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  if (o.greedy > 0 && o.out_greedy.empty()) {
    std::fprintf(stderr, "engine-logits: --greedy needs --out-greedy\n");
    return 2;
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "engine-logits: %s\n", e.what());
    return 1;
  }
}
