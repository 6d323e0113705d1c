#include "server/config.h"

#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <string>
#include <vector>

namespace server {
namespace {

// Sets environment variables for one test and restores them after.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<std::string, std::string>> vars) {
    for (const auto& [name, value] : vars) {
      const char* old = std::getenv(name.c_str());
      saved_.push_back({name, old ? std::optional<std::string>(old) : std::nullopt});
      ::setenv(name.c_str(), value.c_str(), 1);
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, old] : saved_) {
      if (old) {
        ::setenv(name.c_str(), old->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

Config parse(std::vector<std::string> args) {
  CLI::App app;
  Config config;
  add_config_options(app, config);
  args.insert(args.begin(), "serve");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return config;
}

TEST(Config, Defaults) {
  const Config c = parse({"--model", "m.gguf"});
  EXPECT_EQ(c.model, "m.gguf");
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 8080);
  EXPECT_EQ(c.auth_token, "sk-local");
  EXPECT_TRUE(c.prompt_cache);
  EXPECT_FALSE(c.expose_thinking);
  EXPECT_EQ(c.prompt_cache_bytes, size_t{8} << 30);
  EXPECT_TRUE(validate(c).empty());
}

TEST(Config, ModelIsRequired) {
  EXPECT_THROW(parse({}), CLI::RequiredError);
}

TEST(Config, EnvironmentSetsAndFlagsWin) {
  ScopedEnv env({{"MODEL", "env.gguf"},
                 {"PORT", "9000"},
                 {"CONTEXT_SIZE", "16384"},
                 {"PROMPT_CACHE", "0"},
                 {"EXPOSE_THINKING", "true"},
                 {"PROMPT_CACHE_BYTES", "2G"},
                 {"CONTEXT_TTL_MS", "1000"},
                 {"MODEL_ALIASES", "claude-a,claude-b"},
                 {"ANTHROPIC_AUTH_TOKEN", "secret"}});
  const Config from_env = parse({});
  EXPECT_EQ(from_env.model, "env.gguf");
  EXPECT_EQ(from_env.port, 9000);
  EXPECT_EQ(from_env.context_size, 16384u);
  EXPECT_FALSE(from_env.prompt_cache);
  EXPECT_TRUE(from_env.expose_thinking);
  EXPECT_EQ(from_env.prompt_cache_bytes, size_t{2} << 30);
  EXPECT_EQ(from_env.context_ttl_ms, 1000);
  EXPECT_EQ(from_env.model_aliases, (std::vector<std::string>{"claude-a", "claude-b"}));
  EXPECT_EQ(from_env.auth_token, "secret");

  const Config flags = parse({"--model", "flag.gguf", "--port", "0", "--prompt-cache",
                              "--no-expose-thinking", "--prompt-cache-bytes", "512M"});
  EXPECT_EQ(flags.model, "flag.gguf");
  EXPECT_EQ(flags.port, 0);
  EXPECT_TRUE(flags.prompt_cache);
  EXPECT_FALSE(flags.expose_thinking);
  EXPECT_EQ(flags.prompt_cache_bytes, size_t{512} << 20);
  EXPECT_EQ(flags.context_size, 16384u);  // still from the environment
}

TEST(Config, ALaterFlagWins) {
  const Config c =
      parse({"--model", "a", "--context-size", "4096", "--model", "b", "--context-size", "256"});
  EXPECT_EQ(c.model, "b");
  EXPECT_EQ(c.context_size, 256u);
}

TEST(Config, EmptyTokenFromTheEnvironmentDisablesAuth) {
  ScopedEnv env({{"ANTHROPIC_AUTH_TOKEN", ""}});
  EXPECT_EQ(parse({"--model", "m"}).auth_token, "");
}

TEST(Config, RejectsOutOfRangeValues) {
  EXPECT_THROW(parse({"--model", "m", "--port", "70000"}), CLI::ValidationError);
  EXPECT_THROW(parse({"--model", "m", "--prefill-chunk", "0"}), CLI::ValidationError);
  EXPECT_THROW(parse({"--model", "m", "--temperature", "3"}), CLI::ValidationError);
  EXPECT_THROW(parse({"--model", "m", "--ping-interval-ms", "20000"}), CLI::ValidationError);
  EXPECT_THROW(parse({"--model", "m", "--port", "eighty"}), CLI::ParseError);
}

TEST(Config, KvCacheTypeIsF16OrQ8_0) {
  EXPECT_EQ(parse({"--model", "m"}).kv_cache_type, "f16");
  EXPECT_EQ(parse({"--model", "m", "--kv-cache-type", "q8_0"}).kv_cache_type, "q8_0");
  {
    ScopedEnv env({{"KV_CACHE_TYPE", "q8_0"}});
    const Config c = parse({"--model", "m"});
    EXPECT_EQ(c.kv_cache_type, "q8_0");
    EXPECT_TRUE(validate(c).empty());
  }
  const auto problems = validate(parse({"--model", "m", "--kv-cache-type", "q4_0"}));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("unknown KV cache type \"q4_0\""), std::string::npos) << problems[0];
}

TEST(Config, RemoteAddressNeedsATokenOrAnExplicitFlag) {
  EXPECT_TRUE(validate(parse({"--model", "m", "--host", "0.0.0.0"})).empty());  // has a token
  const auto problems =
      validate(parse({"--model", "m", "--host", "0.0.0.0", "--anthropic-auth-token", ""}));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("--allow-remote-without-auth"), std::string::npos);
  EXPECT_TRUE(validate(parse({"--model", "m", "--host", "0.0.0.0", "--anthropic-auth-token", "",
                              "--allow-remote-without-auth"}))
                  .empty());
  EXPECT_TRUE(validate(parse({"--model", "m", "--host", "127.0.0.2", "--anthropic-auth-token", ""}))
                  .empty());
}

TEST(Config, LoopbackHosts) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
  EXPECT_FALSE(is_loopback_host("192.168.1.2"));
  EXPECT_FALSE(is_loopback_host("::"));
  EXPECT_FALSE(is_loopback_host("128.0.0.1"));
}

}  // namespace
}  // namespace server
