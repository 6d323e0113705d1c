#include "jinja/ops.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "jinja/builtins.h"
#include "jinja/error.h"
#include "jinja/pystr.h"
#include "jinja/unicode.h"

namespace jinja {

void raise_undefined(const Value& v) {
  throw EvalError(v.undefined_info().message);
}

std::string object_type_repr(const Value& v) {
  if (v.is_none()) return "None";
  return std::string(type_name(v)) + " object";
}

namespace {

const char* op_symbol(BinOp op) {
  switch (op) {
    case BinOp::kAdd:
      return "+";
    case BinOp::kSub:
      return "-";
    case BinOp::kMul:
      return "*";
    case BinOp::kDiv:
      return "/";
    case BinOp::kFloorDiv:
      return "//";
    case BinOp::kMod:
      return "%";
    case BinOp::kPow:
      return "** or pow()";
  }
  return "?";
}

[[noreturn]] void unsupported(BinOp op, const Value& a, const Value& b) {
  throw EvalError(std::string("unsupported operand type(s) for ") + op_symbol(op) +
                  std::string(": '") + type_name(a) + std::string("' and '") + type_name(b) + "'");
}

[[noreturn]] void overflow() {
  throw EvalError("integer overflow: the result does not fit in 64 bits");
}

Value int_pow(int64_t base, int64_t exp) {
  int64_t result = 1;
  while (exp > 0) {
    if ((exp & 1) && __builtin_mul_overflow(result, base, &result)) overflow();
    exp >>= 1;
    if (exp && __builtin_mul_overflow(base, base, &base)) overflow();
  }
  return Value::integer(result);
}

// Python's float floor division and modulo (float_divmod).
void float_divmod(double a, double b, double& div, double& mod) {
  if (b == 0.0) throw EvalError("float division by zero");
  mod = std::fmod(a, b);
  div = (a - mod) / b;
  if (mod != 0.0) {
    if ((b < 0) != (mod < 0)) {
      mod += b;
      div -= 1.0;
    }
  } else {
    mod = std::copysign(0.0, b);
  }
  if (div != 0.0) {
    double floordiv = std::floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
    div = floordiv;
  } else {
    div = std::copysign(0.0, a / b);
  }
}

// The most items a list or tuple built by `+` or `*` may hold: a Value is about 40 bytes, and a
// list doubled in a loop would otherwise exhaust memory (chat templates' lists are messages).
size_t max_list_items(size_t max_bytes) {
  return max_bytes / 64;
}

Value repeat(const Value& seq, int64_t n, size_t max_bytes) {
  if (n < 0) n = 0;
  if (seq.is_string()) {
    if (n > 0 && seq.str().size() * static_cast<uint64_t>(n) > max_bytes) {
      throw EvalError(std::string("string repetition result exceeds the output limit of ") +
                      std::to_string(max_bytes) + " bytes");
    }
    std::string out;
    out.reserve(seq.str().size() * n);
    for (int64_t i = 0; i < n; ++i) out += seq.str();
    return Value::string(std::move(out), seq.is_safe());
  }
  const auto& items = seq.items();
  if (n > 0 && items.size() * static_cast<uint64_t>(n) > max_list_items(max_bytes)) {
    throw EvalError("list repetition result is too large");
  }
  std::vector<Value> out;
  out.reserve(items.size() * n);
  for (int64_t i = 0; i < n; ++i) out.insert(out.end(), items.begin(), items.end());
  return seq.is_tuple() ? Value::tuple(std::move(out)) : Value::list(std::move(out));
}

Value add(const Value& a, const Value& b, size_t max_bytes) {
  if (a.is_string() && b.is_string()) {
    bool safe = a.is_safe() || b.is_safe();
    std::string left = safe && !a.is_safe() ? html_escape(a.str()) : a.str();
    std::string right = safe && !b.is_safe() ? html_escape(b.str()) : b.str();
    if (left.size() + right.size() > max_bytes) {
      throw EvalError("string concatenation exceeds the output limit");
    }
    return Value::string(left + right, safe);
  }
  if ((a.is_list() && b.is_list()) || (a.is_tuple() && b.is_tuple())) {
    if (a.items().size() + b.items().size() > max_list_items(max_bytes)) {
      throw EvalError("list concatenation result is too large");
    }
    std::vector<Value> out = a.items();
    out.insert(out.end(), b.items().begin(), b.items().end());
    return a.is_tuple() ? Value::tuple(std::move(out)) : Value::list(std::move(out));
  }
  if (a.is_string() || a.is_list() || a.is_tuple()) {
    const char* what = a.is_string() ? "str" : a.is_list() ? "list" : "tuple";
    throw EvalError(std::string("can only concatenate ") + what + std::string(" (not \"") +
                    type_name(b) + "\") to " + what);
  }
  unsupported(BinOp::kAdd, a, b);
}

}  // namespace

Value binary_op(BinOp op, const Value& a, const Value& b, size_t max_bytes) {
  if (a.is_undefined()) raise_undefined(a);
  if (b.is_undefined()) raise_undefined(b);
  if (op == BinOp::kAdd && !(a.is_number() && b.is_number())) return add(a, b, max_bytes);
  if (op == BinOp::kMul) {
    if ((a.is_string() || a.is_sequence_like()) && b.is_integral()) {
      return repeat(a, b.as_int(), max_bytes);
    }
    if (a.is_integral() && (b.is_string() || b.is_sequence_like())) {
      return repeat(b, a.as_int(), max_bytes);
    }
  }
  if (op == BinOp::kMod && a.is_string()) return Value::string(percent_format(a.str(), b));
  if (!a.is_number() || !b.is_number()) unsupported(op, a, b);
  bool floats = a.is_float() || b.is_float();
  if (!floats) {
    int64_t x = a.as_int(), y = b.as_int(), r;
    switch (op) {
      case BinOp::kAdd:
        if (__builtin_add_overflow(x, y, &r)) overflow();
        return Value::integer(r);
      case BinOp::kSub:
        if (__builtin_sub_overflow(x, y, &r)) overflow();
        return Value::integer(r);
      case BinOp::kMul:
        if (__builtin_mul_overflow(x, y, &r)) overflow();
        return Value::integer(r);
      case BinOp::kDiv:
        if (y == 0) throw EvalError("division by zero");
        return Value::floating(static_cast<double>(x) / static_cast<double>(y));
      case BinOp::kFloorDiv:
      case BinOp::kMod: {
        if (y == 0) {
          throw EvalError(op == BinOp::kMod ? "integer modulo by zero"
                                            : "integer division or modulo by zero");
        }
        if (x == std::numeric_limits<int64_t>::min() && y == -1) overflow();
        int64_t q = x / y, m = x % y;
        if (m != 0 && ((m < 0) != (y < 0))) {
          q -= 1;
          m += y;
        }
        return Value::integer(op == BinOp::kMod ? m : q);
      }
      case BinOp::kPow:
        if (y >= 0) return int_pow(x, y);
        if (x == 0) throw EvalError("0.0 cannot be raised to a negative power");
        return Value::floating(std::pow(static_cast<double>(x), static_cast<double>(y)));
    }
  }
  double x = a.as_double(), y = b.as_double();
  switch (op) {
    case BinOp::kAdd:
      return Value::floating(x + y);
    case BinOp::kSub:
      return Value::floating(x - y);
    case BinOp::kMul:
      return Value::floating(x * y);
    case BinOp::kDiv:
      if (y == 0) throw EvalError("float division by zero");
      return Value::floating(x / y);
    case BinOp::kFloorDiv:
    case BinOp::kMod: {
      double div, mod;
      float_divmod(x, y, div, mod);
      return Value::floating(op == BinOp::kMod ? mod : div);
    }
    case BinOp::kPow: {
      if (x == 0 && y < 0) throw EvalError("0.0 cannot be raised to a negative power");
      if (x < 0 && y != std::floor(y)) {
        throw EvalError("raising a negative number to a fractional power is not supported");
      }
      double r = std::pow(x, y);
      if (std::isinf(r) && std::isfinite(x) && std::isfinite(y)) {
        throw EvalError("(34, 'Numerical result out of range')");
      }
      return Value::floating(r);
    }
  }
  unsupported(op, a, b);
}

Value negate(const Value& v) {
  if (v.is_undefined()) raise_undefined(v);
  if (v.is_float()) return Value::floating(-v.as_double());
  if (v.is_integral()) {
    int64_t r;
    if (__builtin_sub_overflow(int64_t{0}, v.as_int(), &r)) overflow();
    return Value::integer(r);
  }
  throw EvalError(std::string("bad operand type for unary -: '") + type_name(v) + "'");
}

Value positive(const Value& v) {
  if (v.is_undefined()) raise_undefined(v);
  if (v.is_float()) return v;
  if (v.is_integral()) return Value::integer(v.as_int());
  throw EvalError(std::string("bad operand type for unary +: '") + type_name(v) + "'");
}

namespace {

// Three-way Python ordering; throws TypeError across unorderable types.
int order(const Value& a, const Value& b, const char* sym) {
  if (a.is_undefined()) raise_undefined(a);
  if (b.is_undefined()) raise_undefined(b);
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) {
      double x = a.as_double(), y = b.as_double();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.str().compare(b.str());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if ((a.is_list() && b.is_list()) || (a.is_tuple() && b.is_tuple())) {
    DepthGuard guard;
    const auto& x = a.items();
    const auto& y = b.items();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (!py_equal(x[i], y[i])) return order(x[i], y[i], sym);
    }
    return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
  }
  throw EvalError(std::string("'") + sym + std::string("' not supported between instances of '") +
                  type_name(a) + std::string("' and '") + type_name(b) + "'");
}

}  // namespace

