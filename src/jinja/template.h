// The public face of jinja/: parse a template once, render it many times.
//
//   jinja::Template t = jinja::Template::parse(chat_template_text);
//   jinja::Context ctx;                      // Hugging Face's globals
//   ctx.set_json(request_json);              // messages, tools, add_generation_prompt ...
//   std::string prompt = t.render(ctx);      // or throws jinja::TemplateError
#pragma once

#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "jinja/builtins.h"
#include "jinja/error.h"
#include "jinja/value.h"

namespace jinja {

// Bounds on what an untrusted template and its data may cost. Exceeding one is a TemplateError.
struct Limits {
  int max_nesting = 128;                          // nested statements and expressions in the source
  int max_call_depth = 64;                        // macro calls within macro calls
  int max_eval_depth = 1000;                      // recursion of the evaluator, all causes together
  int64_t max_loop_iterations = 1000000;          // for-loop iterations in one render
  size_t max_output_bytes = 64u << 20;            // bytes written, intermediate buffers included
  int64_t max_steps = 20000000;                   // expressions and statements evaluated
  int64_t max_value_walk = 4000000;               // values walked by tojson, repr, ==, hashing
  int64_t max_string_bytes = int64_t{256} << 20;  // bytes of all the strings built in one render
};

// The variables and functions a render sees.
class Context {
 public:
  using Function = std::function<Value(CallArgs&)>;

  // Starts with Hugging Face's globals: raise_exception(msg) and strftime_now(fmt) on the
  // system's local time.
  Context();

  void set(const std::string& name, Value value);
  // Every key of a JSON object becomes a variable, keeping the key order of nested objects.
  void set_json(const nlohmann::ordered_json& object);
  void set_function(const std::string& name, Function f);
  // The clock behind strftime_now: returns local broken-down time (tests fix it).
  void set_clock(std::function<std::tm()> now);

  const Value* find(std::string_view name) const;

 private:
  std::unordered_map<std::string, Value> vars_;
};

struct Program;

class Template {
 public:
  // Throws TemplateError for a syntax error, an unknown tag, filter or test.
  static Template parse(std::string_view source, const Limits& limits = {});

  // Throws TemplateError for errors at run time (raise_exception, undefined attributes, type
  // errors, exceeded limits).
  std::string render(const Context& context) const;

 private:
  explicit Template(std::shared_ptr<const Program> program) : program_(std::move(program)) {}
  std::shared_ptr<const Program> program_;
};

}  // namespace jinja
