// `anthropic-local serve`: loads the model and serves the Anthropic Messages API.
#include <cstdio>
#include <filesystem>
#include <string>

#include "server/cli/commands.h"

namespace server::cli {

void add_serve_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "Serve the Anthropic Messages API (the default command)");
  auto model = std::make_shared<std::string>();
  cmd->add_option("--model,-m", *model, "Path of the GGUF model file")->envname("MODEL")->required();
  cmd->callback([model, &exit_code] {
    if (!std::filesystem::is_regular_file(*model)) {
      std::fprintf(stderr, "anthropic-local: model file not found: %s\n", model->c_str());
      exit_code = 1;
      return;
    }
    std::fprintf(stderr, "anthropic-local: model %s found; the HTTP server is not built yet\n",
                 model->c_str());
  });
}

}  // namespace server::cli