bool less_than(const Value& a, const Value& b) {
  return order(a, b, "<") < 0;
}

bool contains(const Value& container, const Value& item) {
  switch (container.kind()) {
    case Kind::kUndefined:
      return false;
    case Kind::kString:
      if (!item.is_string()) {
        throw EvalError(std::string("'in <string>' requires string as left operand, not ") +
                        type_name(item));
      }
      return container.str().find(item.str()) != std::string::npos;
    case Kind::kList:
    case Kind::kTuple:
      for (const Value& e : container.items()) {
        if (py_equal(e, item)) return true;
      }
      return false;
    case Kind::kDict:
      if (!hashable(item)) {
        throw EvalError(std::string("unhashable type: '") + type_name(item) + "'");
      }
      return container.dict_data().find(item) != nullptr;
    default:
      throw EvalError(std::string("argument of type '") + type_name(container) +
                      "' is not iterable");
  }
}

bool compare(CmpOp op, const Value& a, const Value& b) {
  switch (op) {
    case CmpOp::kEq:
      return py_equal(a, b);
    case CmpOp::kNe:
      return !py_equal(a, b);
    case CmpOp::kLt:
      return order(a, b, "<") < 0;
    case CmpOp::kLtEq:
      return order(a, b, "<=") <= 0;
    case CmpOp::kGt:
      return order(a, b, ">") > 0;
    case CmpOp::kGtEq:
      return order(a, b, ">=") >= 0;
    case CmpOp::kIn:
      return contains(b, a);
    case CmpOp::kNotIn:
      return !contains(b, a);
  }
  return false;
}

