#include "jinja/filters_util.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "jinja/error.h"
#include "jinja/interpreter.h"
#include "jinja/ops.h"
#include "jinja/pystr.h"
#include "jinja/unicode.h"

namespace jinja {

Value get_attribute_path(Interpreter&, const Value& item, const Value& attribute) {
  if (!attribute.is_string()) return get_item(item, attribute);
  Value cur = item;
  const std::string& path = attribute.str();
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string part =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    bool digits = !part.empty() && std::all_of(part.begin(), part.end(),
                                               [](char c) { return c >= '0' && c <= '9'; });
    if (digits && part.size() < 19) {
      cur = get_item(cur, Value::integer(std::strtoll(part.c_str(), nullptr, 10)));
    } else {
      cur = get_item(cur, Value::string(part));
    }
    if (dot == std::string::npos) return cur;
    start = dot + 1;
  }
}

Value ignore_case(const Value& v) {
  return v.is_string() ? Value::string(py_lower(v.str()), v.is_safe()) : v;
}

void sort_values(std::vector<Value>& items, bool reverse,
                 const std::function<Value(const Value&)>& key) {
  std::vector<std::pair<Value, Value>> keyed;
  keyed.reserve(items.size());
  for (const Value& item : items) keyed.emplace_back(key(item), item);
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    return reverse ? less_than(b.first, a.first) : less_than(a.first, b.first);
  });
  for (size_t i = 0; i < items.size(); ++i) items[i] = std::move(keyed[i].second);
}

std::string py_capitalize(const std::string& s) {
  std::u32string u = utf8_decode(s);
  std::string out;
  for (size_t i = 0; i < u.size(); ++i) {
    if (i == 0) {
      if (u[0] == 0xdf) {
        out += "Ss";
      } else {
        utf8_append(out, to_upper(u[0]));
      }
    } else {
      utf8_append(out, to_lower(u[i]));
    }
  }
  return out;
}

std::string py_replace(const std::string& s, const std::string& old, const std::string& repl,
                       int64_t count, size_t max_bytes) {
  std::string out;
  auto check = [&]() {
    if (out.size() > max_bytes) throw EvalError("replace result exceeds the output limit");
  };
  if (old.empty()) {
    std::u32string u = utf8_decode(s);
    int64_t done = 0;
    for (char32_t c : u) {
      if (count < 0 || done < count) {
        out += repl;
        ++done;
      }
      utf8_append(out, c);
      check();
    }
    if (count < 0 || done < count) out += repl;
    check();
    return out;
  }
  size_t pos = 0;
  int64_t done = 0;
  while (count < 0 || done < count) {
    size_t hit = s.find(old, pos);
    if (hit == std::string::npos) break;
    out.append(s, pos, hit - pos);
    out += repl;
    check();
    pos = hit + old.size();
    ++done;
  }
  out.append(s, pos, std::string::npos);
  check();
  return out;
}

namespace {

std::string strip_ascii_ws(const std::string& s) {
  std::u32string u = utf8_decode(s);
  size_t b = 0, e = u.size();
  while (b < e && py_isspace(u[b])) ++b;
  while (e > b && py_isspace(u[e - 1])) --e;
  return utf8_encode(std::u32string_view(u).substr(b, e - b));
}

// Removes underscores that sit between two digits; nullopt if an underscore is misplaced.
std::optional<std::string> remove_underscores(const std::string& s, int base) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '_') {
      out.push_back(s[i]);
      continue;
    }
    auto is_d = [&](char c) {
      if (base <= 10) return c >= '0' && c < '0' + base;
      return std::isxdigit(static_cast<unsigned char>(c)) != 0;
    };
    if (i == 0 || i + 1 >= s.size() || !is_d(s[i - 1]) || !is_d(s[i + 1])) return std::nullopt;
  }
  return out;
}

}  // namespace

std::optional<int64_t> parse_py_int(const std::string& text, int base) {
  std::string s = strip_ascii_ws(text);
  if (s.empty()) return std::nullopt;
  bool neg = false;
  size_t i = 0;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    i = 1;
  }
  std::string body = s.substr(i);
  if (base == 0 || base == 16 || base == 8 || base == 2) {
    if (body.size() > 2 && body[0] == '0') {
      char p = static_cast<char>(body[1] | 0x20);
      int prefixed = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
      if (prefixed && (base == 0 || base == prefixed)) {
        base = prefixed;
        body = body.substr(2);
        if (!body.empty() && body[0] == '_') body = body.substr(1);
      }
    }
    if (base == 0) base = 10;
  }
  if (base < 2 || base > 36 || body.empty()) return std::nullopt;
  auto clean = remove_underscores(body, base);
  if (!clean || clean->empty()) return std::nullopt;
  for (char c : *clean) {
    int d = std::isdigit(static_cast<unsigned char>(c))   ? c - '0'
            : std::isalpha(static_cast<unsigned char>(c)) ? (c | 0x20) - 'a' + 10
                                                          : 99;
    if (d >= base) return std::nullopt;
  }
  errno = 0;
  unsigned long long v = std::strtoull(clean->c_str(), nullptr, base);
  if (errno == ERANGE || v > static_cast<unsigned long long>(INT64_MAX)) {
    throw EvalError("integer " + s + " does not fit in 64 bits");
  }
  int64_t r = static_cast<int64_t>(v);
  return neg ? -r : r;
}

