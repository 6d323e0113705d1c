#include "server/cli/cli_app.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "server/cli/commands.h"
#include "server/config.h"

namespace server::cli {
namespace {

// A sub-command whose flags fill `options` and whose callback runs `run` on them; what it throws
// becomes one line on stderr and exit status 1.
template <typename Options>
CLI::App* add_command(CLI::App& app, const std::string& name, const std::string& help,
                      const std::shared_ptr<Options>& options, int (*run)(const Options&),
                      int& exit_code) {
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->callback([options, run, name, &exit_code] {
    try {
      exit_code = run(*options);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "anthropic-local %s: %s\n", name.c_str(), e.what());
      exit_code = 1;
    }
  });
  return cmd;
}

void add_engine_options(CLI::App& cmd, EngineOptions& o) {
  cmd.add_option("--threads,-t", o.threads, "Threads; 0 is one per physical core")
      ->capture_default_str();
  cmd.add_option("--prefill-chunk", o.prefill_chunk, "Tokens per prefill step")
      ->capture_default_str();
  cmd.add_flag("--no-repack", o.no_repack, "Run on the mmapped weights without repacking");
  cmd.add_option("--kv-cache-type", o.kv_cache_type,
                 "How the KV cache stores keys and values: "
                 "f16, or q8_0 (47% smaller)")
      ->capture_default_str();
}

void add_serve(CLI::App& app, int& exit_code) {
  auto config = std::make_shared<Config>();
  CLI::App* cmd =
      add_command(app, "serve", "Serve the Anthropic Messages API (the default command)", config,
                  run_serve, exit_code);
  add_config_options(*cmd, *config);
}

void add_tokenize(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<TokenizeOptions>();
  CLI::App* cmd = add_command(
      app, "tokenize",
      "Tokenize UTF-8 text from stdin with a model's tokenizer and print the ids as a JSON array",
      o, run_tokenize, exit_code);
  cmd->add_option("--model,-m", o->model, "Path of the GGUF model file")->required();
  cmd->add_flag("--decode", o->decode,
                "Read a JSON array of token ids from stdin and print their text instead");
  cmd->add_flag("--batch", o->batch,
                "Read a JSON array of strings and print a JSON array of their id arrays");
  cmd->add_flag("--no-special", o->no_special,
                "Treat the text of special tokens (<|im_start|>, <tool_call>) as plain text");
}

void add_gguf_info(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<GgufInfoOptions>();
  CLI::App* cmd = add_command(app, "gguf-info", "Show what a GGUF model file holds", o,
                              run_gguf_info, exit_code);
  cmd->add_option("model", o->model, "Path of the GGUF file")->required();
  cmd->add_flag("--json", o->json, "Print one JSON object instead of text");
}

void add_generate(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<GenerateOptions>();
  CLI::App* cmd = add_command(app, "generate", "Generate text from a prompt (no server)", o,
                              run_generate, exit_code);
  cmd->add_option("--model,-m", o->model, "Path of the GGUF model file")->required();
  cmd->add_option("--prompt,-p", o->prompt, "The prompt: raw text unless --chat")->required();
  cmd->add_option("--max-tokens,-n", o->max_tokens, "Tokens to generate at most")
      ->capture_default_str();
  cmd->add_option("--temperature", o->sampling.temperature, "0 is greedy")->capture_default_str();
  cmd->add_option("--top-k", o->sampling.top_k, "0 is off")->capture_default_str();
  cmd->add_option("--top-p", o->sampling.top_p, "1 is off")->capture_default_str();
  cmd->add_option("--min-p", o->sampling.min_p, "0 is off")->capture_default_str();
  cmd->add_option("--seed", o->sampling.seed, "Sampling seed")->capture_default_str();
  cmd->add_option("--context-size", o->context_size, "Positions the sequence may hold")
      ->capture_default_str();
  add_engine_options(*cmd, o->engine);
  cmd->add_flag("--ids", o->ids, "Print the generated token ids as a JSON array instead of text");
  cmd->add_flag("--chat", o->chat, "Apply the model's chat template to the prompt");
  cmd->add_flag("--ignore-eos", o->ignore_eos, "Keep generating past end-of-generation tokens");
}

void add_bench(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* cmd = add_command(app, "bench", "Measure prefill and decode speed on synthetic tokens",
                              o, run_bench, exit_code);
  cmd->add_option("--model,-m", o->model, "Path of the GGUF model file")->required();
  cmd->add_option("--pp", o->pp, "Prompt tokens to prefill (0: skip)")->capture_default_str();
  cmd->add_option("--tg", o->tg, "Tokens to decode (0: skip)")->capture_default_str();
  cmd->add_option("--depth", o->depth, "Prompt tokens before the decoded ones")
      ->capture_default_str();
  cmd->add_option("--reps", o->reps, "Repetitions of each measurement")->capture_default_str();
  add_engine_options(*cmd, o->engine);
  cmd->add_flag("--bandwidth", o->bandwidth, "Also measure the memory read bandwidth");
}

void add_render(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<RenderOptions>();
  CLI::App* cmd = add_command(
      app, "render", "Print the prompt a /v1/messages request body (JSON on stdin) renders to", o,
      run_render, exit_code);
  cmd->add_option("--model,-m", o->model, "Path of the GGUF model file")->required();
  cmd->add_option("--template", o->template_file,
                  "A chat template file (Jinja) to use instead of the model's");
  cmd->add_flag("--ids", o->ids, "Print the token ids as a JSON array instead of the text");
  cmd->add_flag("--keep-billing-header", o->keep_billing_header,
                "Keep Claude Code's x-anthropic-billing-header system block in the prompt");
  cmd->add_flag("--no-generation-prompt", o->no_generation_prompt,
                "Leave out the assistant turn opener at the end");
  cmd->add_flag("--preserve-thinking", o->preserve_thinking,
                "Keep the reasoning of earlier turns (templates with preserve_thinking)");
  cmd->add_option("--thinking", o->thinking,
                  "Thinking when the request has no `thinking`: default (the template's), on, off")
      ->check(CLI::IsMember({"default", "on", "off"}))
      ->capture_default_str();
}

// `serve` is the default sub-command: `anthropic-local --model M` means `anthropic-local serve
// --model M`. The top-level --help stays the top-level help.
std::vector<std::string> with_default_command(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const bool names_command = !args.empty() && !args[0].starts_with("-");
  const bool asks_help = !args.empty() && (args[0] == "-h" || args[0] == "--help");
  if (!names_command && !asks_help) args.insert(args.begin(), "serve");
  return args;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"anthropic-local: the Anthropic Messages API over a local GGUF model",
               "anthropic-local"};
  app.require_subcommand(1, 1);
  int exit_code = 0;
  add_serve(app, exit_code);
  add_tokenize(app, exit_code);
  add_gguf_info(app, exit_code);
  add_generate(app, exit_code);
  add_bench(app, exit_code);
  add_render(app, exit_code);
  std::vector<std::string> args = with_default_command(argc, argv);
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments in reverse order
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "anthropic-local: %s\n", e.what());
    return 1;
  }
  return exit_code;
}

}  // namespace server::cli
