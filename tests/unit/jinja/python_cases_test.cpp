// Every feature on a small template, against the output Python Jinja2 gives in Hugging Face's
// environment (tests/jinja/unit_cases.py writes python_cases.inc).
#include <gtest/gtest.h>

#include <ctime>
#include <string>

#include "jinja/template.h"

namespace {

struct PythonCase {
  const char* group;
  const char* source;
  const char* context;
  bool raises;
  const char* expected;
};

const PythonCase kCases[] = {
#include "python_cases.inc"
};

std::tm fixed_now() {
  std::tm tm{};
  tm.tm_year = 2024 - 1900;
  tm.tm_mon = 6;
  tm.tm_mday = 26;
  tm.tm_hour = 10;
  tm.tm_min = 20;
  tm.tm_sec = 30;
  tm.tm_wday = 5;  // a Friday
  tm.tm_yday = 207;
  return tm;
}

class PythonCaseTest : public testing::TestWithParam<PythonCase> {};

TEST_P(PythonCaseTest, RendersLikePython) {
  const PythonCase& c = GetParam();
  SCOPED_TRACE(std::string("template: ") + c.source);
  std::string output;
  bool raised = false;
  std::string error;
  try {
    jinja::Template t = jinja::Template::parse(c.source);
    jinja::Context ctx;
    ctx.set_clock(fixed_now);
    ctx.set_json(nlohmann::ordered_json::parse(c.context));
    output = t.render(ctx);
  } catch (const jinja::TemplateError& e) {
    raised = true;
    error = e.what();
  }
  if (c.raises) {
    EXPECT_TRUE(raised) << "Python raises; we rendered: " << output;
  } else {
    EXPECT_FALSE(raised) << error;
    EXPECT_EQ(output, c.expected);
  }
}

std::string case_name(const testing::TestParamInfo<PythonCase>& info) {
  return std::string(info.param.group) + "_" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(Jinja2, PythonCaseTest, testing::ValuesIn(kCases), case_name);

}  // namespace
