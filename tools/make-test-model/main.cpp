// make-test-model: writes a GGUF model file with a real architecture, the real Qwen3 tokenizer
// and chat template, and deterministic random weights, for tests, benchmarks and the default
// model of `make run`. See docs/TEST_MODELS.md.
//
//   build/make-test-model --arch qwen3 --shape qwen3-0.6b --type q8_0 --seed 1 --out FILE
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "architecture.h"
#include "engine/gguf/gguf_writer.h"
#include "qwen_tokenizer.h"
#include "shape.h"
#include "tensor_stream.h"
#include "weight_mix.h"

namespace make_test_model {
namespace {

using Clock = std::chrono::steady_clock;

// GGML_QNT_VERSION, which the converter and the quantizer write as general.quantization_version.
constexpr uint32_t kQuantizationVersion = 2;
// Files at least this large report their progress.
constexpr uint64_t kProgressBytes = uint64_t{256} << 20;

struct Options {
  std::string arch = "qwen3";
  std::string shape = "tiny";
  std::string type = "q8_0";
  uint64_t seed = 1;
  std::string out;
  std::string pre = "qwen2";
  std::string tokenizer_dir;
  int threads = 0;
  bool quiet = false;
  ShapeOverrides overrides;
};

// gguf-py's size_label for a model without experts: parameters rounded to two significant
// digits with a K/M/B/T suffix ("596M", "1.7B").
std::string size_label(uint64_t n_params) {
  const auto n = static_cast<double>(n_params);
  const auto [scaled, suffix] = n > 1e12  ? std::pair{n * 1e-12, "T"}
                                : n > 1e9 ? std::pair{n * 1e-9, "B"}
                                : n > 1e6 ? std::pair{n * 1e-6, "M"}
                                          : std::pair{n * 1e-3, "K"};
  const long long rounded = std::llround(scaled);
  const int digits = rounded == 0 ? 0 : static_cast<int>(std::to_string(rounded).size());
  const int decimals = std::max(2 - digits, 0);
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f%s", decimals, scaled, suffix);
  return text;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double gib(uint64_t bytes) {
  return static_cast<double>(bytes) / (1 << 30);
}

int run(const Options& opt, const std::filesystem::path& executable) {
  const auto start = Clock::now();
  const ArchSpec& arch = find_arch(opt.arch);
  const FileType& file_type = find_file_type(opt.type);
  const Shape shape = make_shape(opt.shape, opt.overrides);
  if (opt.pre != "qwen2" && opt.pre != "qwen35" && opt.pre != "llama-bpe") {
    throw std::invalid_argument("--pre must be qwen2, qwen35 or llama-bpe, got '" + opt.pre + "'");
  }

  // Every tensor's type first, so that a shape the type cannot hold fails before any writing.
  const std::vector<TensorSpec> tensors = arch.tensors(shape);
  std::vector<engine::GgmlType> types;
  uint64_t n_params = 0;
  uint64_t n_bytes = 0;
  for (const TensorSpec& t : tensors) {
    types.push_back(tensor_type(file_type, t, shape));
    n_params += t.n_elements();
    n_bytes += engine::GgufWriter::tensor_bytes(types.back(), t.ne);
  }

  const std::filesystem::path tokenizer_dir = opt.tokenizer_dir.empty()
                                                  ? default_tokenizer_dir(executable)
                                                  : std::filesystem::path(opt.tokenizer_dir);
  const TokenizerMetadata tokenizer = load_tokenizer(tokenizer_dir, shape.n_vocab);

  engine::GgufWriter w;
  w.set_string("general.architecture", arch.name);
  w.set_string("general.type", "model");
  w.set_string("general.name", std::string(arch.name) + " " + shape.name + " " +
                                   std::string(file_type.name) + " random-weight test model");
  w.set_string("general.description",
               "Random weights (seed " + std::to_string(opt.seed) +
                   "): real architecture and tokenizer, meaningless output. Written by "
                   "anthropic-local's tools/make-test-model for tests and benchmarks.");
  w.set_string("general.size_label", size_label(n_params));
  arch.hparams(shape, file_type.llama_ftype, w);
  w.set_u32("general.quantization_version", kQuantizationVersion);
  write_tokenizer(w, tokenizer, opt.pre, arch.writes_add_space_prefix);

  const int n_threads = opt.threads > 0
                            ? opt.threads
                            : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const bool report = !opt.quiet && n_bytes >= kProgressBytes;
  uint64_t written = 0;
  auto last_report = Clock::now();
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorSpec& t = tensors[i];
    const engine::GgmlType type = types[i];
    w.add_tensor(t.name, type, t.ne, [&, i, type](engine::GgufTensorSink& sink) {
      stream_tensor(t, type, opt.seed, n_threads, sink);
      written += sink.written();
      if (report && seconds_since(last_report) >= 2.0) {
        last_report = Clock::now();
        std::fprintf(stderr,
                     "make-test-model: %3.0f%% (%.2f of %.2f GiB) in %.1f s, tensor %zu of %zu\n",
                     100.0 * static_cast<double>(written) / static_cast<double>(n_bytes),
                     gib(written), gib(n_bytes), seconds_since(start), i + 1, tensors.size());
      }
    });
  }

  const std::filesystem::path out(opt.out);
  if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
  w.write(out);
  if (!opt.quiet) {
    std::fprintf(stderr,
                 "make-test-model: wrote %s: %s %s %s, %zu tensors, %s parameters, %.1f MiB of "
                 "tensor data, in %.2f s with %d threads\n",
                 out.c_str(), arch.name.data(), shape.name.c_str(), file_type.name.data(),
                 tensors.size(), size_label(n_params).c_str(),
                 static_cast<double>(n_bytes) / (1 << 20), seconds_since(start), n_threads);
  }
  return 0;
}

}  // namespace
}  // namespace make_test_model

