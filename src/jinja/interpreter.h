// Evaluates a parsed template: statements write to an output buffer, expressions produce values.
// Scoping follows Jinja2: a for-loop iteration, a macro call and a `with` block get their own
// scope (assignments inside do not leak out); `if` does not; macros see the scope they were
// defined in, as it is when they are called.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "jinja/ast.h"
#include "jinja/template.h"

namespace jinja {

struct Program {
  std::string source;  // normalized
  Body body;
  Limits limits;
};

struct Scope : std::enable_shared_from_this<Scope> {
  explicit Scope(std::shared_ptr<Scope> p) : parent(std::move(p)) {}
  std::shared_ptr<Scope> parent;
  std::vector<std::pair<std::string, Value>> vars;

  const Value* find_local(std::string_view name) const;
  void set(const std::string& name, Value v);
};
using ScopePtr = std::shared_ptr<Scope>;

class Interpreter {
 public:
  Interpreter(const Program& program, const Context& context);
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  std::string render();

  // Services for filters, tests and callables.
  Value call(const Value& callee, CallArgs& args);
  Value apply_filter(const std::string& name, const Value& input, CallArgs& args);
  bool apply_test(const std::string& name, const Value& input, CallArgs& args);
  Value call_macro(const Stmt& macro, Scope* defining, CallArgs& args, const Value* caller);
  void count_iterations(int64_t n);
  const Limits& limits() const { return program_.limits; }
  std::shared_ptr<Namespace> new_namespace();

 private:
  enum class Flow { kNormal, kBreak, kContinue };

  Flow exec_body(const Body& body, const ScopePtr& scope);
  Flow exec(const Stmt& s, const ScopePtr& scope);
  Flow exec_for(const Stmt& s, const ScopePtr& scope);
  void exec_macro(const Stmt& s, const ScopePtr& scope);
  void exec_call_block(const Stmt& s, const ScopePtr& scope);
  std::string capture(const Body& body, const ScopePtr& scope);
  void assign(const Target& t, const Value& v, const ScopePtr& scope);
  void write(std::string_view text);

  Value eval(const Expr& e, const ScopePtr& scope);
  Value eval_inner(const Expr& e, const ScopePtr& scope);
  Value eval_call(const Expr& e, const ScopePtr& scope, const Value* caller);
  void eval_args(const Expr& e, const ScopePtr& scope, CallArgs& out);
  Value eval_filter(const Expr& e, const ScopePtr& scope, const Value* input);
  Value lookup(const std::string& name, const ScopePtr& scope) const;
  void tick();
  [[noreturn]] void fail(size_t offset, const std::string& message) const;

  struct DepthScope {
    DepthScope(Interpreter& in, size_t offset);
    ~DepthScope() { --in_.depth_; }
    Interpreter& in_;
  };

  const Program& program_;
  const Context& context_;
  std::string* out_ = nullptr;
  size_t written_ = 0;
  int64_t steps_ = 0;
  int64_t iterations_ = 0;
  int depth_ = 0;
  int call_depth_ = 0;
  // Scopes that macros were defined in (a macro holds a raw pointer to its scope), and the
  // namespaces created, whose attributes are cleared at the end to break reference cycles.
  std::vector<ScopePtr> macro_scopes_;
  std::vector<std::shared_ptr<Namespace>> namespaces_;
};

}  // namespace jinja
