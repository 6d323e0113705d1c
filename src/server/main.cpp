// anthropic-local: an Anthropic Messages API server over a local GGUF model.
#include "server/cli/cli_app.h"

int main(int argc, char** argv) {
  return server::cli::run_cli(argc, argv);
}
