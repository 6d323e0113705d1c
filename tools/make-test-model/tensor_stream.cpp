#include "tensor_stream.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <span>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/kernels/weight_type.h"

namespace make_test_model {
namespace {

// Elements one thread generates and quantizes before the chunk is written (4 MiB of floats).
constexpr uint64_t kChunkElems = uint64_t{1} << 20;

// SplitMix64's output function: a bijective mix of 64 bits.
uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// SplitMix64 (Steele, Lea, Flood 2014): fast, and good enough for weights.
uint64_t next_random(uint64_t& state) {
  state += 0x9E3779B97F4A7C15ull;
  return mix64(state);
}

uint64_t fnv1a(std::string_view text) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (const char c : text) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001B3ull;
  return h;
}

// An approximately standard normal number from 64 random bits: the sum of four uniform 16-bit
// integers (Irwin-Hall, n = 4), centred and scaled to unit variance. Its tails stop at 3.46
// sigma; its kurtosis (2.4 against 3) is close enough for weights whose only job is to look
// like a trained model's to the quantizers and to keep activations finite.
float approx_normal(uint64_t bits) {
  const uint64_t sum =
      (bits & 0xFFFF) + ((bits >> 16) & 0xFFFF) + ((bits >> 32) & 0xFFFF) + (bits >> 48);
  constexpr double kMean = 4 * 65535 / 2.0;
  const double inv_stddev = 1.0 / std::sqrt(4 * (65536.0 * 65536.0 - 1) / 12);
  return static_cast<float>((static_cast<double>(sum) - kMean) * inv_stddev);
}

// Row `row` of the tensor whose seed is `tensor_seed`: [n_cols] values.
void fill_row(const TensorSpec& t, uint64_t tensor_seed, uint64_t row, std::span<float> out) {
  if (!t.init.values.empty()) {
    std::copy(t.init.values.begin(), t.init.values.end(), out.begin());
    return;
  }
  uint64_t state = mix64(tensor_seed ^ mix64(row + 1));
  for (float& v : out) v = t.init.mean + t.init.stddev * approx_normal(next_random(state));
}

}  // namespace

void stream_tensor(const TensorSpec& t, engine::GgmlType type, uint64_t seed, int n_threads,
                   engine::GgufTensorSink& sink) {
  const size_t n_cols = t.ne[0];
  const uint64_t n_rows = t.n_rows();
  if (!t.init.values.empty() && (t.init.values.size() != n_cols || n_rows != 1)) {
    throw std::logic_error("tensor " + t.name + ": fixed values do not match its shape");
  }
  const auto& traits = engine::kernels::weight_type(type);
  const size_t row_bytes = engine::kernels::row_bytes(traits, n_cols);
  const uint64_t rows_per_chunk = std::max<uint64_t>(1, kChunkElems / n_cols);
  const uint64_t n_chunks = (n_rows + rows_per_chunk - 1) / rows_per_chunk;
  const int n_workers = static_cast<int>(std::clamp<uint64_t>(n_threads, 1, n_chunks));
  const uint64_t tensor_seed = mix64(seed ^ fnv1a(t.name));

  struct Worker {
    std::vector<float> values;   // [n_cols] one row before quantization
    std::vector<uint8_t> bytes;  // [rows_per_chunk * row_bytes] the chunk, quantized
    size_t n_bytes = 0;          // of `bytes` filled in this round
    std::exception_ptr error;
  };
  std::vector<Worker> workers(n_workers);
  for (Worker& w : workers) {
    w.values.resize(n_cols);
    w.bytes.resize(std::min(rows_per_chunk, n_rows) * row_bytes);
  }

  for (uint64_t first = 0; first < n_rows; first += rows_per_chunk * n_workers) {
    const auto run_chunk = [&](int index) {
      Worker& w = workers[index];
      w.n_bytes = 0;
      const uint64_t begin = first + index * rows_per_chunk;
      const uint64_t end = std::min(n_rows, begin + rows_per_chunk);
      try {
        for (uint64_t r = begin; r < end; ++r) {
          fill_row(t, tensor_seed, r, w.values);
          engine::kernels::quantize_row(type, w.values.data(),
                                        std::span(w.bytes).subspan(w.n_bytes, row_bytes), n_cols);
          w.n_bytes += row_bytes;
        }
      } catch (...) {
        w.error = std::current_exception();
      }
    };
    {
      std::vector<std::jthread> threads;
      for (int i = 1; i < n_workers; ++i) threads.emplace_back(run_chunk, i);
      run_chunk(0);
    }
    for (Worker& w : workers) {
      if (w.error) std::rethrow_exception(w.error);
      sink.write(w.bytes.data(), w.n_bytes);
    }
  }
}

}  // namespace make_test_model
