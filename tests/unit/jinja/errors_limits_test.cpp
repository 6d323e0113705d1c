// Errors point into the template (row, column, source line, caret), and every limit on an
// untrusted template or context stops it with a TemplateError instead of a hang or a blowup.
#include <gtest/gtest.h>

#include <string>

#include "jinja/template.h"

namespace {

using jinja::Context;
using jinja::Limits;
using jinja::Template;
using jinja::TemplateError;

std::string render(const std::string& src,
                   const nlohmann::ordered_json& vars = nlohmann::ordered_json::object(),
                   const Limits& limits = {}) {
  Context ctx;
  ctx.set_json(vars);
  return Template::parse(src, limits).render(ctx);
}

// The error a template raises (parse or render).
TemplateError error_of(const std::string& src, const Limits& limits = {},
                       const nlohmann::ordered_json& vars = nlohmann::ordered_json::object()) {
  try {
    render(src, vars, limits);
  } catch (const TemplateError& e) {
    return e;
  }
  ADD_FAILURE() << "no error for: " << src;
  return TemplateError("none");
}

TEST(JinjaErrors, SyntaxErrorPointsAtRowAndColumnWithCaret) {
  TemplateError e = error_of("{% if x %}\n  {{ 1 + }}\n{% endif %}");
  EXPECT_EQ(e.row(), 2);
  EXPECT_EQ(e.column(), 10);
  EXPECT_EQ(e.source_line(), "  {{ 1 + }}");
  EXPECT_NE(std::string(e.what()).find("at row 2, column 10:\n  {{ 1 + }}\n         ^"),
            std::string::npos)
      << e.what();
}

TEST(JinjaErrors, UnclosedBlockNamesTheMissingTag) {
  TemplateError e = error_of("{% for x in y %}\nbody");
  EXPECT_NE(e.message().find("'endfor'"), std::string::npos) << e.what();
}

TEST(JinjaErrors, UnknownFilterIsAParseError) {
  TemplateError e = error_of("line one\n{{ x | nosuch }}");
  EXPECT_EQ(e.message(), "No filter named 'nosuch'.");
  EXPECT_EQ(e.row(), 2);
  EXPECT_EQ(e.column(), 8);
}

TEST(JinjaErrors, UnknownTestInsideIfFailsOnlyWhenEvaluated) {
  EXPECT_EQ(render("{% if false %}{{ 1 is nosuch }}{% endif %}ok"), "ok");
  TemplateError e = error_of("{% if true %}{{ 1 is nosuch }}{% endif %}");
  EXPECT_NE(e.message().find("No test named 'nosuch'"), std::string::npos);
}

TEST(JinjaErrors, RaiseExceptionCarriesTheMessageAndTheSpot) {
  TemplateError e = error_of("ok\n  {{ raise_exception('Conversation roles must alternate') }}");
  EXPECT_EQ(e.message(), "Conversation roles must alternate");
  EXPECT_EQ(e.row(), 2);
  EXPECT_EQ(e.column(), 6);
}

TEST(JinjaErrors, UndefinedAttributeAndSandboxRefusal) {
  EXPECT_EQ(error_of("{{ user.name }}").message(), "'user' is undefined");
  EXPECT_EQ(error_of("{{ m.a.b }}", {}, {{"m", {{"x", 1}}}}).message(),
            "'dict object' has no attribute 'a'");
  EXPECT_EQ(error_of("{{ l.append(1) }}", {}, {{"l", {1}}}).message(),
            "access to attribute 'append' of 'list' object is unsafe.");
}

TEST(JinjaErrors, TypeErrorsUsePythonsWording) {
  EXPECT_EQ(error_of("{{ 'a' + 1 }}").message(), "can only concatenate str (not \"int\") to str");
  EXPECT_EQ(error_of("{{ 1 / 0 }}").message(), "division by zero");
  EXPECT_EQ(error_of("{% for a, b in [[1]] %}{% endfor %}").message(),
            "not enough values to unpack (expected 2, got 1)");
}

TEST(JinjaErrors, InvalidUtf8TemplateIsRejected) {
  EXPECT_THROW(Template::parse(std::string("ok \xff\xfe")), TemplateError);
}

TEST(JinjaErrors, ContextMustBeAnObject) {
  Context ctx;
  EXPECT_THROW(ctx.set_json(nlohmann::ordered_json::array()), TemplateError);
}

TEST(JinjaLimits, InfiniteMacroRecursionStops) {
  TemplateError e = error_of("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
  EXPECT_NE(e.message().find("macro calls nested deeper than 64"), std::string::npos) << e.what();
}

TEST(JinjaLimits, LoopIterationsAreBounded) {
  Limits limits;
  limits.max_loop_iterations = 10000;
  TemplateError e = error_of(
      "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", limits);
  EXPECT_NE(e.message().find("10000 loop iterations"), std::string::npos) << e.what();
}

TEST(JinjaLimits, OutputSizeIsBounded) {
  Limits limits;
  limits.max_output_bytes = 1000;
  TemplateError e = error_of("{% for i in range(1000) %}0123456789{% endfor %}", limits);
  EXPECT_NE(e.message().find("output exceeded the limit of 1000 bytes"), std::string::npos);
  EXPECT_THROW(render("{{ 'x' * 1000000000 }}"), TemplateError);
  EXPECT_THROW(render("{% set ns = namespace(s='ab') %}{% for i in range(40) %}"
                      "{% set ns.s = ns.s ~ ns.s %}{% endfor %}"),
               TemplateError);
}

TEST(JinjaLimits, ListsDoubledInALoopAreBounded) {
  // Each step doubles the list: without a bound, 2^60 elements.
  TemplateError e = error_of(
      "{% set ns = namespace(l=[1]) %}{% for i in range(60) %}{% set ns.l = ns.l + ns.l %}"
      "{% endfor %}{{ ns.l|length }}");
  EXPECT_NE(e.message().find("list concatenation result is too large"), std::string::npos)
      << e.what();
  EXPECT_THROW(render("{% set ns = namespace(l=[1]) %}{% for i in range(60) %}"
                      "{% set ns.l = ns.l * 2 %}{% endfor %}"),
               TemplateError);
}

TEST(JinjaLimits, ValuesWithRepeatedPartsCannotExplodeAWalk) {
  // A dict holding the same dict twice, 40 times over: small in memory, 2^40 leaves to tojson,
  // to print or to compare. (A smaller budget than the default keeps the test fast under the
  // sanitizers; the default of 4M walks takes about a second.)
  Limits limits;
  limits.max_value_walk = 100000;
  const std::string build =
      "{% set ns = namespace(d={}) %}{% for i in range(40) %}"
      "{% set ns.d = {'a': ns.d, 'b': ns.d} %}{% endfor %}";
  for (const char* use :
       {"{{ ns.d|tojson }}", "{{ ns.d }}", "{{ ns.d == ns.d }}", "{{ ns.d|string|length }}"}) {
    SCOPED_TRACE(use);
    TemplateError e = error_of(build + use, limits);
    EXPECT_NE(e.message().find("values walked by tojson"), std::string::npos) << e.what();
  }
  // The budget is per render, and small values are not hit.
  limits.max_value_walk = 1000;
  EXPECT_EQ(
      render("{{ {'a': [1, 2, {'b': 3}]}|tojson }}", nlohmann::ordered_json::object(), limits),
      "{\"a\": [1, 2, {\"b\": 3}]}");
  EXPECT_THROW(render("{% for i in range(400) %}{{ [i, [i]]|tojson }}{% endfor %}",
                      nlohmann::ordered_json::object(), limits),
               TemplateError);
  EXPECT_EQ(render("{{ [1]|tojson }}", nlohmann::ordered_json::object(), limits), "[1]");
  EXPECT_EQ(Limits().max_value_walk, 4000000);
}

TEST(JinjaLimits, StringsGrownInALoopAreBounded) {
  // 1M appends of 60 bytes: the final string fits the output limit, but each append copies the
  // whole string (3e13 bytes in all). A budget of 64 MiB keeps the test fast under the
  // sanitizers; the default is 256 MiB.
  Limits limits;
  limits.max_string_bytes = 64 << 20;
  TemplateError e = error_of(
      "{% set ns = namespace(s='') %}{% for i in range(1000) %}{% for j in range(1000) %}"
      "{% set ns.s = ns.s ~ '012345678901234567890123456789012345678901234567890123456789' %}"
      "{% endfor %}{% endfor %}{{ ns.s|length }}",
      limits);
  EXPECT_NE(e.message().find("strings built by the template exceeded the limit"), std::string::npos)
      << e.what();
  limits.max_string_bytes = 100;
  EXPECT_EQ(render("{{ 'ab' ~ 'cd' }}", nlohmann::ordered_json::object(), limits), "abcd");
  EXPECT_THROW(render("{% for i in range(20) %}{{ 'abcd' ~ 'efgh' }}{% endfor %}",
                      nlohmann::ordered_json::object(), limits),
               TemplateError);
  EXPECT_EQ(Limits().max_string_bytes, int64_t{256} << 20);
}

TEST(JinjaLimits, EvaluationStepsAreBounded) {
  Limits limits;
  limits.max_steps = 5000;
  TemplateError e = error_of("{% for i in range(10000) %}{{ i }}{% endfor %}", limits);
  EXPECT_NE(e.message().find("5000 evaluation steps"), std::string::npos) << e.what();
}

TEST(JinjaLimits, DeepNestingInTheSourceIsRefusedAtParse) {
  std::string parens = "{{ " + std::string(600, '(') + "1" + std::string(600, ')') + " }}";
  EXPECT_NE(error_of(parens).message().find("nesting too deep"), std::string::npos);
  std::string lists = "{{ " + std::string(600, '[') + std::string(600, ']') + " }}";
  EXPECT_THROW(render(lists), TemplateError);
  std::string ifs;
  for (int i = 0; i < 300; ++i) ifs += "{% if true %}";
  for (int i = 0; i < 300; ++i) ifs += "{% endif %}";
  EXPECT_THROW(render(ifs), TemplateError);
  std::string nots;
  for (int i = 0; i < 100; ++i) nots += "not ";
  EXPECT_EQ(render("{{ " + nots + "false }}"), "False");
}

TEST(JinjaLimits, DeeplyNestedContextIsRefused) {
  nlohmann::ordered_json deep = 1;
  for (int i = 0; i < 600; ++i) deep = nlohmann::ordered_json::array({deep});
  Context ctx;
  EXPECT_THROW(ctx.set_json({{"x", deep}}), TemplateError);
}

TEST(JinjaLimits, RangeIsCappedLikeTheSandbox) {
  EXPECT_NE(error_of("{{ range(100001)|length }}").message().find("MAX_RANGE (100000)"),
            std::string::npos);
}

TEST(JinjaLimits, SelfReferencingNamespaceDoesNotLeak) {
  EXPECT_EQ(render("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns.me.me is defined }}"),
            "True");
}

TEST(JinjaApi, ParseOnceRenderManyWithIndependentContexts) {
  Template t = Template::parse("{{ name }}:{{ items|tojson }}");
  Context a;
  a.set_json({{"name", "a"}, {"items", nlohmann::ordered_json{{"z", 1}, {"a", 2}}}});
  Context b;
  b.set_json({{"name", "b"}, {"items", {1, 2}}});
  EXPECT_EQ(t.render(a), "a:{\"z\": 1, \"a\": 2}");  // key order of the request kept
  EXPECT_EQ(t.render(b), "b:[1, 2]");
  EXPECT_EQ(t.render(a), "a:{\"z\": 1, \"a\": 2}");
}

TEST(JinjaApi, InjectedFunctionsAndClock) {
  Context ctx;
  ctx.set_function("shout", [](jinja::CallArgs& args) {
    return jinja::Value::string(args.positional.at(0).str() + "!");
  });
  ctx.set_clock([] {
    std::tm tm{};
    tm.tm_year = 124;
    tm.tm_mon = 0;
    tm.tm_mday = 2;
    return tm;
  });
  EXPECT_EQ(Template::parse("{{ shout('hi') }} {{ strftime_now('%d %b %Y') }}").render(ctx),
            "hi! 02 Jan 2024");
}

TEST(JinjaApi, ValuesBuiltFromJsonKeepTypes) {
  EXPECT_EQ(render("{{ a }} {{ b }} {{ c }} {{ d }} {{ e is none }}",
                   {{"a", 1}, {"b", 1.0}, {"c", true}, {"d", "s"}, {"e", nullptr}}),
            "1 1.0 True s True");
}

}  // namespace
