// Random tensor data, generated and quantized in parallel chunks of rows and streamed to the file
// in order, so a model of any size is written with a few MiB of memory per thread. Every row's
// values depend only on (seed, tensor name, row index): the bytes are the same whatever the
// number of threads.
#pragma once

#include <cstdint>

#include "engine/gguf/ggml_type.h"
#include "engine/gguf/gguf_writer.h"
#include "model_spec.h"

namespace make_test_model {

// Writes the tensor's data as `type` into `sink`, using up to `n_threads` threads.
void stream_tensor(const TensorSpec& tensor, engine::GgmlType type, uint64_t seed, int n_threads,
                   engine::GgufTensorSink& sink);

}  // namespace make_test_model