std::vector<Value> iterate(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined:
      return {};
    case Kind::kList:
    case Kind::kTuple:
      return v.items();
    case Kind::kDict: {
      std::vector<Value> keys;
      keys.reserve(v.dict_data().size());
      for (const auto& [k, val] : v.dict_data().entries) keys.push_back(k);
      return keys;
    }
    case Kind::kString: {
      std::vector<Value> chars;
      for (char32_t c : utf8_decode(v.str())) {
        std::string s;
        utf8_append(s, c);
        chars.push_back(Value::string(std::move(s), v.is_safe()));
      }
      return chars;
    }
    default:
      throw EvalError(std::string("'") + type_name(v) + "' object is not iterable");
  }
}

int64_t length(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined:
      return 0;
    case Kind::kString:
      return static_cast<int64_t>(utf8_length(v.str()));
    case Kind::kList:
    case Kind::kTuple:
      return static_cast<int64_t>(v.items().size());
    case Kind::kDict:
      return static_cast<int64_t>(v.dict_data().size());
    default:
      throw EvalError(std::string("object of type '") + type_name(v) + "' has no len()");
  }
}

Value get_attr(const Value& obj, const std::string& name) {
  switch (obj.kind()) {
    case Kind::kUndefined:
      raise_undefined(obj);
    case Kind::kNamespace:
      if (const Value* v = obj.name_space_data().find(name)) return *v;
      break;
    case Kind::kDict: {
      if (auto m = find_method(obj, name)) return *m;
      if (const Value* v = obj.dict_data().find(Value::string(name))) return *v;
      break;
    }
    case Kind::kLoop:
    case Kind::kString:
    case Kind::kList:
    case Kind::kTuple:
    case Kind::kInt:
    case Kind::kBool:
    case Kind::kFloat:
      if (auto m = find_method(obj, name)) return *m;
      break;
    default:
      break;
  }
  return Value::undefined(std::string("'") + object_type_repr(obj) + "' has no attribute '" + name +
                          "'");
}

