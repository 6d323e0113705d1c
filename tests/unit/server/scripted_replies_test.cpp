#include "server/scripted_replies.h"

#include <gtest/gtest.h>

namespace server {
namespace {

TEST(ScriptedReplies, RulesFirstThenTheQueueOnce) {
  auto replies = ScriptedReplies::parse(R"({
    "rules": [{"match": "weather", "reply": "<tool_call>x</tool_call>"},
              {"match": "slow", "reply": "s", "token_delay_ms": 40}],
    "queue": ["first", {"reply": "second"}]})",
                                        "test");
  EXPECT_EQ(replies->next("what is the weather?")->text, "<tool_call>x</tool_call>");
  EXPECT_EQ(replies->next("what is the weather?")->origin, "rule 0");
  EXPECT_EQ(replies->next("slow please")->token_delay_ms, 40);
  EXPECT_EQ(replies->next("hello")->text, "first");
  EXPECT_EQ(replies->next("hello")->text, "second");
  EXPECT_FALSE(replies->next("hello"));
  EXPECT_EQ(replies->next("weather")->text, "<tool_call>x</tool_call>");  // rules stay
}

TEST(ScriptedReplies, EmptyMatchIsTheDefault) {
  auto replies = ScriptedReplies::parse(R"({"rules": [{"match": "", "reply": "always"}]})", "t");
  EXPECT_EQ(replies->next("")->text, "always");
  EXPECT_EQ(replies->next("anything")->text, "always");
}

TEST(ScriptedReplies, BadFilesSayWhatIsWrong) {
  const auto error = [](const char* json) {
    try {
      ScriptedReplies::parse(json, "f.json");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error("[1]").find("expected a JSON object"), std::string::npos);
  EXPECT_NE(error("{}").find("no rules and no queue"), std::string::npos);
  EXPECT_NE(error(R"({"rules": [{"reply": "x"}]})").find("rule 0 needs a string \"match\""),
            std::string::npos);
  EXPECT_NE(error(R"({"queue": [3]})").find("queue 0 must be a string"), std::string::npos);
  EXPECT_NE(error(R"({"queue": [{"reply": "x", "token_delay_ms": -1}]})").find("token_delay_ms"),
            std::string::npos);
  EXPECT_NE(error("{").find("f.json"), std::string::npos);
}

TEST(LastUserText, TextAndToolResultsOfTheLastUserMessage) {
  api::Prompt prompt;
  prompt.messages.push_back({api::Role::kUser, {api::TextBlock{"first question"}}});
  prompt.messages.push_back({api::Role::kAssistant, {api::TextBlock{"answer"}}});
  api::ToolResultBlock result{.tool_use_id = "toolu_1", .content = {api::TextBlock{"Sunny"}}};
  prompt.messages.push_back({api::Role::kUser, {result, api::TextBlock{"and now?"}}});
  EXPECT_EQ(last_user_text(prompt), "Sunny\nand now?");
  EXPECT_EQ(last_user_text(api::Prompt{}), "");
}

}  // namespace
}  // namespace server
