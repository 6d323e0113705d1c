// `anthropic-local tokenize`: the model's tokenizer on stdin, for people and for the differential
// tests. Text -> a JSON array of ids; --decode: a JSON array of ids -> text; --batch: a JSON array
// of strings -> a JSON array of id arrays (one process for a whole corpus).
#include <cstdio>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/tokenizer.h"
#include "server/cli/commands.h"

namespace server::cli {
namespace {

std::string read_stdin() {
  std::ios::sync_with_stdio(false);
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

void append_ids(const std::vector<engine::TokenId>& ids, std::string& out) {
  out += '[';
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  out += ']';
}

std::vector<engine::TokenId> parse_ids(const nlohmann::json& array,
                                       const engine::Tokenizer& tokenizer) {
  if (!array.is_array()) throw std::runtime_error("expected a JSON array of token ids");
  std::vector<engine::TokenId> ids;
  ids.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i) {
    const nlohmann::json& v = array[i];
    if (!v.is_number_integer() ||
        !tokenizer.is_valid(static_cast<engine::TokenId>(v.get<int64_t>())) ||
        v.get<int64_t>() != static_cast<engine::TokenId>(v.get<int64_t>())) {
      throw std::runtime_error("element " + std::to_string(i) + " is " + v.dump() +
                               "; expected a token id in 0.." +
                               std::to_string(tokenizer.vocab_size() - 1));
    }
    ids.push_back(static_cast<engine::TokenId>(v.get<int64_t>()));
  }
  return ids;
}

void tokenize(const TokenizeOptions& opts) {
  const engine::GgufFile file = engine::GgufFile::open(opts.model);
  const engine::Tokenizer tokenizer = engine::Tokenizer::from_gguf(file);
  const engine::EncodeOptions encode{.parse_special = !opts.no_special};
  const std::string input = read_stdin();
  std::string out;
  if (opts.decode) {
    nlohmann::json ids;
    try {
      ids = nlohmann::json::parse(input);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(std::string("stdin is not JSON: ") + e.what());
    }
    out = tokenizer.decode(parse_ids(ids, tokenizer));
  } else if (opts.batch) {
    nlohmann::json texts;
    try {
      texts = nlohmann::json::parse(input);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(std::string("stdin is not JSON: ") + e.what());
    }
    if (!texts.is_array()) throw std::runtime_error("--batch expects a JSON array of strings");
    out += '[';
    for (size_t i = 0; i < texts.size(); ++i) {
      if (!texts[i].is_string()) {
        throw std::runtime_error("element " + std::to_string(i) + " of the batch is not a string");
      }
      if (i) out += ',';
      append_ids(tokenizer.encode(texts[i].get_ref<const std::string&>(), encode), out);
    }
    out += "]\n";
  } else {
    append_ids(tokenizer.encode(input, encode), out);
    out += '\n';
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

int run_tokenize(const TokenizeOptions& opts) {
  if (opts.decode && opts.batch) {
    std::fprintf(stderr, "anthropic-local tokenize: --decode and --batch exclude each other\n");
    return 2;
  }
  tokenize(opts);
  return 0;
}

}  // namespace server::cli