namespace {

// Python's slice.indices(len).
void slice_indices(const Value& start, const Value& stop, const Value& step, int64_t len,
                   int64_t& b, int64_t& e, int64_t& s) {
  auto as_index = [](const Value& v) -> std::optional<int64_t> {
    if (v.is_none() || v.is_undefined()) return std::nullopt;
    if (!v.is_integral()) {
      throw std::invalid_argument("slice indices must be integers or None");
    }
    return v.as_int();
  };
  auto st = as_index(step);
  s = st.value_or(1);
  if (s == 0) throw EvalError("slice step cannot be zero");
  auto clamp = [&](std::optional<int64_t> v, int64_t dflt) {
    if (!v) return dflt;
    int64_t x = *v;
    if (x < 0) {
      x += len;
      if (x < 0) x = s < 0 ? -1 : 0;
    } else if (x >= len) {
      x = s < 0 ? len - 1 : len;
    }
    return x;
  };
  b = clamp(as_index(start), s < 0 ? len - 1 : 0);
  e = clamp(as_index(stop), s < 0 ? -1 : len);
}

}  // namespace

Value get_slice(const Value& obj, const Value& start, const Value& stop, const Value& step) {
  if (obj.is_undefined()) raise_undefined(obj);
  if (!obj.is_string() && !obj.is_sequence_like()) {
    return Value::undefined(object_type_repr(obj) + " has no element slice");
  }
  std::u32string chars;
  int64_t len;
  if (obj.is_string()) {
    chars = utf8_decode(obj.str());
    len = static_cast<int64_t>(chars.size());
  } else {
    len = static_cast<int64_t>(obj.items().size());
  }
  int64_t b, e, s;
  try {
    slice_indices(start, stop, step, len, b, e, s);
  } catch (const std::invalid_argument&) {
    return Value::undefined(object_type_repr(obj) + " has no element slice");
  }
  std::vector<size_t> picked;
  for (int64_t i = b; s > 0 ? i < e : i > e; i += s) picked.push_back(static_cast<size_t>(i));
  if (obj.is_string()) {
    std::u32string out;
    for (size_t i : picked) out.push_back(chars[i]);
    return Value::string(utf8_encode(out), obj.is_safe());
  }
  std::vector<Value> out;
  for (size_t i : picked) out.push_back(obj.items()[i]);
  return obj.is_tuple() ? Value::tuple(std::move(out)) : Value::list(std::move(out));
}

