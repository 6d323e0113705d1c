// The anthropic-local command line: parses argv into one sub-command's options (commands.h) and
// runs it. `serve` is the default sub-command.
#pragma once

namespace server::cli {

// The process's exit status: the sub-command's, or CLI11's for a parse error or --help.
int run_cli(int argc, char** argv);

}  // namespace server::cli
