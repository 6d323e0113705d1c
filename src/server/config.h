// server::Config: every knob of `anthropic-local serve`, each settable by a flag or an environment
// variable (the flag wins). The flag is the variable's name in lower case with dashes: PORT is
// --port, CONTEXT_SIZE is --context-size. docs/CONFIG.md lists them all; keep the two in step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

// Declared, not included: CLI11 is header-only and costs ~9 s of compile time in every file that
// includes it, and this header reaches most of the server through service.h.
namespace CLI {
class App;
}

namespace server {

struct Config {
  // Where to listen. Port 0 picks a free port (printed in the "listening on" line).
  std::string host = "127.0.0.1";
  int port = 8080;
  // The GGUF file to serve.
  std::string model;
  // The name /v1/models lists first; empty: the file name without .gguf.
  std::string model_name;
  // More names /v1/models lists (any name is accepted in requests anyway).
  std::vector<std::string> model_aliases;

  // Clients must send it as `x-api-key` or `Authorization: Bearer`; empty disables auth.
  std::string auth_token = "sk-local";
  // Listen on a non-loopback address with auth disabled.
  bool allow_remote_without_auth = false;

  // Sampling defaults for requests that do not set their own.
  double temperature = 0.6;
  double top_p = 0.95;
  int top_k = 20;
  double min_p = 0.0;
  uint64_t seed = 0;  // 0: a random seed per request
  // Server-side cap on a request's max_tokens; 0: none (the context size still bounds output).
  size_t max_tokens = 0;

  // Positions a sequence may hold; 0: the model's training context length.
  size_t context_size = 0;
  size_t prefill_chunk = 512;
  size_t threads = 0;                 // 0: one per physical core
  std::string kv_cache_type = "f16";  // engine::kv_type_named: f16 or q8_0

  bool prompt_cache = true;
  size_t prompt_cache_bytes = size_t{8} << 30;
  int64_t context_ttl_ms = 30 * 60 * 1000;  // 0: entries never expire
  size_t context_max_sessions = 8;

  // Whether the model may think at all (the request's `thinking` decides within that), and
  // whether thinking blocks are returned to clients that did not ask for thinking.
  bool enable_thinking = true;
  bool expose_thinking = false;
  // chat::RenderOptions (src/chat/README.md): keep Claude Code's per-session billing block in the
  // prompt (off: every session shares the system prompt's cached tokens), and keep the reasoning
  // of every earlier turn for templates that offer preserve_thinking (Qwen3.6).
  bool keep_billing_header = false;
  bool preserve_thinking = false;

  // The API version the server speaks, reported by /health and in the anthropic-version header.
  std::string anthropic_version = "2023-06-01";
  // When set, a JSON summary of each request (and its rendered prompt) is written there.
  std::string debug_request_dir;

  // Generation requests that may wait while one runs; more get 529 overloaded_error.
  size_t queue_size = 16;
  // Request bodies larger than this get 413 request_too_large.
  size_t max_body_bytes = size_t{32} << 20;
  // A stream silent this long gets an `event: ping` (Claude Code and proxies give up on silence).
  int64_t ping_interval_ms = 5000;
  // Threads serving HTTP connections (each open stream holds one).
  size_t http_threads = 64;

  // Test double (DESIGN.md): replies come from this JSON file instead of sampling. Flag only.
  std::string scripted_replies;
};

// Registers every option of Config on `cmd` (the serve sub-command), bound to `config`.
void add_config_options(CLI::App& cmd, Config& config);

// Problems with a parsed Config that options alone cannot catch (the listen address without a
// token, zero sizes); empty when there are none. Each message says what to change.
std::vector<std::string> validate(const Config& config);

// True for 127.0.0.0/8, ::1 and localhost.
bool is_loopback_host(const std::string& host);

}  // namespace server
