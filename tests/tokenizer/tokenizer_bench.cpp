// Speed of the tokenizer on one core: the hand-written pre-tokenizer against the same regex in
// PCRE2 (JIT), and a whole encode, over the files given (best of 5 runs each). The figures and the
// command are in docs/PERFORMANCE.md under "Tokenizer".
//   build-rel/tests/tokenizer/tokenizer_bench MODEL.gguf tests/data/tokenizer/code_*.txt
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/tokenizer.h"
#include "tokenizer_pcre2_splitter.h"

namespace {

template <typename F>
double best_ms(F&& f) {
  double best = 1e30;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL.gguf FILE...\n", argv[0]);
    return 2;
  }
  std::string text;
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    text += ss.str();
  }
  const auto t0 = std::chrono::steady_clock::now();
  const engine::GgufFile file = engine::GgufFile::open(argv[1]);
  const engine::Tokenizer tok = engine::Tokenizer::from_gguf(file);
  const double load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const double mb = static_cast<double>(text.size()) / 1e6;
  std::printf("input: %.3f MB; vocab load %.0f ms (pre-tokenizer %s)\n", mb, load_ms,
              std::string(engine::pre_tokenizer_name(tok.pre_tokenizer())).c_str());

  std::vector<std::string_view> pieces;
  const double hand = best_ms([&] {
    pieces.clear();
    engine::pre_tokenize(tok.pre_tokenizer(), text, pieces);
  });
  const size_t n_pieces = pieces.size();
  engine::tokenizer_test::Pcre2Splitter pcre2(tok.pre_tokenizer());
  const double regex = best_ms([&] {
    pieces.clear();
    pcre2.split(text, pieces);
  });
  std::printf("pre-tokenize, hand-written: %8.1f ms  %6.1f MB/s  (%zu pieces)\n", hand,
              mb / hand * 1e3, n_pieces);
  std::printf("pre-tokenize, PCRE2 JIT:    %8.1f ms  %6.1f MB/s  (%zu pieces)\n", regex,
              mb / regex * 1e3, pieces.size());
  size_t n_ids = 0;
  const double encode = best_ms([&] { n_ids = tok.encode(text).size(); });
  std::printf("encode (whole):             %8.1f ms  %6.1f MB/s  (%zu ids)\n", encode,
              mb / encode * 1e3, n_ids);
  return n_pieces == pieces.size() ? 0 : 1;
}
