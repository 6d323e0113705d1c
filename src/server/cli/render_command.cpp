// `anthropic-local render`: a /v1/messages request body on stdin, the exact prompt the model
// would be given on stdout: its text (as the chat template renders it, Claude Code's billing
// block left out unless asked) or, with --ids, its token ids as a JSON array. Errors are printed
// as Anthropic error JSON on stderr, with exit status 1. Reads the GGUF's metadata only.
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "api/error.h"
#include "api/request_parser.h"
#include "chat/chat_template.h"
#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/tokenizer.h"
#include "server/cli/commands.h"

namespace server::cli {
namespace {

std::string read_stdin() {
  std::ios::sync_with_stdio(false);
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

// The prompt, or the error to print.
api::Result<std::string> render(const RenderOptions& o) {
  const engine::GgufFile file = engine::GgufFile::open(o.model);
  const engine::Tokenizer tokenizer = engine::Tokenizer::from_gguf(file);
  std::string source;
  if (!o.template_file.empty()) {
    std::ifstream in(o.template_file, std::ios::binary);
    if (!in) return api::Error::api("cannot read the template file " + o.template_file);
    source.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } else if (const auto text = file.get_string("tokenizer.chat_template")) {
    source = *text;
  } else {
    return api::Error::api("the model " + o.model +
                           " has no tokenizer.chat_template; name one with --template");
  }
  const chat::ChatTemplate chat_template(source, tokenizer);

  api::Result<api::MessagesRequest> request = api::parse_messages_request(read_stdin());
  if (!request.ok()) return request.error();
  chat::RenderOptions options;
  options.add_generation_prompt = !o.no_generation_prompt;
  options.keep_billing_header = o.keep_billing_header;
  options.preserve_thinking = o.preserve_thinking;
  options.tokenize = o.ids;
  if (o.thinking != "default") options.default_thinking = o.thinking == "on";
  api::Result<chat::RenderedPrompt> prompt = chat_template.render(request.value().prompt, options);
  if (!prompt.ok()) return prompt.error();
  if (!o.ids) return std::move(prompt.value().text);
  std::string out = "[";
  for (size_t i = 0; i < prompt.value().ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(prompt.value().ids[i]);
  }
  return out + "]\n";
}

}  // namespace

int run_render(const RenderOptions& o) {
  try {
    api::Result<std::string> out = render(o);
    if (!out.ok()) {
      std::fprintf(stderr, "%s\n", api::error_json(out.error()).c_str());
      return 1;
    }
    std::fwrite(out.value().data(), 1, out.value().size(), stdout);
    std::fflush(stdout);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", api::error_json(api::Error::api(e.what())).c_str());
    return 1;
  }
}

}  // namespace server::cli
