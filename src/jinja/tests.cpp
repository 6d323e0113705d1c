// Jinja2's tests (`x is defined`, `x is string` ...), with Python's type model: bool is a number
// but not an integer, Undefined is iterable, a dict is a sequence.
#include <string_view>
#include <utility>

#include "jinja/builtins.h"
#include "jinja/error.h"
#include "jinja/interpreter.h"
#include "jinja/ops.h"
#include "jinja/pystr.h"
#include "jinja/unicode.h"

namespace jinja {

namespace {

Value one_arg(std::string_view fn, CallArgs& args, const char* name) {
  auto b = args.bind(fn, {name});
  if (!b[0]) {
    throw EvalError(std::string(fn) + "() missing 1 required positional argument: '" + name + "'");
  }
  return *b[0];
}

void no_args(std::string_view fn, CallArgs& args) {
  args.bind(fn, {});
}

bool t_defined(Interpreter&, const Value& v, CallArgs& a) {
  no_args("defined", a);
  return !v.is_undefined();
}
bool t_undefined(Interpreter&, const Value& v, CallArgs& a) {
  no_args("undefined", a);
  return v.is_undefined();
}
bool t_none(Interpreter&, const Value& v, CallArgs& a) {
  no_args("none", a);
  return v.is_none();
}
bool t_string(Interpreter&, const Value& v, CallArgs& a) {
  no_args("string", a);
  return v.is_string();
}
bool t_number(Interpreter&, const Value& v, CallArgs& a) {
  no_args("number", a);
  return v.is_number();
}
bool t_integer(Interpreter&, const Value& v, CallArgs& a) {
  no_args("integer", a);
  return v.is_int();
}
bool t_float(Interpreter&, const Value& v, CallArgs& a) {
  no_args("float", a);
  return v.is_float();
}
bool t_boolean(Interpreter&, const Value& v, CallArgs& a) {
  no_args("boolean", a);
  return v.is_bool();
}
bool t_true(Interpreter&, const Value& v, CallArgs& a) {
  no_args("true", a);
  return v.is_bool() && v.as_bool();
}
bool t_false(Interpreter&, const Value& v, CallArgs& a) {
  no_args("false", a);
  return v.is_bool() && !v.as_bool();
}
bool t_mapping(Interpreter&, const Value& v, CallArgs& a) {
  no_args("mapping", a);
  return v.is_dict();
}
bool t_iterable(Interpreter&, const Value& v, CallArgs& a) {
  no_args("iterable", a);
  return v.is_undefined() || v.is_string() || v.is_sequence_like() || v.is_dict();
}
bool t_sequence(Interpreter&, const Value& v, CallArgs& a) {
  no_args("sequence", a);
  return v.is_undefined() || v.is_string() || v.is_sequence_like() || v.is_dict();
}
bool t_callable(Interpreter&, const Value& v, CallArgs& a) {
  no_args("callable", a);
  return v.is_callable();
}
bool t_escaped(Interpreter&, const Value& v, CallArgs& a) {
  no_args("escaped", a);
  return v.is_string() && v.is_safe();
}
bool t_sameas(Interpreter&, const Value& v, CallArgs& a) {
  Value other = one_arg("sameas", a, "other");
  if (v.kind() != other.kind()) return false;
  switch (v.kind()) {
    case Kind::kNone:
      return true;
    case Kind::kBool:
      return v.as_bool() == other.as_bool();
    case Kind::kInt:  // CPython caches small ints; larger ones are distinct objects
      return v.as_int() == other.as_int() && v.as_int() >= -5 && v.as_int() <= 256;
    default:
      return v.identity() && v.identity() == other.identity();
  }
}
int64_t mod_of(const Value& v, const Value& d) {
  Value r = binary_op(BinOp::kMod, v, d, 0);
  return r.is_float() ? (r.as_double() == 0 ? 0 : 1) : r.as_int();
}
bool t_odd(Interpreter&, const Value& v, CallArgs& a) {
  no_args("odd", a);
  return mod_of(v, Value::integer(2)) == 1;
}
bool t_even(Interpreter&, const Value& v, CallArgs& a) {
  no_args("even", a);
  return mod_of(v, Value::integer(2)) == 0;
}
bool t_divisibleby(Interpreter&, const Value& v, CallArgs& a) {
  return mod_of(v, one_arg("divisibleby", a, "num")) == 0;
}
bool t_lower(Interpreter&, const Value& v, CallArgs& a) {
  no_args("lower", a);
  bool cased = false;
  for (char32_t c : utf8_decode(py_str(v))) {
    if (is_cased_upper(c)) return false;
    cased |= is_cased_lower(c);
  }
  return cased;
}
bool t_upper(Interpreter&, const Value& v, CallArgs& a) {
  no_args("upper", a);
  bool cased = false;
  for (char32_t c : utf8_decode(py_str(v))) {
    if (is_cased_lower(c)) return false;
    cased |= is_cased_upper(c);
  }
  return cased;
}

template <CmpOp op>
bool t_compare(Interpreter&, const Value& v, CallArgs& a) {
  return compare(op, v, one_arg("compare", a, "other"));
}
bool t_in(Interpreter&, const Value& v, CallArgs& a) {
  return contains(one_arg("in", a, "seq"), v);
}
bool t_filter(Interpreter&, const Value& v, CallArgs& a) {
  no_args("filter", a);
  return v.is_string() && find_filter(v.str()) != nullptr;
}
bool t_test(Interpreter&, const Value& v, CallArgs& a) {
  no_args("test", a);
  return v.is_string() && find_test(v.str()) != nullptr;
}

const std::pair<std::string_view, TestFn> kTests[] = {
    {"defined", t_defined},
    {"undefined", t_undefined},
    {"none", t_none},
    {"string", t_string},
    {"number", t_number},
    {"integer", t_integer},
    {"float", t_float},
    {"boolean", t_boolean},
    {"true", t_true},
    {"false", t_false},
    {"mapping", t_mapping},
    {"iterable", t_iterable},
    {"sequence", t_sequence},
    {"callable", t_callable},
    {"escaped", t_escaped},
    {"sameas", t_sameas},
    {"odd", t_odd},
    {"even", t_even},
    {"divisibleby", t_divisibleby},
    {"lower", t_lower},
    {"upper", t_upper},
    {"eq", t_compare<CmpOp::kEq>},
    {"equalto", t_compare<CmpOp::kEq>},
    {"==", t_compare<CmpOp::kEq>},
    {"ne", t_compare<CmpOp::kNe>},
    {"!=", t_compare<CmpOp::kNe>},
    {"lt", t_compare<CmpOp::kLt>},
    {"lessthan", t_compare<CmpOp::kLt>},
    {"<", t_compare<CmpOp::kLt>},
    {"le", t_compare<CmpOp::kLtEq>},
    {"<=", t_compare<CmpOp::kLtEq>},
    {"gt", t_compare<CmpOp::kGt>},
    {"greaterthan", t_compare<CmpOp::kGt>},
    {">", t_compare<CmpOp::kGt>},
    {"ge", t_compare<CmpOp::kGtEq>},
    {">=", t_compare<CmpOp::kGtEq>},
    {"in", t_in},
    {"filter", t_filter},
    {"test", t_test},
};

}  // namespace

TestFn find_test(std::string_view name) {
  for (const auto& [n, f] : kTests) {
    if (n == name) return f;
  }
  return nullptr;
}

}  // namespace jinja
