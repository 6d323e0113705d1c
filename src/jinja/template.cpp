#include "jinja/template.h"

#include <ctime>

#include "jinja/interpreter.h"
#include "jinja/lexer.h"
#include "jinja/parser.h"
#include "jinja/pystr.h"
#include "jinja/unicode.h"

namespace jinja {

namespace {

// raise_exception(msg) of Hugging Face: a TemplateError with exactly the message.
Value raise_exception(CallArgs& args) {
  auto a = args.bind("raise_exception", {"message"});
  throw EvalError(a[0] ? py_str(*a[0]) : "");
}

std::string strftime_tm(const std::string& format, const std::tm& tm) {
  if (format.empty()) return "";
  std::vector<char> buf(256);
  while (buf.size() <= (1u << 16)) {
    size_t n = std::strftime(buf.data(), buf.size(), format.c_str(), &tm);
    if (n > 0) return std::string(buf.data(), n);
    buf.resize(buf.size() * 4);
  }
  return "";  // strftime of a format that yields nothing (e.g. "%p" in some locales)
}

std::tm local_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  return tm;
}

}  // namespace

Context::Context() {
  set_function("raise_exception", raise_exception);
  set_clock(local_now);
}

void Context::set(const std::string& name, Value value) {
  vars_[name] = std::move(value);
}

void Context::set_json(const nlohmann::ordered_json& object) {
  if (!object.is_object()) {
    throw TemplateError(std::string("the template context must be a JSON object, not ") +
                        object.type_name());
  }
  try {
    for (auto it = object.begin(); it != object.end(); ++it)
      set(it.key(), Value::from_json(it.value()));
  } catch (const EvalError& e) {
    throw TemplateError(e.what());
  }
}

void Context::set_function(const std::string& name, Function f) {
  auto c = std::make_shared<Callable>();
  c->name = "function " + name;
  c->call = [f = std::move(f)](Interpreter&, CallArgs& args) { return f(args); };
  set(name, Value::callable(std::move(c)));
}

void Context::set_clock(std::function<std::tm()> now) {
  set_function("strftime_now", [now = std::move(now)](CallArgs& args) {
    auto a = args.bind("strftime_now", {"format"});
    if (!a[0] || !a[0]->is_string()) throw EvalError("strftime_now() needs a format string");
    return Value::string(strftime_tm(a[0]->str(), now()));
  });
}

const Value* Context::find(std::string_view name) const {
  auto it = vars_.find(std::string(name));
  return it == vars_.end() ? nullptr : &it->second;
}

Template Template::parse(std::string_view source, const Limits& limits) {
  if (!utf8_valid(source)) throw TemplateError("the template is not valid UTF-8");
  auto program = std::make_shared<Program>();
  program->source = normalize_source(source);
  program->limits = limits;
  std::vector<Token> tokens = tokenize(program->source);
  program->body = parse_template(program->source, tokens, limits.max_nesting);
  return Template(std::move(program));
}

std::string Template::render(const Context& context) const {
  Interpreter interpreter(*program_, context);
  RenderBudget budget(program_->limits.max_value_walk, program_->limits.max_string_bytes);
  try {
    return interpreter.render();
  } catch (const EvalError& e) {
    throw TemplateError(e.what());
  }
}

}  // namespace jinja
