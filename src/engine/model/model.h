// A loaded model: hyperparameters, weights bound to the mmapped GGUF file (and repacked where the
// kernels want it), and the forward pass of its architecture.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "engine/gguf/gguf_file.h"
#include "engine/kernels/thread_pool.h"
#include "engine/kv/sequence_state.h"
#include "engine/model/model_config.h"

namespace engine {

struct ModelOptions {
  size_t n_threads = 0;           // 0: one per physical core
  size_t prefill_chunk = 512;     // tokens per forward step while prefilling
  bool repack = true;             // repack weights for the kernels (costs their size in memory)
  KvType kv_type = KvType::kF16;  // how the KV cache stores keys and values
};

// Which logits forward() writes.
enum class Logits {
  kNone,  // none: prefill of a prompt whose continuation is already known
  kLast,  // the last token's: out holds n_vocab floats
  kAll,   // every token's: out holds n_tokens * n_vocab floats (correctness tests)
};

class Model {
 public:
  // Binds the weights of `file`, which the model keeps alive (its tensors are views into it).
  // Throws GgufError for a file the engine cannot run, naming the tensor or key at fault.
  static std::unique_ptr<Model> load(std::shared_ptr<const GgufFile> file,
                                     const ModelOptions& options = {});
  virtual ~Model() = default;

  const ModelConfig& config() const { return config_; }
  KvShape kv_shape() const;
  size_t n_threads() const { return pool_.n_threads(); }
  // A new, empty sequence that can grow to max_tokens positions.
  SequenceState new_sequence(size_t max_tokens) const { return {kv_shape(), max_tokens}; }
  // Bytes of weights the model holds in its own memory (repacked copies), beyond the mapping.
  virtual size_t owned_weight_bytes() const = 0;
  // Bytes of weights one decode step reads (every matmul weight once): the numerator of the
  // memory-bandwidth roofline of decode.
  virtual size_t decode_weight_bytes() const = 0;

  // Runs `tokens` at the positions after the state's, appends them to the state, and writes the
  // logits `which` asks for into `out`. Throws std::invalid_argument for a token id outside the
  // vocabulary or an `out` of the wrong size, ContextFullError when the state cannot grow; on a
  // throw the state is unchanged.
  void forward(std::span<const int32_t> tokens, SequenceState& state, Logits which,
               std::span<float> out);

 protected:
  Model(std::shared_ptr<const GgufFile> file, ModelConfig config, const ModelOptions& options);

  // One chunk of at most prefill_chunk tokens, already reserved in the state (positions
  // state.n_tokens() ..): writes the K/V of those positions and the logits asked for. The caller
  // appends the tokens to the state afterwards.
  virtual void forward_chunk(std::span<const int32_t> tokens, SequenceState& state, Logits which,
                             float* out) = 0;

  std::shared_ptr<const GgufFile> file_;
  ModelConfig config_;
  ModelOptions options_;
  kernels::ThreadPool pool_;
};

}  // namespace engine
