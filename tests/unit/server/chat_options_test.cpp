// The two prompt knobs of the chat layer that serve exposes (KEEP_BILLING_HEADER,
// PRESERVE_THINKING): off by default, settable by flag and by environment variable. What they do
// to the prompt is tested in tests/unit/chat (Render.BillingHeaderLeftOutByDefault,
// Render.Qwen36PreserveThinkingKeepsEarlierReasoning, Session.ToolLoopExtendsThePromptExactly).
#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "server/config.h"

namespace server {
namespace {

Config parse_args(std::vector<std::string> args) {
  CLI::App app;
  Config config;
  add_config_options(app, config);
  args.insert(args.begin(), "serve");
  args.push_back("--model");
  args.push_back("m.gguf");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return config;
}

TEST(ChatOptions, OffByDefault) {
  const Config c = parse_args({});
  EXPECT_FALSE(c.keep_billing_header);
  EXPECT_FALSE(c.preserve_thinking);
}

TEST(ChatOptions, Flags) {
  const Config c = parse_args({"--keep-billing-header", "--preserve-thinking"});
  EXPECT_TRUE(c.keep_billing_header);
  EXPECT_TRUE(c.preserve_thinking);
  EXPECT_FALSE(parse_args({"--preserve-thinking=false"}).preserve_thinking);
}

TEST(ChatOptions, EnvironmentVariables) {
  ::setenv("KEEP_BILLING_HEADER", "on", 1);
  ::setenv("PRESERVE_THINKING", "1", 1);
  const Config c = parse_args({});
  ::unsetenv("KEEP_BILLING_HEADER");
  ::unsetenv("PRESERVE_THINKING");
  EXPECT_TRUE(c.keep_billing_header);
  EXPECT_TRUE(c.preserve_thinking);
}

}  // namespace
}  // namespace server
