// The sub-commands of the anthropic-local binary: the options of each and the function that runs
// it and returns the process's exit status. cli_app.cpp turns the command line into these; it is
// the one file of the binary that includes CLI11, which costs seconds of compile time in each.
// An exception out of a run_* function is reported there as "anthropic-local <command>: <what>"
// with exit status 1.
#pragma once

#include <cstddef>
#include <string>

#include "engine/model/model.h"
#include "engine/sampling/sampler.h"
#include "server/config.h"

namespace server::cli {

// How `generate` and `bench` run the model (engine::ModelOptions, from the command line).
struct EngineOptions {
  size_t threads = 0;
  size_t prefill_chunk = 512;
  bool no_repack = false;
  std::string kv_cache_type = "f16";
  // Throws std::invalid_argument for a KV cache type the engine does not have.
  engine::ModelOptions model_options() const;
};

// `generate`: the engine on a prompt from the command line (generate_command.cpp).
struct GenerateOptions {
  std::string model;
  std::string prompt;
  size_t max_tokens = 128;
  size_t context_size = 4096;
  EngineOptions engine;
  bool ids = false;
  bool chat = false;
  bool ignore_eos = false;
  engine::SamplingParams sampling{.temperature = 0.0f};
};
int run_generate(const GenerateOptions& options);

// `bench`: prefill and decode speed on synthetic tokens, as JSON (bench_command.cpp).
struct BenchOptions {
  std::string model;
  size_t pp = 512;
  size_t tg = 128;
  size_t depth = 16;
  size_t reps = 3;
  EngineOptions engine;
  bool bandwidth = false;
};
int run_bench(const BenchOptions& options);

// `render`: the prompt a request body renders to (render_command.cpp).
struct RenderOptions {
  std::string model;
  std::string template_file;  // instead of the model's tokenizer.chat_template
  bool ids = false;
  bool keep_billing_header = false;
  bool no_generation_prompt = false;
  bool preserve_thinking = false;
  std::string thinking = "default";  // default, on, off: when the request has no `thinking`
};
int run_render(const RenderOptions& options);

// `tokenize`: the model's tokenizer on stdin (tokenize_command.cpp).
struct TokenizeOptions {
  std::string model;
  bool decode = false;
  bool batch = false;
  bool no_special = false;
};
int run_tokenize(const TokenizeOptions& options);

// `gguf-info`: what a GGUF file holds (gguf_info_command.cpp).
struct GgufInfoOptions {
  std::string model;
  bool json = false;
};
int run_gguf_info(const GgufInfoOptions& options);

// `serve`: the Anthropic Messages API until SIGINT or SIGTERM (serve_command.cpp).
int run_serve(const Config& config);

}  // namespace server::cli
