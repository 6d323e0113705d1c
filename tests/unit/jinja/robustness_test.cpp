// Untrusted templates and contexts: mutated real chat templates and contexts of the wrong shape
// either render or raise a TemplateError; nothing crashes, hangs or trips the sanitizers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "jinja/template.h"

namespace {

// Template texts by file name.
std::vector<std::pair<std::string, std::string>> named_templates() {
  std::vector<std::pair<std::string, std::string>> out;
  std::filesystem::path dir = std::filesystem::path(AL_SOURCE_DIR) / "tests/data/templates";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".jinja") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    out.emplace_back(entry.path().filename().string(), ss.str());
  }
  return out;
}

std::vector<std::string> real_templates() {
  std::vector<std::string> out;
  for (auto& [name, text] : named_templates()) out.push_back(text);
  return out;
}

nlohmann::ordered_json sample_context() {
  return nlohmann::ordered_json::parse(R"({
    "messages": [
      {"role": "system", "content": "Be brief."},
      {"role": "user", "content": "Weather in Paris?"},
      {"role": "assistant", "content": "", "reasoning_content": "call the tool",
       "tool_calls": [{"id": "abcdefghi", "type": "function",
                       "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
      {"role": "tool", "tool_call_id": "abcdefghi", "content": "{\"temp\": 21.5}"},
      {"role": "assistant", "content": "21.5 °C"}],
    "tools": [{"type": "function", "function": {"name": "get_weather", "description": "d",
               "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                              "required": ["city"]}}}],
    "add_generation_prompt": true, "bos_token": "<s>", "eos_token": "</s>"})");
}

// Renders, accepting success or a TemplateError; anything else fails the test.
void render_or_error(const std::string& source, const nlohmann::ordered_json& vars) {
  try {
    jinja::Limits limits;
    limits.max_steps = 200000;
    limits.max_output_bytes = 1 << 20;
    jinja::Template t = jinja::Template::parse(source, limits);
    jinja::Context ctx;
    ctx.set_json(vars);
    (void)t.render(ctx);
  } catch (const jinja::TemplateError&) {
  }
}

TEST(JinjaRobustness, RealTemplatesRenderTheSampleConversation) {
  for (const auto& [name, t] : named_templates()) {
    nlohmann::ordered_json vars = sample_context();
    if (name == "deepseek_v3_1.jinja") {  // it concatenates arguments: they must be a JSON string
      auto& fn = vars["messages"][2]["tool_calls"][0]["function"];
      fn["arguments"] = fn["arguments"].dump();
    }
    jinja::Context ctx;
    ctx.set_json(vars);
    std::string out;
    EXPECT_NO_THROW(out = jinja::Template::parse(t).render(ctx)) << name;
    EXPECT_NE(out.find("Paris"), std::string::npos) << name;
  }
}

TEST(JinjaRobustness, MutatedTemplatesRenderOrRaise) {
  static const char* kPieces[] = {"{{",         "}}",   "{%",    "%}",    "{#",     "#}",
                                  "-",          "+",    "(",     ")",     "[",      "]",
                                  "{",          "}",    "'",     "\"",    "\\",     "|",
                                  ".",          " is ", " not ", "endif", "endfor", "{% endfor %}",
                                  "{% if x %}", "\xc3", "\n"};
  std::mt19937 rng(12345);
  nlohmann::ordered_json ctx = sample_context();
  for (const std::string& original : real_templates()) {
    for (int i = 0; i < 60; ++i) {
      std::string s = original;
      int edits = 1 + static_cast<int>(rng() % 3);
      for (int e = 0; e < edits && !s.empty(); ++e) {
        size_t pos = rng() % s.size();
        switch (rng() % 4) {
          case 0:
            s.erase(pos, 1 + rng() % 8);
            break;
          case 1:
            s.insert(pos, kPieces[rng() % (sizeof(kPieces) / sizeof(kPieces[0]))]);
            break;
          case 2:
            s.insert(pos, s.substr(rng() % s.size(), rng() % 40));
            break;
          default:
            s.resize(pos);
        }
      }
      render_or_error(s, ctx);
    }
  }
}

TEST(JinjaRobustness, ContextsOfTheWrongShapeRenderOrRaise) {
  const char* kShapes[] = {
      R"({"messages": "not a list"})",
      R"({"messages": [1, 2, 3]})",
      R"({"messages": [{"role": 5, "content": {"nested": [null]}}]})",
      R"({"messages": [{"role": "user", "content": [{"type": "text"}]}], "tools": "x"})",
      R"({"messages": [{"role": "assistant", "tool_calls": [{"function": null}]}]})",
      R"({"messages": [{"role": "assistant", "tool_calls": "call"}], "tools": [1]})",
      R"({"messages": null, "add_generation_prompt": "yes"})",
      R"({})",
  };
  for (const std::string& t : real_templates()) {
    for (const char* shape : kShapes) render_or_error(t, nlohmann::ordered_json::parse(shape));
  }
}

}  // namespace
