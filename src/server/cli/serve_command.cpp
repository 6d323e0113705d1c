// `anthropic-local serve`: loads the model and serves the Anthropic Messages API until SIGINT or
// SIGTERM. Once it listens it prints "listening on http://HOST:PORT" and the lines that point
// Claude Code at it, on stdout; logs go to stderr.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>

#include "server/cli/commands.h"
#include "server/config.h"
#include "server/http_server.h"
#include "server/service.h"

namespace server::cli {
namespace {

// `value` quoted for a POSIX shell when it needs it.
std::string shell_quote(const std::string& value) {
  const bool plain = !value.empty() && value.find_first_not_of(
                                           "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                           "0123456789-_.,:/@%+=") == std::string::npos;
  if (plain) return value;
  std::string quoted = "'";
  for (char c : value) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

void print_ready(const Config& config, const Service& service, int port) {
  const std::string host =
      config.host == "0.0.0.0" || config.host == "::" ? "127.0.0.1" : config.host;
  const std::string url = "http://" + host + ":" + std::to_string(port);
  const std::string model = shell_quote(service.model_name());
  std::printf("listening on %s\n", url.c_str());
  std::printf(
      "\nTo point Claude Code at this server, paste these lines into a shell, then run `claude`:\n"
      "\n"
      "  export ANTHROPIC_BASE_URL=%s\n"
      "  export ANTHROPIC_AUTH_TOKEN=%s\n"
      "  export ANTHROPIC_MODEL=%s\n"
      "  export ANTHROPIC_DEFAULT_HAIKU_MODEL=%s\n"
      "  export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1\n"
      "\n",
      url.c_str(), shell_quote(config.auth_token.empty() ? "none" : config.auth_token).c_str(),
      model.c_str(), model.c_str());
  std::fflush(stdout);
}

int serve(const Config& config) {
  const std::vector<std::string> problems = validate(config);
  for (const std::string& problem : problems) {
    std::fprintf(stderr, "anthropic-local: %s\n", problem.c_str());
  }
  if (!problems.empty()) return 2;

  // SIGINT and SIGTERM are taken by one thread (sigwait), blocked in all others, which inherit the
  // mask; a write to a client that left must fail with EPIPE, not kill the process.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  if (!config.scripted_replies.empty()) {
    std::fprintf(stderr,
                 "\n*** TEST MODE: --scripted-replies %s ***\n"
                 "*** Replies come from that file, not from the model's sampling. ***\n\n",
                 config.scripted_replies.c_str());
  }
  std::fprintf(stderr, "anthropic-local: loading %s\n", config.model.c_str());
  Service service(config);
  const auto health = service.health();
  std::fprintf(stderr,
               "anthropic-local: model %s, context %zu, KV cache %s (%zu KiB per token), %zu "
               "threads, prompt cache %s (%zu MiB, %zu sessions, ttl %lld ms), auth %s\n",
               service.model_name().c_str(), service.context_size(), config.kv_cache_type.c_str(),
               static_cast<size_t>(health["kv_cache"]["bytes_per_token"]) >> 10,
               static_cast<size_t>(health["threads"]), config.prompt_cache ? "on" : "off",
               config.prompt_cache_bytes >> 20, config.context_max_sessions,
               static_cast<long long>(config.context_ttl_ms),
               config.auth_token.empty() ? "OFF" : "on");
  HttpServer http(service);
  const int port = http.bind();

  std::thread signal_thread([&http, signals] {
    int received = 0;
    sigwait(&signals, &received);
    std::fprintf(stderr, "anthropic-local: signal %d, shutting down\n", received);
    http.stop();
  });
  print_ready(config, service, port);
  http.run();
  // run() returned after a signal, or because listening failed: then the signal thread still
  // waits, and this wakes it (after a signal it is gone, and this one stays pending, blocked).
  kill(getpid(), SIGTERM);
  signal_thread.join();
  return 0;
}

}  // namespace

int run_serve(const Config& config) {
  return serve(config);
}

}  // namespace server::cli