std::optional<double> to_py_float(const Value& v) {
  if (v.is_number()) return v.as_double();
  if (!v.is_string()) return std::nullopt;
  std::string s = strip_ascii_ws(v.str());
  std::string lower = py_lower(s);
  std::string unsigned_part = lower;
  double sign = 1;
  if (!unsigned_part.empty() && (unsigned_part[0] == '+' || unsigned_part[0] == '-')) {
    sign = unsigned_part[0] == '-' ? -1 : 1;
    unsigned_part = unsigned_part.substr(1);
  }
  if (unsigned_part == "inf" || unsigned_part == "infinity") return sign * HUGE_VAL;
  if (unsigned_part == "nan") return std::nan("");
  auto clean = remove_underscores(unsigned_part, 10);
  if (!clean || clean->empty()) return std::nullopt;
  // digits [. digits] [e [+-] digits], at least one digit in the mantissa
  const std::string& t = *clean;
  size_t i = 0, mant = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++mant;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++mant;
  }
  if (mant == 0) return std::nullopt;
  if (i < t.size() && t[i] == 'e') {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    size_t d = 0;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++d;
    if (d == 0) return std::nullopt;
  }
  if (i != t.size()) return std::nullopt;
  return sign * std::strtod(t.c_str(), nullptr);
}

std::optional<int64_t> float_to_int_opt(double d) {
  if (std::isnan(d)) return std::nullopt;
  if (std::isinf(d)) throw EvalError("cannot convert float infinity to integer");
  double t = std::trunc(d);
  if (t >= 9.223372036854775807e18 || t < -9.223372036854775808e18) {
    throw EvalError(std::string("integer conversion of ") + float_repr(d) +
                    " does not fit in 64 bits");
  }
  return static_cast<int64_t>(t);
}

int64_t float_to_int(double d) {
  auto r = float_to_int_opt(d);
  if (!r) throw EvalError("cannot convert float NaN to integer");
  return *r;
}

double py_round(double x, int64_t ndigits) {
  if (!std::isfinite(x)) return x;
  if (ndigits > 300) return x;
  if (ndigits >= 0) {
    char buf[512];
    std::snprintf(buf, sizeof(buf), "%.*f", static_cast<int>(ndigits), x);
    return std::strtod(buf, nullptr);
  }
  if (ndigits < -308) return std::copysign(0.0, x);
  double scale = std::pow(10.0, static_cast<double>(-ndigits));
  double y = x / scale;
  double r = std::nearbyint(y);  // ties to even in the default rounding mode
  return r * scale;
}

namespace {

Value select_common(Interpreter& in, const Value& v, CallArgs& args, bool select,
                    bool lookup_attr) {
  std::vector<Value> out;
  if (!truthy(v)) return Value::list({});
  size_t off = 0;
  Value attr;
  if (lookup_attr) {
    if (args.positional.empty()) throw EvalError("Missing parameter for attribute name");
    attr = args.positional[0];
    off = 1;
  }
  bool has_test = args.positional.size() > off;
  std::string test_name = has_test ? py_str(args.positional[off]) : "";
  CallArgs test_args;
  if (has_test) {
    test_args.positional.assign(args.positional.begin() + static_cast<long>(off) + 1,
                                args.positional.end());
    test_args.keyword = args.keyword;
  }
  for (const Value& item : iterate(v)) {
    Value x = lookup_attr ? get_attribute_path(in, item, attr) : item;
    bool ok;
    if (has_test) {
      CallArgs a = test_args;
      ok = in.apply_test(test_name, x, a);
    } else {
      ok = truthy(x);
    }
    if (ok == select) out.push_back(item);
  }
  return Value::list(std::move(out));
}

}  // namespace

Value f_map(Interpreter& in, const Value& v, CallArgs& args) {
  if (!truthy(v)) return Value::list({});
  std::vector<Value> out;
  auto attr = std::find_if(args.keyword.begin(), args.keyword.end(),
                           [](const auto& kv) { return kv.first == "attribute"; });
  if (args.positional.empty() && attr != args.keyword.end()) {
    Value attribute = attr->second;
    Value dflt = Value::none();
    bool has_default = false;
    for (const auto& [k, val] : args.keyword) {
      if (k == "default") {
        dflt = val;
        has_default = true;
      } else if (k != "attribute") {
        throw EvalError("Unexpected keyword argument '" + k + "'");
      }
    }
    for (const Value& item : iterate(v)) {
      Value x = get_attribute_path(in, item, attribute);
      out.push_back(x.is_undefined() && has_default ? dflt : x);
    }
    return Value::list(std::move(out));
  }
  if (args.positional.empty()) throw EvalError("map requires a filter argument");
  std::string name = py_str(args.positional[0]);
  for (const Value& item : iterate(v)) {
    CallArgs a;
    a.positional.assign(args.positional.begin() + 1, args.positional.end());
    a.keyword = args.keyword;
    out.push_back(in.apply_filter(name, item, a));
  }
  return Value::list(std::move(out));
}

Value f_select(Interpreter& in, const Value& v, CallArgs& args) {
  return select_common(in, v, args, true, false);
}
Value f_reject(Interpreter& in, const Value& v, CallArgs& args) {
  return select_common(in, v, args, false, false);
}
Value f_selectattr(Interpreter& in, const Value& v, CallArgs& args) {
  return select_common(in, v, args, true, true);
}
Value f_rejectattr(Interpreter& in, const Value& v, CallArgs& args) {
  return select_common(in, v, args, false, true);
}

}  // namespace jinja
