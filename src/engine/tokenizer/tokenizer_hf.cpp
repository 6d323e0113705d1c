// Tokenizer from a Hugging Face tokenizer.json (+ tokenizer_config.json), read the way llama.cpp's
// convert_hf_to_gguf.py turns them into GGUF metadata: added tokens that are special become
// CONTROL, the others USER_DEFINED; ids missing from the vocab become UNUSED "[PAD<id>]" tokens.
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/tokenizer/tokenizer.h"

namespace engine {
namespace {

using nlohmann::json;

json read_json(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TokenizerError(path.string() + ": cannot open");
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw TokenizerError(path.string() + ": not valid JSON: " + e.what());
  }
}

// The Split regexes of the tokenizer.json files of the models we support.
struct KnownRegex {
  std::string_view regex;
  std::string_view pre;
};
constexpr KnownRegex kKnownRegexes[] = {
    {R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
     "qwen2"},
    {R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
     "qwen35"},
    {R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
     "llama-bpe"},
};

// tokenizer.json's pre_tokenizer -> a tokenizer.ggml.pre name.
std::string pre_name(const json& pre, const std::string& where) {
  if (pre.is_object() && pre.value("type", "") == "ByteLevel" && pre.value("use_regex", true) &&
      !pre.value("add_prefix_space", false)) {
    return "gpt-2";
  }
  const json* split = nullptr;
  if (pre.is_object() && pre.value("type", "") == "Sequence" && pre.contains("pretokenizers") &&
      pre["pretokenizers"].is_array()) {
    for (const json& p : pre["pretokenizers"]) {
      if (!p.is_object()) continue;
      const std::string type = p.value("type", "");
      if (type == "Split") {
        split = &p;
      } else if (type != "ByteLevel" || p.value("use_regex", true)) {
        split = nullptr;  // anything else is a pre-tokenizer we do not implement
        break;
      }
    }
  }
  if (split && split->contains("pattern") && (*split)["pattern"].contains("Regex")) {
    const std::string regex = (*split)["pattern"]["Regex"].get<std::string>();
    for (const auto& known : kKnownRegexes) {
      if (regex == known.regex) return std::string(known.pre);
    }
  }
  throw TokenizerError(where + "unsupported pre_tokenizer " + pre.dump().substr(0, 300) +
                       "; supported are the Split regexes of Qwen2/Qwen3, Qwen3.5, Llama 3 "
                       "and GPT-2's ByteLevel");
}

// A token named in tokenizer_config.json: "<|im_end|>", {"content": "<|im_end|>"} or null.
std::optional<std::string> config_token(const json& config, const char* key) {
  if (!config.contains(key)) return std::nullopt;
  const json& v = config[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) {
    return v["content"].get<std::string>();
  }
  return std::nullopt;
}

}  // namespace

Tokenizer Tokenizer::from_hf_files(const std::filesystem::path& tokenizer_json,
                                   const std::filesystem::path& tokenizer_config) {
  const std::string where = tokenizer_json.string() + ": ";
  const json root = read_json(tokenizer_json);
  Vocab vocab;
  try {
    const json& model = root.at("model");
    if (model.value("type", "") != "BPE") {
      throw TokenizerError(where + "model type '" + model.value("type", "") +
                           "' is not supported; expected BPE");
    }
    if (model.value("byte_fallback", false)) {
      throw TokenizerError(where + "byte_fallback BPE is not supported");
    }
    vocab.ignore_merges = model.value("ignore_merges", false);
    vocab.pre = pre_name(root.value("pre_tokenizer", json()), where);

    const json& normalizer = root.value("normalizer", json());
    if (normalizer.is_null()) {
      vocab.normalization = Normalization::kNone;
    } else if (normalizer.is_object() && normalizer.value("type", "") == "NFC") {
      vocab.normalization = Normalization::kNfc;
    } else {
      throw TokenizerError(where + "unsupported normalizer " + normalizer.dump().substr(0, 200));
    }

    std::vector<std::pair<int64_t, std::string>> entries;  // id, text
    std::vector<std::pair<int64_t, TokenType>> added_types;
    for (const auto& [text, id] : model.at("vocab").items())
      entries.emplace_back(id.get<int64_t>(), text);
    for (const json& added : root.value("added_tokens", json::array())) {
      const int64_t id = added.at("id").get<int64_t>();
      entries.emplace_back(id, added.at("content").get<std::string>());
      added_types.emplace_back(
          id, added.value("special", false) ? TokenType::kControl : TokenType::kUserDefined);
    }
    int64_t max_id = -1;
    for (const auto& e : entries) {
      if (e.first < 0 || e.first >= (int64_t{1} << 31)) {
        throw TokenizerError(where + "token id " + std::to_string(e.first) + " is out of range");
      }
      max_id = std::max(max_id, e.first);
    }
    vocab.tokens.assign(static_cast<size_t>(max_id + 1), std::string());
    vocab.types.assign(static_cast<size_t>(max_id + 1), TokenType::kUnused);
    for (const auto& [id, text] : entries) {
      vocab.tokens[static_cast<size_t>(id)] = text;  // an added token replaces its vocab entry
      vocab.types[static_cast<size_t>(id)] = TokenType::kNormal;
    }
    for (const auto& [id, type] : added_types) vocab.types[static_cast<size_t>(id)] = type;
    for (size_t i = 0; i < vocab.tokens.size(); ++i) {
      if (vocab.types[i] == TokenType::kUnused) vocab.tokens[i] = "[PAD" + std::to_string(i) + "]";
    }

    for (const json& merge : model.at("merges")) {
      if (merge.is_string()) {
        vocab.merges.push_back(merge.get<std::string>());
      } else if (merge.is_array() && merge.size() == 2) {
        vocab.merges.push_back(merge[0].get<std::string>() + " " + merge[1].get<std::string>());
      } else {
        throw TokenizerError(where + "merge " + merge.dump() + " is neither \"a b\" nor [a, b]");
      }
    }
  } catch (const json::exception& e) {
    throw TokenizerError(where + "unexpected layout: " + e.what());
  }

  if (!tokenizer_config.empty()) {
    const json config = read_json(tokenizer_config);
    const auto id_of = [&](const char* key) -> std::optional<TokenId> {
      const auto text = config_token(config, key);
      if (!text) return std::nullopt;
      for (size_t i = 0; i < vocab.tokens.size(); ++i) {
        if (vocab.tokens[i] == *text) return static_cast<TokenId>(i);
      }
      throw TokenizerError(tokenizer_config.string() + ": " + key + " '" + *text +
                           "' is not in the vocab");
    };
    vocab.bos_id = id_of("bos_token");
    vocab.eos_id = id_of("eos_token");
    vocab.pad_id = id_of("pad_token");
    if (config.contains("add_bos_token") && config["add_bos_token"].is_boolean()) {
      vocab.add_bos = config["add_bos_token"].get<bool>();
    }
  }
  try {
    return Tokenizer(std::move(vocab));
  } catch (const TokenizerError& e) {
    throw TokenizerError(where + e.what());
  }
}

}  // namespace engine