int main(int argc, char** argv) {
  using namespace make_test_model;
  Options opt;
  CLI::App app{
      "Writes a GGUF model with a real architecture, the real Qwen3 tokenizer and chat template, "
      "and random weights (deterministic from --seed). See docs/TEST_MODELS.md.",
      "make-test-model"};
  app.add_option("--arch", opt.arch, "Architecture: " + arch_names())->capture_default_str();
  app.add_option("--shape", opt.shape, "Shape preset: " + preset_names())->capture_default_str();
  app.add_option("--type", opt.type, "Weight type or llama.cpp mix: " + file_type_names())
      ->capture_default_str();
  app.add_option("--seed", opt.seed, "Seed of the random weights")->capture_default_str();
  app.add_option("--out", opt.out, "The GGUF file to write")->required();
  app.add_option("--pre", opt.pre, "tokenizer.ggml.pre: qwen2, qwen35 or llama-bpe")
      ->capture_default_str();
  app.add_option("--layers", opt.overrides.n_layer, "Override: block count");
  app.add_option("--embd", opt.overrides.n_embd, "Override: embedding length");
  app.add_option("--heads", opt.overrides.n_head, "Override: attention heads");
  app.add_option("--heads-kv", opt.overrides.n_head_kv, "Override: key/value heads");
  app.add_option("--head-dim", opt.overrides.head_dim, "Override: head size");
  app.add_option("--ff", opt.overrides.n_ff, "Override: feed-forward length");
  app.add_option("--vocab-pad", opt.overrides.n_vocab,
                 "Override: vocab rows (the tokenizer's tokens padded with [PAD<i>])");
  app.add_option("--ctx", opt.overrides.n_ctx, "Override: context_length");
  bool tied = false;
  bool untied = false;
  auto* tied_flag = app.add_flag("--tied", tied, "Override: the output projection is token_embd");
  app.add_flag("--untied", untied, "Override: the output projection is its own output.weight")
      ->excludes(tied_flag);
  app.add_option("--threads", opt.threads, "Threads (default: all cores)");
  app.add_option("--tokenizer-dir", opt.tokenizer_dir,
                 "Folder with Qwen3's tokenizer.json and tokenizer_config.json");
  app.add_flag("--quiet", opt.quiet, "Print nothing on success");
  CLI11_PARSE(app, argc, argv);
  if (tied || untied) opt.overrides.tied = tied;
  try {
    std::error_code ec;
    std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) executable = std::filesystem::absolute(argv[0]);
    return run(opt, executable);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make-test-model: %s\n", e.what());
    return 1;
  }
}
