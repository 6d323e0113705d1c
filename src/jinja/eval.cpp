// Expression evaluation of the Interpreter.
#include <string>

#include "jinja/builtins.h"
#include "jinja/error.h"
#include "jinja/interpreter.h"
#include "jinja/ops.h"
#include "jinja/pystr.h"

namespace jinja {

Value Interpreter::eval(const Expr& e, const ScopePtr& scope) {
  DepthScope depth(*this, e.offset);
  try {
    tick();
    return eval_inner(e, scope);
  } catch (const EvalError& err) {
    // The innermost expression that failed gives the position.
    fail(e.offset, err.what());
  }
}

void Interpreter::eval_args(const Expr& e, const ScopePtr& scope, CallArgs& out) {
  for (const auto& a : e.args) out.positional.push_back(eval(*a, scope));
  if (e.dyn_args) {
    for (Value& v : iterate(eval(*e.dyn_args, scope))) out.positional.push_back(std::move(v));
  }
  for (const auto& [k, v] : e.kwargs) out.keyword.emplace_back(k, eval(*v, scope));
  if (e.dyn_kwargs) {
    Value d = eval(*e.dyn_kwargs, scope);
    if (!d.is_dict()) {
      throw EvalError(std::string("argument after ** must be a mapping, not ") + type_name(d));
    }
    for (const auto& [k, v] : d.dict_data().entries) {
      if (!k.is_string()) throw EvalError("keywords must be strings");
      out.keyword.emplace_back(k.str(), v);
    }
  }
}

Value Interpreter::eval_call(const Expr& e, const ScopePtr& scope, const Value* caller) {
  Value callee = eval(*e.a, scope);
  CallArgs args;
  eval_args(e, scope, args);
  if (caller) args.keyword.emplace_back("caller", *caller);
  return call(callee, args);
}

// A filter expression; `input` replaces the operand inside `{% filter %}` and `{% set %}` blocks.
Value Interpreter::eval_filter(const Expr& e, const ScopePtr& scope, const Value* input) {
  Value value;
  if (e.a) {
    value = e.a->kind == ExprKind::kFilter && !e.a->a ? eval_filter(*e.a, scope, input)
                                                      : eval(*e.a, scope);
  } else if (input) {
    value = *input;
  }
  if (!e.filter) throw EvalError("No filter named '" + e.name + "' found.");
  CallArgs args;
  eval_args(e, scope, args);
  try {
    return e.filter(*this, value, args);
  } catch (const EvalError& err) {
    fail(e.offset, err.what());
  }
}

Value Interpreter::eval_inner(const Expr& e, const ScopePtr& scope) {
  switch (e.kind) {
    case ExprKind::kConst:
      return e.constant;
    case ExprKind::kName:
      return lookup(e.name, scope);
    case ExprKind::kList:
    case ExprKind::kTuple: {
      std::vector<Value> items;
      items.reserve(e.args.size());
      for (const auto& a : e.args) items.push_back(eval(*a, scope));
      return e.kind == ExprKind::kList ? Value::list(std::move(items))
                                       : Value::tuple(std::move(items));
    }
    case ExprKind::kDict: {
      auto d = std::make_shared<DictData>();
      for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
        Value k = eval(*e.args[i], scope);
        d->set(k, eval(*e.args[i + 1], scope));
      }
      return Value::dict(std::move(d));
    }
    case ExprKind::kGetattr:
      return get_attr(eval(*e.a, scope), e.name);
    case ExprKind::kGetitem: {
      Value obj = eval(*e.a, scope);
      if (e.b->kind == ExprKind::kSlice) {
        const Expr& s = *e.b;
        Value start = s.a ? eval(*s.a, scope) : Value::none();
        Value stop = s.b ? eval(*s.b, scope) : Value::none();
        Value step = s.c ? eval(*s.c, scope) : Value::none();
        return get_slice(obj, start, stop, step);
      }
      return get_item(obj, eval(*e.b, scope));
    }
    case ExprKind::kSlice:
      throw EvalError("a slice is only valid inside []");
    case ExprKind::kCall:
      return eval_call(e, scope, nullptr);
    case ExprKind::kFilter:
      return eval_filter(e, scope, nullptr);
    case ExprKind::kTest: {
      Value value = eval(*e.a, scope);
      if (!e.test) throw EvalError("No test named '" + e.name + "' found.");
      CallArgs args;
      eval_args(e, scope, args);
      return Value::boolean(e.test(*this, value, args));
    }
    case ExprKind::kNeg:
      return negate(eval(*e.a, scope));
    case ExprKind::kPos:
      return positive(eval(*e.a, scope));
    case ExprKind::kNot:
      return Value::boolean(!truthy(eval(*e.a, scope)));
    case ExprKind::kAnd: {
      Value left = eval(*e.a, scope);
      return truthy(left) ? eval(*e.b, scope) : left;
    }
    case ExprKind::kOr: {
      Value left = eval(*e.a, scope);
      return truthy(left) ? left : eval(*e.b, scope);
    }
    case ExprKind::kBinary: {
      Value left = eval(*e.a, scope);
      Value right = eval(*e.b, scope);
      return binary_op(e.bin_op, left, right, program_.limits.max_output_bytes);
    }
    case ExprKind::kConcat: {
      std::string out;
      for (const auto& part : e.args) {
        out += py_str(eval(*part, scope));
        if (out.size() > program_.limits.max_output_bytes) {
          throw EvalError("string concatenation exceeds the output limit");
        }
      }
      return Value::string(std::move(out));
    }
    case ExprKind::kCompare: {
      Value left = eval(*e.a, scope);
      for (const auto& [op, expr] : e.ops) {
        Value right = eval(*expr, scope);
        if (!compare(op, left, right)) return Value::boolean(false);
        left = std::move(right);
      }
      return Value::boolean(true);
    }
    case ExprKind::kCondExpr:
      if (truthy(eval(*e.a, scope))) return eval(*e.b, scope);
      if (e.c) return eval(*e.c, scope);
      return Value::undefined(std::string("the inline if-expression on line ") +
                              std::to_string(position_of(program_.source, e.offset).row) +
                              " evaluated to false and no else section was defined.");
  }
  return Value();
}

}  // namespace jinja
