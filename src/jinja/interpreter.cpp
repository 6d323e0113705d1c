#include "jinja/interpreter.h"

#include "jinja/builtins.h"
#include "jinja/error.h"
#include "jinja/ops.h"
#include "jinja/pystr.h"

namespace jinja {

const Value* Scope::find_local(std::string_view name) const {
  for (const auto& [k, v] : vars) {
    if (k == name) return &v;
  }
  return nullptr;
}

void Scope::set(const std::string& name, Value v) {
  for (auto& [k, val] : vars) {
    if (k == name) {
      val = std::move(v);
      return;
    }
  }
  vars.emplace_back(name, std::move(v));
}

Interpreter::Interpreter(const Program& program, const Context& context)
    : program_(program), context_(context) {}

Interpreter::~Interpreter() {
  for (auto& ns : namespaces_) ns->attrs.clear();
  for (auto& s : macro_scopes_) s->vars.clear();
}

Interpreter::DepthScope::DepthScope(Interpreter& in, size_t offset) : in_(in) {
  if (++in_.depth_ > in_.program_.limits.max_eval_depth) {
    --in_.depth_;
    in_.fail(offset, std::string("template evaluation nested deeper than ") +
                         std::to_string(in_.program_.limits.max_eval_depth) + " levels");
  }
}

void Interpreter::fail(size_t offset, const std::string& message) const {
  throw TemplateError(message, position_of(program_.source, offset), program_.source);
}

void Interpreter::tick() {
  if (++steps_ > program_.limits.max_steps) {
    throw EvalError(std::string("template exceeded the limit of ") +
                    std::to_string(program_.limits.max_steps) + " evaluation steps");
  }
}

void Interpreter::count_iterations(int64_t n) {
  iterations_ += n;
  if (iterations_ > program_.limits.max_loop_iterations) {
    throw EvalError(std::string("template exceeded the limit of ") +
                    std::to_string(program_.limits.max_loop_iterations) + " loop iterations");
  }
}

std::shared_ptr<Namespace> Interpreter::new_namespace() {
  auto ns = std::make_shared<Namespace>();
  namespaces_.push_back(ns);
  return ns;
}

void Interpreter::write(std::string_view text) {
  written_ += text.size();
  if (written_ > program_.limits.max_output_bytes) {
    throw EvalError(std::string("template output exceeded the limit of ") +
                    std::to_string(program_.limits.max_output_bytes) + " bytes");
  }
  out_->append(text);
}

std::string Interpreter::render() {
  std::string out;
  out_ = &out;
  auto root = std::make_shared<Scope>(nullptr);
  exec_body(program_.body, root);
  return out;
}

std::string Interpreter::capture(const Body& body, const ScopePtr& scope) {
  std::string buf;
  std::string* saved = out_;
  out_ = &buf;
  struct Restore {
    std::string*& target;
    std::string* value;
    ~Restore() { target = value; }
  } restore{out_, saved};
  exec_body(body, scope);
  return buf;
}

Interpreter::Flow Interpreter::exec_body(const Body& body, const ScopePtr& scope) {
  for (const auto& s : body) {
    Flow f = exec(*s, scope);
    if (f != Flow::kNormal) return f;
  }
  return Flow::kNormal;
}

Value Interpreter::lookup(const std::string& name, const ScopePtr& scope) const {
  for (const Scope* s = scope.get(); s; s = s->parent.get()) {
    if (const Value* v = s->find_local(name)) return *v;
  }
  if (const Value* v = context_.find(name)) return *v;
  if (auto g = find_global(name)) return *g;
  return Value::undefined("'" + name + "' is undefined");
}

void Interpreter::assign(const Target& t, const Value& v, const ScopePtr& scope) {
  switch (t.kind) {
    case Target::Kind::kName:
      scope->set(t.name, v);
      return;
    case Target::Kind::kTuple: {
      std::vector<Value> parts = unpack(v, t.items.size());
      for (size_t i = 0; i < parts.size(); ++i) assign(t.items[i], parts[i], scope);
      return;
    }
    case Target::Kind::kNamespaceAttr: {
      Value ns = lookup(t.name, scope);
      if (!ns.is_namespace()) throw EvalError("cannot assign attribute on non-namespace object");
      ns.name_space_data().set(t.attr, v);
      return;
    }
  }
}

Interpreter::Flow Interpreter::exec(const Stmt& s, const ScopePtr& scope) {
  DepthScope depth(*this, s.offset);
  try {
    tick();
    switch (s.kind) {
      case StmtKind::kData:
        write(s.text);
        return Flow::kNormal;
      case StmtKind::kOutput:
        for (const auto& e : s.exprs) write(py_str(eval(*e, scope)));
        return Flow::kNormal;
      case StmtKind::kIf:
        if (truthy(eval(*s.expr, scope))) return exec_body(s.body, scope);
        return exec_body(s.else_body, scope);
      case StmtKind::kFor:
        return exec_for(s, scope);
      case StmtKind::kSet:
        assign(s.target, eval(*s.expr, scope), scope);
        return Flow::kNormal;
      case StmtKind::kSetBlock: {
        Value text = Value::string(capture(s.body, std::make_shared<Scope>(scope)));
        if (s.expr) text = eval_filter(*s.expr, scope, &text);
        assign(s.target, text, scope);
        return Flow::kNormal;
      }
      case StmtKind::kMacro:
        exec_macro(s, scope);
        return Flow::kNormal;
      case StmtKind::kCallBlock:
        exec_call_block(s, scope);
        return Flow::kNormal;
      case StmtKind::kFilterBlock: {
        Value text = Value::string(capture(s.body, std::make_shared<Scope>(scope)));
        write(py_str(eval_filter(*s.expr, scope, &text)));
        return Flow::kNormal;
      }
      case StmtKind::kWith: {
        auto inner = std::make_shared<Scope>(scope);
        for (const auto& [target, expr] : s.assignments) assign(target, eval(*expr, scope), inner);
        return exec_body(s.body, inner);
      }
      case StmtKind::kBreak:
        return Flow::kBreak;
      case StmtKind::kContinue:
        return Flow::kContinue;
    }
  } catch (const EvalError& e) {
    fail(s.offset, e.what());
  }
  return Flow::kNormal;
}

Interpreter::Flow Interpreter::exec_for(const Stmt& s, const ScopePtr& scope) {
  std::vector<Value> items = iterate(eval(*s.expr, scope));
  if (s.cond) {
    std::vector<Value> kept;
    for (const Value& item : items) {
      count_iterations(1);
      auto probe = std::make_shared<Scope>(scope);
      assign(s.target, item, probe);
      if (truthy(eval(*s.cond, probe))) kept.push_back(item);
    }
    items = std::move(kept);
  }
  auto state = std::make_shared<LoopState>();
  state->items = std::move(items);
  Value loop = Value::loop(state);
  for (size_t i = 0; i < state->items.size(); ++i) {
    count_iterations(1);
    state->index0 = i;
    auto iteration = std::make_shared<Scope>(scope);
    assign(s.target, state->items[i], iteration);
    iteration->set("loop", loop);
    if (exec_body(s.body, iteration) == Flow::kBreak) break;
  }
  if (state->items.empty()) return exec_body(s.else_body, std::make_shared<Scope>(scope));
  return Flow::kNormal;
}

void Interpreter::exec_macro(const Stmt& s, const ScopePtr& scope) {
  macro_scopes_.push_back(scope);
  Scope* defining = scope.get();
  const Stmt* macro = &s;
  auto c = std::make_shared<Callable>();
  c->name = "Macro '" + s.name + "'";
  c->call = [macro, defining](Interpreter& in, CallArgs& args) {
    return in.call_macro(*macro, defining, args, nullptr);
  };
  scope->set(s.name, Value::callable(std::move(c)));
}

void Interpreter::exec_call_block(const Stmt& s, const ScopePtr& scope) {
  macro_scopes_.push_back(scope);
  Scope* defining = scope.get();
  const Stmt* block = &s;
  auto c = std::make_shared<Callable>();
  c->name = "Macro 'caller'";
  c->call = [block, defining](Interpreter& in, CallArgs& args) {
    return in.call_macro(*block, defining, args, nullptr);
  };
  Value caller = Value::callable(std::move(c));
  write(py_str(eval_call(*s.expr, scope, &caller)));
}

Value Interpreter::call_macro(const Stmt& m, Scope* defining, CallArgs& args, const Value* caller) {
  if (++call_depth_ > program_.limits.max_call_depth) {
    --call_depth_;
    throw EvalError(std::string("macro calls nested deeper than ") +
                    std::to_string(program_.limits.max_call_depth) + " levels");
  }
  struct Unwind {
    int& depth;
    ~Unwind() { --depth; }
  } unwind{call_depth_};
  std::string name = m.kind == StmtKind::kCallBlock ? "caller" : m.name;
  size_t np = m.params.size();
  size_t first_default = np - m.defaults.size();
  if (args.positional.size() > np && !m.uses_varargs) {
    throw EvalError("macro '" + name + std::string("' takes not more than ") + std::to_string(np) +
                    " argument(s)");
  }
  auto scope = std::make_shared<Scope>(defining->shared_from_this());
  std::vector<std::pair<std::string, Value>> kwargs = args.keyword;
  if (caller) kwargs.emplace_back("caller", *caller);
  for (size_t i = 0; i < np; ++i) {
    const std::string& p = m.params[i];
    auto kw =
        std::find_if(kwargs.begin(), kwargs.end(), [&](const auto& kv) { return kv.first == p; });
    if (i < args.positional.size()) {
      if (kw != kwargs.end()) {
        throw EvalError("macro '" + name + "' got multiple values for argument '" + p + "'");
      }
      scope->set(p, args.positional[i]);
    } else if (kw != kwargs.end()) {
      scope->set(p, kw->second);
      kwargs.erase(kw);
    } else if (i >= first_default) {
      scope->set(p, eval(*m.defaults[i - first_default], scope));
    } else {
      scope->set(p, Value::undefined("parameter '" + p + "' was not provided"));
    }
  }
  if (m.uses_varargs) {
    std::vector<Value> rest;
    for (size_t i = np; i < args.positional.size(); ++i) rest.push_back(args.positional[i]);
    scope->set("varargs", Value::tuple(std::move(rest)));
  }
  if (m.uses_caller) {
    auto kw = std::find_if(kwargs.begin(), kwargs.end(),
                           [](const auto& kv) { return kv.first == "caller"; });
    if (kw != kwargs.end()) {
      scope->set("caller", kw->second);
      kwargs.erase(kw);
    }
  }
  if (m.uses_kwargs) {
    auto d = std::make_shared<DictData>();
    for (auto& [k, v] : kwargs) d->set(Value::string(k), v);
    scope->set("kwargs", Value::dict(std::move(d)));
  } else if (!kwargs.empty()) {
    throw EvalError("macro '" + name + "' takes no keyword argument '" + kwargs.front().first +
                    "'");
  }
  return Value::string(capture(m.body, scope));
}

Value Interpreter::call(const Value& callee, CallArgs& args) {
  if (callee.is_undefined()) raise_undefined(callee);
  if (!callee.is_callable()) {
    throw EvalError(std::string("'") + type_name(callee) + "' object is not callable");
  }
  return callee.callable_ptr()->call(*this, args);
}

Value Interpreter::apply_filter(const std::string& name, const Value& input, CallArgs& args) {
  FilterFn f = find_filter(name);
  if (!f) throw EvalError("No filter named '" + name + "'.");
  return f(*this, input, args);
}

bool Interpreter::apply_test(const std::string& name, const Value& input, CallArgs& args) {
  TestFn t = find_test(name);
  if (!t) throw EvalError("No test named '" + name + "'.");
  return t(*this, input, args);
}

}  // namespace jinja