Value get_item(const Value& obj, const Value& key) {
  if (obj.is_undefined()) raise_undefined(obj);
  auto missing = [&]() {
    if (key.is_string()) {
      if (auto m = find_method(obj, key.str())) return *m;
      if (obj.is_namespace()) return get_attr(obj, key.str());
      return Value::undefined(std::string("'") + object_type_repr(obj) + "' has no attribute '" +
                              key.str() + "'");
    }
    return Value::undefined(object_type_repr(obj) + std::string(" has no element ") + py_repr(key));
  };
  switch (obj.kind()) {
    case Kind::kDict:
      if (hashable(key)) {
        if (const Value* v = obj.dict_data().find(key)) return *v;
      }
      return missing();
    case Kind::kList:
    case Kind::kTuple:
    case Kind::kString: {
      if (!key.is_integral()) return missing();
      int64_t len = length(obj);
      int64_t i = key.as_int();
      if (i < 0) i += len;
      if (i < 0 || i >= len) return missing();
      if (obj.is_string()) {
        std::string s;
        utf8_append(s, utf8_decode(obj.str())[static_cast<size_t>(i)]);
        return Value::string(std::move(s), obj.is_safe());
      }
      return obj.items()[static_cast<size_t>(i)];
    }
    default:
      return missing();
  }
}

std::vector<Value> unpack(const Value& v, size_t n) {
  std::vector<Value> items = iterate(v);
  if (items.size() < n) {
    throw EvalError(std::string("not enough values to unpack (expected ") + std::to_string(n) +
                    std::string(", got ") + std::to_string(items.size()) + ")");
  }
  if (items.size() > n) {
    throw EvalError(std::string("too many values to unpack (expected ") + std::to_string(n) + ")");
  }
  return items;
}

std::string percent_format(const std::string& fmt, const Value& args) {
  std::vector<Value> values = args.is_tuple() ? args.items() : std::vector<Value>{args};
  size_t next = 0;
  std::string out;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out.push_back(fmt[i]);
      continue;
    }
    if (++i >= fmt.size()) throw EvalError("incomplete format");
    std::string spec = "%";
    while (i < fmt.size() &&
           std::string_view("-+ #0123456789.").find(fmt[i]) != std::string_view::npos) {
      spec.push_back(fmt[i++]);
    }
    if (i >= fmt.size()) throw EvalError("incomplete format");
    char conv = fmt[i];
    if (conv == '%') {
      out.push_back('%');
      continue;
    }
    if (next >= values.size()) throw EvalError("not enough arguments for format string");
    const Value& v = values[next++];
    char buf[512];
    switch (conv) {
      case 's':
      case 'r': {
        std::string s = conv == 's' ? py_str(v) : py_repr(v);
        if (spec.size() > 1) {
          std::snprintf(buf, sizeof(buf), (spec + "s").c_str(), s.c_str());
          s = buf;
        }
        out += s;
        break;
      }
      case 'd':
      case 'i':
        if (!v.is_number()) {
          throw EvalError(std::string("%") + conv +
                          std::string(" format: a real number is required, not ") + type_name(v));
        }
        std::snprintf(
            buf, sizeof(buf), (spec + "lld").c_str(),
            static_cast<long long>(v.is_float() ? std::trunc(v.as_double()) : v.as_int()));
        out += buf;
        break;
      case 'f':
      case 'e':
      case 'g':
        if (!v.is_number()) {
          throw EvalError(std::string("must be real number, not ") + type_name(v));
        }
        std::snprintf(buf, sizeof(buf), (spec + conv).c_str(), v.as_double());
        out += buf;
        break;
      default:
        throw EvalError(std::string("unsupported format character '") + conv + "'");
    }
  }
  if (next < values.size()) {
    throw EvalError("not all arguments converted during string formatting");
  }
  return out;
}

}  // namespace jinja
