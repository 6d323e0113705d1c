// anthropic-local: an Anthropic Messages API server over a local GGUF model.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "server/cli/commands.h"

namespace {

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

int main(int argc, char** argv) {
  CLI::App app{"anthropic-local: the Anthropic Messages API over a local GGUF model", "anthropic-local"};
  app.require_subcommand(1, 1);
  int exit_code = 0;
  server::cli::add_serve_command(app, exit_code);
  server::cli::add_tokenize_command(app, exit_code);
  server::cli::add_gguf_info_command(app, exit_code);
  server::cli::add_generate_command(app, exit_code);
  server::cli::add_bench_command(app, exit_code);
  server::cli::add_render_command(app, exit_code);
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
