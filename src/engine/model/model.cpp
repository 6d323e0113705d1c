#include "engine/model/model.h"

#include <string>

#include "engine/model/dense_model.h"
#include "engine/model/hybrid_model.h"

namespace engine {

Model::Model(std::shared_ptr<const GgufFile> file, ModelConfig config, const ModelOptions& options)
    : file_(std::move(file)),
      config_(std::move(config)),
      options_(options),
      pool_(options.n_threads) {
  if (options_.prefill_chunk == 0) throw std::invalid_argument("prefill chunk must be at least 1");
  require_kv_type_fits(options_.kv_type, config_.head_dim_k, config_.head_dim_v);
}

std::unique_ptr<Model> Model::load(std::shared_ptr<const GgufFile> file,
                                   const ModelOptions& options) {
  ModelConfig config = read_model_config(*file);
  switch (config.arch) {
    case Architecture::kLlama:
    case Architecture::kQwen2:
    case Architecture::kQwen3:
    case Architecture::kQwen3Moe:
      return std::make_unique<DenseModel>(std::move(file), std::move(config), options);
    case Architecture::kQwen35:
    case Architecture::kQwen35Moe:
      return std::make_unique<HybridModel>(std::move(file), std::move(config), options);
  }
  throw GgufError(file->path().string() + ": no forward pass for architecture " + config.arch_name);
}

KvShape Model::kv_shape() const {
  const ModelConfig& c = config_;
  const uint32_t n_recurrent = c.n_layer_recurrent();
  const DeltaNetConfig& d = c.delta_net;
  return {.n_layer = c.n_layer_attention(),
          .n_head_kv = c.n_head_kv,
          .head_dim_k = c.head_dim_k,
          .head_dim_v = c.head_dim_v,
          .n_recurrent = n_recurrent,
          .conv_floats = n_recurrent ? static_cast<uint32_t>(d.conv_floats()) : 0,
          .ssm_floats = n_recurrent ? static_cast<uint32_t>(d.ssm_floats()) : 0,
          .kv_type = options_.kv_type};
}

void Model::forward(std::span<const int32_t> tokens, SequenceState& state, Logits which,
                    std::span<float> out) {
  const size_t n_vocab = config_.n_vocab;
  const size_t want = which == Logits::kNone   ? 0
                      : which == Logits::kLast ? (tokens.empty() ? 0 : n_vocab)
                                               : tokens.size() * n_vocab;
  if (out.size() != want) {
    throw std::invalid_argument("forward: logits buffer holds " + std::to_string(out.size()) +
                                " floats, expected " + std::to_string(want));
  }
  if (!(state.shape() == kv_shape())) {
    throw std::invalid_argument("forward: the sequence state belongs to another model");
  }
  for (int32_t id : tokens) {
    if (id < 0 || static_cast<uint32_t>(id) >= n_vocab) {
      throw std::invalid_argument("forward: token id " + std::to_string(id) +
                                  " is outside the vocabulary of " + std::to_string(n_vocab));
    }
  }
  state.reserve_more(tokens.size());
  for (size_t begin = 0; begin < tokens.size(); begin += options_.prefill_chunk) {
    const auto chunk =
        tokens.subspan(begin, std::min(options_.prefill_chunk, tokens.size() - begin));
    const bool last_chunk = begin + chunk.size() == tokens.size();
    Logits chunk_logits = which == Logits::kAll                  ? Logits::kAll
                          : which == Logits::kLast && last_chunk ? Logits::kLast
                                                                 : Logits::kNone;
    float* chunk_out = which == Logits::kAll           ? out.data() + begin * n_vocab
                       : chunk_logits == Logits::kLast ? out.data()
                                                       : nullptr;
    forward_chunk(chunk, state, chunk_logits, chunk_out);
    state.append(chunk);
  }
}

}  // namespace engine
