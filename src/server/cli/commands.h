// The sub-commands of the anthropic-local binary. Each adds itself to the CLI11 app and runs when
// chosen; main.cpp only wires them together.
#pragma once

#include <CLI/CLI.hpp>

namespace server::cli {

// Each registers a sub-command whose callback does the work and sets `exit_code`.
void add_serve_command(CLI::App& app, int& exit_code);
void add_tokenize_command(CLI::App& app, int& exit_code);
void add_gguf_info_command(CLI::App& app, int& exit_code);
void add_generate_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);
void add_render_command(CLI::App& app, int& exit_code);

}  // namespace server::cli
