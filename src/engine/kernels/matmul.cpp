#include "engine/kernels/matmul.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "engine/kernels/check.h"

namespace engine::kernels {
namespace {

// Packs whole units of eight rows in the type's x8 layout and interleaves the remaining groups
// block by block (tile.h). Byte ranges are kept.
void repack_units(const uint8_t* src, uint8_t* dst, size_t n_out, size_t row_bytes,
                  const WeightTypeTraits& traits) {
  const size_t block_bytes = traits.block_bytes;
  const size_t nb = row_bytes / block_bytes;
  size_t first = 0;
  for (; first + kUnitRows <= n_out; first += kUnitRows) {
    const uint8_t* blocks[kUnitRows];
    for (size_t b = 0; b < nb; ++b) {
      for (size_t r = 0; r < kUnitRows; ++r) {
        blocks[r] = src + (first + r) * row_bytes + b * block_bytes;
      }
      traits.pack_unit(blocks, dst + first * row_bytes + b * kUnitRows * block_bytes);
    }
  }
  for (; first < n_out; first += kGroupRows) {
    const size_t rows = std::min(kGroupRows, n_out - first);
    for (size_t b = 0; b < nb; ++b) {
      for (size_t r = 0; r < rows; ++r) {
        std::memcpy(dst + first * row_bytes + (b * rows + r) * block_bytes,
                    src + (first + r) * row_bytes + b * block_bytes, block_bytes);
      }
    }
  }
}

// Work split. Decode: chunks of row groups, sized so each thread takes several (a descheduled
// thread then delays little) while each chunk still streams a long contiguous run of weights.
// Prefill: chunks of row groups by chunks of tokens, so that a chunk's weights stay in L1/L2
// while all its tokens pass over them.
constexpr size_t kTokenChunk = 64;
constexpr size_t kPrefillGroupChunk = 16;

// Chunks are whole units (two groups) so that no task splits a unit.
size_t decode_group_chunk(size_t n_groups, size_t n_threads) {
  const size_t target_tasks = n_threads * 8;
  const size_t chunk = std::max<size_t>(1, (n_groups + target_tasks - 1) / target_tasks);
  return (chunk + 1) / 2 * 2;
}

// Borrowed bytes must be aligned at least this much (else they are copied).
constexpr size_t kBorrowAlignment = alignof(float);

}  // namespace

PreparedWeight PreparedWeight::prepare(GgmlType type, std::span<const uint8_t> bytes, size_t n_out,
                                       size_t n_in, const PrepareOptions& options) {
  const WeightTypeTraits& traits = weight_type(type);
  const size_t rb = row_bytes(traits, n_in);
  if (n_out == 0 || n_in == 0) {
    throw KernelError("a " + std::string(traits.name) + " weight needs rows and columns, got " +
                      std::to_string(n_out) + " x " + std::to_string(n_in));
  }
  if (bytes.size() != n_out * rb) {
    throw KernelError("a " + std::to_string(n_out) + " x " + std::to_string(n_in) + " " +
                      std::string(traits.name) + " weight takes " + std::to_string(n_out * rb) +
                      " bytes, got " + std::to_string(bytes.size()));
  }
  PreparedWeight w;
  w.traits_ = &traits;
  const TileFn simd = traits.simd_tile ? traits.simd_tile() : nullptr;
  switch (options.path) {
    case KernelPath::kAuto:
      w.tile_ = simd ? simd : traits.ref_tile;
      break;
    case KernelPath::kReference:
      w.tile_ = traits.ref_tile;
      break;
    case KernelPath::kSimd:
      if (!simd) {
        throw KernelError("this CPU has no SIMD kernel for " + std::string(traits.name) +
                          " weights (AVX2, FMA and F16C are needed)");
      }
      w.tile_ = simd;
      break;
  }
  const Packing packing =
      options.repack && w.uses_simd() ? traits.simd_packing : Packing::kRowMajor;
  w.layout_ = WeightLayout{bytes.data(), n_out, n_in, rb, traits.block_bytes, packing};
  if (packing != Packing::kRowMajor) {
    w.owned_.resize(bytes.size());
    repack_units(bytes.data(), w.owned_.data(), n_out, rb, traits);
    w.layout_.data = w.owned_.data();
  } else if (reinterpret_cast<uintptr_t>(bytes.data()) % kBorrowAlignment != 0) {
    // The kernels read fp16 scales and float elements in place; GGUF aligns tensors to at least
    // 8 bytes, so this copy only happens for bytes from elsewhere.
    w.owned_.resize(bytes.size());
    std::memcpy(w.owned_.data(), bytes.data(), bytes.size());
    w.layout_.data = w.owned_.data();
  }
  return w;
}

namespace {

// Activation buffers of one matmul_shared() call, one per activation type, reused across calls.
constexpr size_t kMaxActTypes = 4;
thread_local AlignedBuffer t_activations[kMaxActTypes];

// x in `type`: float32 is used in place, others converted once into `buffer`.
ActView convert_activations(ActType type, const float* x, size_t n_in, size_t n_tokens,
                            AlignedBuffer& buffer, ThreadPool& pool) {
  ActView act{type, n_in, n_tokens, 0, nullptr};
  if (type == ActType::kF32) {
    act.row_bytes = n_in * sizeof(float);
    act.data = reinterpret_cast<const uint8_t*>(x);
    return act;
  }
  act.row_bytes = act_row_bytes(type, n_in);
  buffer.resize(act.row_bytes * n_tokens);
  uint8_t* out = buffer.data();
  const size_t chunk = 8;
  pool.parallel_for((n_tokens + chunk - 1) / chunk, [&](size_t task) {
    const size_t t0 = task * chunk;
    quantize_activations(type, x, n_in, t0, std::min(n_tokens, t0 + chunk), out);
  });
  act.data = out;
  return act;
}

// How one weight's work is cut into tasks.
struct TaskGrid {
  size_t n_groups, group_chunk, token_chunk, n_token_chunks, n_tasks;
};

TaskGrid task_grid(const PreparedWeight& w, size_t n_tokens, size_t n_threads) {
  TaskGrid g{};
  g.n_groups = (w.n_out() + kGroupRows - 1) / kGroupRows;
  g.group_chunk = n_tokens <= 4 ? decode_group_chunk(g.n_groups, n_threads) : kPrefillGroupChunk;
  g.token_chunk = n_tokens <= 4 ? n_tokens : kTokenChunk;
  g.n_token_chunks = (n_tokens + g.token_chunk - 1) / g.token_chunk;
  g.n_tasks = (g.n_groups + g.group_chunk - 1) / g.group_chunk * g.n_token_chunks;
  return g;
}

void run_task(const PreparedWeight& w, const ActView& act, const TaskGrid& g, size_t task,
              size_t n_tokens, float* y) {
  const size_t gc = task / g.n_token_chunks;
  const size_t tc = task % g.n_token_chunks;
  TileArgs args{w.layout(),
                act,
                gc * g.group_chunk,
                std::min(g.n_groups, (gc + 1) * g.group_chunk),
                tc * g.token_chunk,
                std::min(n_tokens, (tc + 1) * g.token_chunk),
                y,
                w.n_out()};
  w.tile()(args);
}

}  // namespace

void matmul(const PreparedWeight& w, const float* x, size_t n_tokens, float* y, ThreadPool& pool) {
  const MatmulTarget target{&w, y};
  matmul_shared({&target, 1}, x, n_tokens, pool);
}

void matmul_shared(std::span<const MatmulTarget> targets, const float* x, size_t n_tokens,
                   ThreadPool& pool) {
  if (n_tokens == 0 || targets.empty()) return;
  const size_t n_in = targets[0].w->n_in();
  // x converted once per activation type; per target, its type's slot and its first task.
  ActView by_type[kMaxActTypes];
  size_t n_types = 0, n_tasks = 0;
  std::vector<size_t> act_of, first_task;
  std::vector<TaskGrid> grids;
  for (const MatmulTarget& t : targets) {
    if (t.w->n_in() != n_in) {
      throw KernelError("matmul_shared needs weights of one input size, got " +
                        std::to_string(n_in) + " and " + std::to_string(t.w->n_in()));
    }
    const ActType type = t.w->traits().act_type;
    size_t slot = 0;
    while (slot < n_types && by_type[slot].type != type) ++slot;
    if (slot == n_types) {
      if (n_types == kMaxActTypes) throw KernelError("matmul_shared: too many activation types");
      by_type[n_types++] = convert_activations(type, x, n_in, n_tokens, t_activations[slot], pool);
    }
    act_of.push_back(slot);
    grids.push_back(task_grid(*t.w, n_tokens, pool.n_threads()));
    first_task.push_back(n_tasks);
    n_tasks += grids.back().n_tasks;
  }
  pool.parallel_for(n_tasks, [&](size_t task) {
    size_t i = targets.size() - 1;
    while (first_task[i] > task) --i;
    run_task(*targets[i].w, by_type[act_of[i]], grids[i], task - first_task[i], n_tokens,
             targets[i].y);
  });
}

}  // namespace engine::kernels
