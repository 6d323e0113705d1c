#include "server/config.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <type_traits>

#include <CLI/CLI.hpp>

#include "engine/kv/kv_type.h"

namespace server {
namespace {

// An option named after its environment variable: PROMPT_CACHE_BYTES is --prompt-cache-bytes.
std::string flag_of(const std::string& env) {
  std::string flag = "--";
  for (char c : env) flag += c == '_' ? '-' : static_cast<char>(std::tolower(c));
  return flag;
}

// A flag given twice takes its last value, as a later setting overrides an earlier one.
template <typename T>
CLI::Option* option(CLI::App& cmd, const std::string& env, T& value, const std::string& help) {
  CLI::Option* opt = cmd.add_option(flag_of(env), value, help)->envname(env)->capture_default_str();
  if constexpr (!std::is_same_v<T, std::vector<std::string>>) {
    opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  }
  return opt;
}

// A boolean: --name, --name=false, --no-name, or NAME=0/1/true/false/on/off.
CLI::Option* toggle(CLI::App& cmd, const std::string& env, bool& value, const std::string& help) {
  const std::string flag = flag_of(env);
  return cmd.add_flag(flag + ",!--no-" + flag.substr(2), value, help)
      ->envname(env)
      ->default_str(value ? "true" : "false");
}

}  // namespace

bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  in_addr addr{};
  return inet_pton(AF_INET, host.c_str(), &addr) == 1 && (ntohl(addr.s_addr) >> 24) == 127;
}

void add_config_options(CLI::App& cmd, Config& c) {
  option(cmd, "HOST", c.host, "Address to listen on");
  option(cmd, "PORT", c.port, "Port to listen on; 0 picks a free one")->check(CLI::Range(0, 65535));
  cmd.add_option("--model,-m", c.model, "Path of the GGUF model file")
      ->envname("MODEL")
      ->required()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  option(cmd, "MODEL_NAME", c.model_name,
         "Model id /v1/models lists first (default: the file name without .gguf)");
  option(cmd, "MODEL_ALIASES", c.model_aliases,
         "More model ids /v1/models lists, comma-separated (requests may name any model)")
      ->delimiter(',');
  // CLI11 treats an empty environment variable as unset, but ANTHROPIC_AUTH_TOKEN= must disable
  // auth: the variable is read here, and the flag still overrides it.
  if (const char* token = std::getenv("ANTHROPIC_AUTH_TOKEN")) c.auth_token = token;
  cmd.add_option("--anthropic-auth-token", c.auth_token,
                 "Token clients send as x-api-key or Authorization: Bearer; empty disables auth "
                 "(Env:ANTHROPIC_AUTH_TOKEN)")
      ->capture_default_str()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  toggle(cmd, "ALLOW_REMOTE_WITHOUT_AUTH", c.allow_remote_without_auth,
         "Allow a non-loopback --host with an empty ANTHROPIC_AUTH_TOKEN");
  option(cmd, "TEMPERATURE", c.temperature, "Sampling temperature when a request sets none")
      ->check(CLI::Range(0.0, 2.0));
  option(cmd, "TOP_P", c.top_p, "Nucleus sampling when a request sets none; 1 is off")
      ->check(CLI::Range(0.0, 1.0));
  option(cmd, "TOP_K", c.top_k, "Top-k sampling when a request sets none; 0 is off")
      ->check(CLI::NonNegativeNumber);
  option(cmd, "MIN_P", c.min_p, "Min-p sampling; 0 is off")->check(CLI::Range(0.0, 1.0));
  option(cmd, "SEED", c.seed, "Sampling seed; 0 draws one per request");
  option(cmd, "MAX_TOKENS", c.max_tokens,
         "Cap on a request's max_tokens; 0 is none (the context size still bounds output)");
  option(cmd, "CONTEXT_SIZE", c.context_size,
         "Positions a sequence may hold (prompt + output); 0 is the model's training context");
  option(cmd, "PREFILL_CHUNK", c.prefill_chunk, "Prompt tokens per forward step while prefilling")
      ->check(CLI::PositiveNumber);
  option(cmd, "THREADS", c.threads, "Compute threads; 0 is one per physical core");
  option(cmd, "KV_CACHE_TYPE", c.kv_cache_type,
         "How the KV cache stores keys and values: f16, or q8_0 (47% smaller, slightly less "
         "precise)");
  toggle(cmd, "PROMPT_CACHE", c.prompt_cache, "Reuse the longest cached token prefix of a prompt");
  option(cmd, "PROMPT_CACHE_BYTES", c.prompt_cache_bytes,
         "Memory the prompt cache may hold (bytes; K, M, G suffixes are powers of 1024)")
      ->transform(CLI::AsSizeValue(false));
  option(cmd, "CONTEXT_TTL_MS", c.context_ttl_ms,
         "Cached sessions idle this long are dropped; 0 keeps them")
      ->check(CLI::NonNegativeNumber);
  option(cmd, "CONTEXT_MAX_SESSIONS", c.context_max_sessions, "Cached sessions at most");
  toggle(cmd, "ENABLE_THINKING", c.enable_thinking,
         "Let the model think when the request allows it; off: it never thinks");
  toggle(cmd, "EXPOSE_THINKING", c.expose_thinking,
         "Return thinking blocks even to requests that did not ask for thinking");
  toggle(cmd, "KEEP_BILLING_HEADER", c.keep_billing_header,
         "Keep Claude Code's x-anthropic-billing-header system block in the prompt");
  toggle(cmd, "PRESERVE_THINKING", c.preserve_thinking,
         "Keep earlier turns' reasoning in the prompt (templates with preserve_thinking)");
  option(cmd, "ANTHROPIC_VERSION", c.anthropic_version,
         "API version reported by /health and in the anthropic-version header");
  option(cmd, "DEBUG_REQUEST_DIR", c.debug_request_dir,
         "Write a JSON summary and the rendered prompt of each request to this directory");
  option(cmd, "QUEUE_SIZE", c.queue_size,
         "Generation requests that may wait while one runs; more get 529 overloaded_error");
  option(cmd, "MAX_BODY_BYTES", c.max_body_bytes,
         "Largest request body; larger gets 413 (K, M, G suffixes are powers of 1024)")
      ->transform(CLI::AsSizeValue(false));
  option(cmd, "PING_INTERVAL_MS", c.ping_interval_ms,
         "A stream silent this long gets an `event: ping`")
      ->check(CLI::Range(int64_t{10}, int64_t{10000}));
  option(cmd, "HTTP_THREADS", c.http_threads, "Threads serving HTTP connections")
      ->check(CLI::Range(size_t{4}, size_t{4096}));
  cmd.add_option("--scripted-replies", c.scripted_replies,
                 "TESTS ONLY: take replies from this JSON file instead of sampling the model");
}

std::vector<std::string> validate(const Config& c) {
  std::vector<std::string> problems;
  if (c.auth_token.empty() && !is_loopback_host(c.host) && !c.allow_remote_without_auth) {
    problems.push_back("refusing to listen on " + c.host +
                       " without a token: anyone who can reach it could use the model. Set "
                       "ANTHROPIC_AUTH_TOKEN (--anthropic-auth-token), listen on 127.0.0.1, or "
                       "pass --allow-remote-without-auth");
  }
  try {
    engine::kv_type_named(c.kv_cache_type);
  } catch (const std::invalid_argument& e) {
    problems.push_back(std::string("--kv-cache-type: ") + e.what());
  }
  if (c.context_size == 1) {
    problems.push_back("--context-size 1 leaves no room to generate; use 0 (the model's) or >= 2");
  }
  return problems;
}

}  // namespace server
