// `anthropic-local generate`: runs the engine on a prompt from the command line and prints what it
// generates, then the prefill and decode speeds. For people trying a model, and for benchmarks.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "api/types.h"
#include "chat/chat_template.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/model.h"
#include "engine/sampling/sampler.h"
#include "engine/tokenizer/token_decoder.h"
#include "engine/tokenizer/tokenizer.h"
#include "server/cli/commands.h"

namespace server::cli {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The token ids of the model's chat template (chat/) applied to one user message, with the
// generation prompt.
std::vector<int32_t> chat_prompt_ids(const engine::GgufFile& file,
                                     const engine::Tokenizer& tokenizer,
                                     const std::string& user_text) {
  auto source = file.get_string("tokenizer.chat_template");
  if (!source) throw std::runtime_error("--chat: the model has no tokenizer.chat_template");
  const chat::ChatTemplate chat_template(*source, tokenizer);
  api::Prompt prompt;
  prompt.messages.push_back({api::Role::kUser, {api::TextBlock{user_text}}});
  api::Result<chat::RenderedPrompt> rendered = chat_template.render(prompt);
  if (!rendered.ok()) throw std::runtime_error("--chat: " + rendered.error().message);
  return std::move(rendered.value().ids);
}

void generate(const GenerateOptions& o) {
  auto file = std::make_shared<const engine::GgufFile>(engine::GgufFile::open(o.model));
  const auto tokenizer = engine::Tokenizer::from_gguf(*file);
  auto model = engine::Model::load(file, o.engine.model_options());
  std::vector<int32_t> ids;
  if (o.chat) {
    ids = chat_prompt_ids(*file, tokenizer, o.prompt);
  } else {
    if (tokenizer.add_bos() && tokenizer.bos_id()) ids.push_back(*tokenizer.bos_id());
    tokenizer.encode(o.prompt, ids);
  }
  if (ids.empty()) throw std::runtime_error("the prompt is empty");

  auto state = model->new_sequence(o.context_size);
  std::vector<float> logits(model->config().n_vocab);
  engine::LogitSampler sampler(o.sampling);
  engine::TokenDecoder decoder(tokenizer);

  const auto prefill_start = std::chrono::steady_clock::now();
  model->forward(ids, state, engine::Logits::kLast, logits);
  const double prefill_s = seconds_since(prefill_start);

  std::vector<int32_t> generated;
  const auto decode_start = std::chrono::steady_clock::now();
  while (generated.size() < o.max_tokens) {
    const int32_t next = sampler.sample(logits);
    if (!o.ignore_eos && tokenizer.is_eog(next)) break;
    generated.push_back(next);
    if (!o.ids) {
      std::fputs(decoder.feed(next).c_str(), stdout);
      std::fflush(stdout);
    }
    if (generated.size() == o.max_tokens) break;
    model->forward(std::span(&generated.back(), 1), state, engine::Logits::kLast, logits);
  }
  const double decode_s = seconds_since(decode_start);
  if (o.ids) {
    std::string out = "[";
    for (size_t i = 0; i < generated.size(); ++i)
      out += (i ? "," : "") + std::to_string(generated[i]);
    std::puts((out + "]").c_str());
  } else {
    std::puts(decoder.finish().c_str());
  }
  // Decode speed counts the forward passes after the prefill (one per generated token but the
  // last, which needs none).
  const size_t steps = generated.empty() ? 0 : generated.size() - 1;
  std::fprintf(stderr,
               "prefill: %zu tokens in %.3f s (%.1f tokens/s)\n"
               "decode: %zu tokens in %.3f s (%.1f tokens/s), threads %zu\n",
               ids.size(), prefill_s, ids.size() / prefill_s, steps, decode_s,
               steps ? steps / decode_s : 0.0, model->n_threads());
}

}  // namespace

int run_generate(const GenerateOptions& o) {
  generate(o);
  return 0;
}

}  // namespace server::cli
