// Jinja2's built-in filters with autoescape off, plus Hugging Face's tojson.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <unordered_set>

#include "jinja/builtins.h"
#include "jinja/error.h"
#include "jinja/filters_util.h"
#include "jinja/interpreter.h"
#include "jinja/ops.h"
#include "jinja/pystr.h"
#include "jinja/unicode.h"

namespace jinja {

std::vector<std::optional<Value>> CallArgs::bind(std::string_view fn,
                                                 std::initializer_list<const char*> names) const {
  std::vector<std::optional<Value>> out(names.size());
  if (positional.size() > names.size()) {
    throw EvalError(std::string(fn) + std::string("() takes ") + std::to_string(names.size()) +
                    std::string(" argument(s) but ") + std::to_string(positional.size()) +
                    " were given");
  }
  for (size_t i = 0; i < positional.size(); ++i) out[i] = positional[i];
  for (const auto& [k, v] : keyword) {
    size_t i = 0;
    for (const char* n : names) {
      if (k == n) break;
      ++i;
    }
    if (i == names.size()) {
      throw EvalError(std::string(fn) + "() got an unexpected keyword argument '" + k + "'");
    }
    if (out[i]) {
      throw EvalError(std::string(fn) + "() got multiple values for argument '" + k + "'");
    }
    out[i] = v;
  }
  return out;
}

namespace {

using Args = std::vector<std::optional<Value>>;

Value arg_or(const Args& a, size_t i, Value dflt) {
  return a[i] ? *a[i] : std::move(dflt);
}

// soft_str: str stays (Markup too), others become str(x).
Value soft_str(const Value& v) {
  return v.is_string() ? v : Value::string(py_str(v));
}

Value f_tojson(Interpreter&, const Value& v, CallArgs& args) {
  Args a = args.bind("tojson", {"ensure_ascii", "indent", "separators", "sort_keys"});
  JsonOptions o;
  o.ensure_ascii = a[0] && truthy(*a[0]);
  o.sort_keys = a[3] && truthy(*a[3]);
  if (a[1] && !a[1]->is_none()) {
    o.has_indent = true;
    if (a[1]->is_string()) {
      o.indent = a[1]->str();
    } else if (a[1]->is_integral()) {
      o.indent = std::string(
          static_cast<size_t>(std::max<int64_t>(0, std::min<int64_t>(a[1]->as_int(), 64))), ' ');
    } else {
      throw EvalError("tojson: indent must be an int or a str");
    }
    o.item_separator = ",";
  }
  if (a[2] && !a[2]->is_none()) {
    const Value& s = *a[2];
    if (!s.is_sequence_like() || s.items().size() != 2 || !s.items()[0].is_string() ||
        !s.items()[1].is_string()) {
      throw EvalError("tojson: separators must be a pair of strings");
    }
    o.item_separator = s.items()[0].str();
    o.key_separator = s.items()[1].str();
  }
  return Value::string(json_dumps(v, o));
}

Value f_trim(Interpreter&, const Value& v, CallArgs& args) {
  Args a = args.bind("trim", {"chars"});
  Value s = soft_str(v);
  std::u32string chars;
  bool has_chars = a[0] && !a[0]->is_none();
  if (has_chars) {
    if (!a[0]->is_string()) throw EvalError("strip arg must be None or str");
    chars = utf8_decode(a[0]->str());
  }
  return Value::string(py_strip(s.str(), has_chars ? &chars : nullptr, true, true), s.is_safe());
}

Value f_upper(Interpreter&, const Value& v, CallArgs& args) {
  args.bind("upper", {});
  Value s = soft_str(v);
  return Value::string(py_upper(s.str()), s.is_safe());
}

Value f_lower(Interpreter&, const Value& v, CallArgs& args) {
  args.bind("lower", {});
  Value s = soft_str(v);
  return Value::string(py_lower(s.str()), s.is_safe());
}

Value f_capitalize(Interpreter&, const Value& v, CallArgs& args) {
  args.bind("capitalize", {});
  Value s = soft_str(v);
  return Value::string(py_capitalize(s.str()), s.is_safe());
}

// Jinja's title: words begin after -, whitespace, ( { [ <.
Value f_title(Interpreter&, const Value& v, CallArgs& args) {
  args.bind("title", {});
  Value s = soft_str(v);
  std::u32string u = utf8_decode(s.str());
  std::string out;
  bool word_start = true;
  for (char32_t c : u) {
    bool sep = c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || py_isspace(c);
    if (sep) {
      utf8_append(out, c);
      word_start = true;
    } else if (word_start) {
      if (c == 0xdf) {
        out += "Ss";
      } else {
        utf8_append(out, to_upper(c));
      }
      word_start = false;
    } else {
      utf8_append(out, to_lower(c));
    }
  }
  return Value::string(std::move(out), s.is_safe());
}

Value f_length(Interpreter&, const Value& v, CallArgs& args) {
  args.bind("length", {});
  return Value::integer(length(v));
}

Value f_first(Interpreter&, const Value& v, CallArgs& args) {
  args.bind("first", {});
  std::vector<Value> items = iterate(v);
  if (items.empty()) return Value::undefined("No first item, sequence was empty.");
  return items.front();
}

Value f_last(Interpreter&, const Value& v, CallArgs& args) {
  args.bind("last", {});
  if (!v.is_string() && !v.is_sequence_like() && !v.is_dict() && !v.is_undefined()) {
    throw EvalError(std::string("'") + type_name(v) + "' object is not reversible");
  }
  std::vector<Value> items = iterate(v);
  if (items.empty()) return Value::undefined("No last item, sequence was empty.");
  return items.back();
}

Value f_join(Interpreter& in, const Value& v, CallArgs& args) {
  Args a = args.bind("join", {"d", "attribute"});
  std::string sep = a[0] ? py_str(*a[0]) : "";
  std::vector<Value> items = iterate(v);
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += py_str(a[1] && !a[1]->is_none() ? get_attribute_path(in, items[i], *a[1]) : items[i]);
    if (out.size() > in.limits().max_output_bytes) throw EvalError("join result too large");
  }
  return Value::string(std::move(out));
}

Value f_default(Interpreter&, const Value& v, CallArgs& args) {
  Args a = args.bind("default", {"default_value", "boolean"});
  bool boolean = a[1] && truthy(*a[1]);
  if (v.is_undefined() || (boolean && !truthy(v))) return arg_or(a, 0, Value::string(""));
  return v;
}

Value f_replace(Interpreter& in, const Value& v, CallArgs& args) {
  Args a = args.bind("replace", {"old", "new", "count"});
  if (!a[0] || !a[1]) throw EvalError("replace() missing required argument");
  int64_t count = -1;
  if (a[2] && !a[2]->is_none()) {
    if (!a[2]->is_integral()) throw EvalError("'count' must be an integer");
    count = a[2]->as_int();
  }
  return Value::string(
      py_replace(py_str(v), py_str(*a[0]), py_str(*a[1]), count, in.limits().max_output_bytes));
}

Value f_string(Interpreter&, const Value& v, CallArgs& args) {
  args.bind("string", {});
  return soft_str(v);
}

Value f_int(Interpreter&, const Value& v, CallArgs& args) {
  Args a = args.bind("int", {"default", "base"});
  Value dflt = arg_or(a, 0, Value::integer(0));
  int base = a[1] ? static_cast<int>(a[1]->as_int()) : 10;
  if (v.is_string()) {
    if (auto i = parse_py_int(v.str(), base)) return Value::integer(*i);
  } else if (v.is_integral()) {
    return Value::integer(v.as_int());
  }
  if (auto d = to_py_float(v)) {
    if (auto i = float_to_int_opt(*d)) return Value::integer(*i);
  }
  return dflt;
}

Value f_float(Interpreter&, const Value& v, CallArgs& args) {
  Args a = args.bind("float", {"default"});
  if (auto d = to_py_float(v)) return Value::floating(*d);
  return arg_or(a, 0, Value::floating(0.0));
}

Value f_list(Interpreter&, const Value& v, CallArgs& args) {
  args.bind("list", {});
  return Value::list(iterate(v));
}

Value f_items(Interpreter&, const Value& v, CallArgs& args) {
  args.bind("items", {});
  if (v.is_undefined()) return Value::list({});
  if (!v.is_dict()) throw EvalError("Can only get item pairs from a mapping.");
  std::vector<Value> out;
  for (const auto& [k, val] : v.dict_data().entries) out.push_back(Value::tuple({k, val}));
  return Value::list(std::move(out));
}

Value f_dictsort(Interpreter&, const Value& v, CallArgs& args) {
  Args a = args.bind("dictsort", {"case_sensitive", "by", "reverse"});
  if (!v.is_dict()) throw EvalError("dictsort: a mapping is required");
  bool case_sensitive = a[0] && truthy(*a[0]);
  std::string by = a[1] ? py_str(*a[1]) : "key";
  if (by != "key" && by != "value") throw EvalError("You can only sort by either 'key' or 'value'");
  bool reverse = a[2] && truthy(*a[2]);
  std::vector<Value> pairs;
  for (const auto& [k, val] : v.dict_data().entries) pairs.push_back(Value::tuple({k, val}));
  size_t pos = by == "key" ? 0 : 1;
  sort_values(pairs, reverse, [&](const Value& p) {
    return case_sensitive ? p.items()[pos] : ignore_case(p.items()[pos]);
  });
  return Value::list(std::move(pairs));
}

Value f_sort(Interpreter& in, const Value& v, CallArgs& args) {
  Args a = args.bind("sort", {"reverse", "case_sensitive", "attribute"});
  bool reverse = a[0] && truthy(*a[0]);
  bool case_sensitive = a[1] && truthy(*a[1]);
  std::vector<Value> items = iterate(v);
  sort_values(items, reverse, [&](const Value& item) {
    Value key = a[2] && !a[2]->is_none() ? get_attribute_path(in, item, *a[2]) : item;
    return case_sensitive ? key : ignore_case(key);
  });
  return Value::list(std::move(items));
}

Value f_unique(Interpreter& in, const Value& v, CallArgs& args) {
  Args a = args.bind("unique", {"case_sensitive", "attribute"});
  bool case_sensitive = a[0] && truthy(*a[0]);
  DictData seen;
  std::vector<Value> out;
  for (const Value& item : iterate(v)) {
    Value key = a[1] && !a[1]->is_none() ? get_attribute_path(in, item, *a[1]) : item;
    if (!case_sensitive) key = ignore_case(key);
    if (seen.find(key)) continue;
    seen.set(key, Value::none());
    out.push_back(item);
  }
  return Value::list(std::move(out));
}

Value f_reverse(Interpreter&, const Value& v, CallArgs& args) {
  args.bind("reverse", {});
  if (v.is_string()) {
    std::u32string u = utf8_decode(v.str());
    std::reverse(u.begin(), u.end());
    return Value::string(utf8_encode(u), v.is_safe());
  }
  std::vector<Value> items = iterate(v);
  std::reverse(items.begin(), items.end());
  return Value::list(std::move(items));
}

Value f_min_max(Interpreter& in, const Value& v, CallArgs& args, bool want_max) {
  Args a = args.bind(want_max ? "max" : "min", {"case_sensitive", "attribute"});
  bool case_sensitive = a[0] && truthy(*a[0]);
  std::vector<Value> items = iterate(v);
  if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
  auto key = [&](const Value& item) {
    Value k = a[1] && !a[1]->is_none() ? get_attribute_path(in, item, *a[1]) : item;
    return case_sensitive ? k : ignore_case(k);
  };
  size_t best = 0;
  Value best_key = key(items[0]);
  for (size_t i = 1; i < items.size(); ++i) {
    Value k = key(items[i]);
    if (want_max ? less_than(best_key, k) : less_than(k, best_key)) {
      best = i;
      best_key = k;
    }
  }
  return items[best];
}
Value f_max(Interpreter& in, const Value& v, CallArgs& args) {
  return f_min_max(in, v, args, true);
}
Value f_min(Interpreter& in, const Value& v, CallArgs& args) {
  return f_min_max(in, v, args, false);
}

Value f_sum(Interpreter& in, const Value& v, CallArgs& args) {
  Args a = args.bind("sum", {"attribute", "start"});
  Value total = arg_or(a, 1, Value::integer(0));
  for (const Value& item : iterate(v)) {
    Value x = a[0] && !a[0]->is_none() ? get_attribute_path(in, item, *a[0]) : item;
    total = binary_op(BinOp::kAdd, total, x, in.limits().max_output_bytes);
  }
  return total;
}

Value f_abs(Interpreter&, const Value& v, CallArgs& args) {
  args.bind("abs", {});
  if (v.is_float()) return Value::floating(std::fabs(v.as_double()));
  if (v.is_integral()) return v.as_int() < 0 ? negate(v) : Value::integer(v.as_int());
  if (v.is_undefined()) raise_undefined(v);
  throw EvalError(std::string("bad operand type for abs(): '") + type_name(v) + "'");
}

Value f_round(Interpreter&, const Value& v, CallArgs& args) {
  Args a = args.bind("round", {"precision", "method"});
  int64_t precision = a[0] ? a[0]->as_int() : 0;
  std::string method = a[1] ? py_str(*a[1]) : "common";
  if (method != "common" && method != "ceil" && method != "floor") {
    throw EvalError("method must be common, ceil or floor");
  }
  if (v.is_undefined()) raise_undefined(v);
  if (!v.is_number()) {
    throw EvalError(std::string("type ") + type_name(v) + " doesn't define __round__ method");
  }
  if (method == "common") {
    if (v.is_integral()) return Value::integer(v.as_int());
    return Value::floating(py_round(v.as_double(), precision));
  }
  double scale = std::pow(10.0, static_cast<double>(precision));
  double x = v.as_double() * scale;
  return Value::floating((method == "ceil" ? std::ceil(x) : std::floor(x)) / scale);
}

Value f_indent(Interpreter&, const Value& v, CallArgs& args) {
  Args a = args.bind("indent", {"width", "first", "blank"});
  std::string indention = "    ";
  if (a[0])
    indention = a[0]->is_string() ? a[0]->str()
                                  : std::string(static_cast<size_t>(std::max<int64_t>(
                                                    0, std::min<int64_t>(a[0]->as_int(), 1 << 16))),
                                                ' ');
  bool first = a[1] && truthy(*a[1]);
  bool blank = a[2] && truthy(*a[2]);
  if (v.is_undefined()) raise_undefined(v);
  if (!v.is_string())
    throw EvalError(std::string("unsupported operand type(s) for +=: '") + type_name(v) +
                    "' and 'str'");
  std::vector<std::string> lines = py_splitlines(v.str() + "\n");
  std::string rv;
  if (blank) {
    for (size_t i = 0; i < lines.size(); ++i) {
      if (i) rv += "\n" + indention;
      rv += lines[i];
    }
  } else {
    rv = lines.empty() ? "" : lines[0];
    for (size_t i = 1; i < lines.size(); ++i) {
      rv += "\n";
      if (!lines[i].empty()) rv += indention;
      rv += lines[i];
    }
  }
  if (first) rv = indention + rv;
  return Value::string(std::move(rv), v.is_safe());
}

Value f_wordcount(Interpreter&, const Value& v, CallArgs& args) {
  args.bind("wordcount", {});
  int64_t n = 0;
  bool in_word = false;
  for (char32_t c : utf8_decode(py_str(v))) {
    bool w = is_word(c);
    if (w && !in_word) ++n;
    in_word = w;
  }
  return Value::integer(n);
}

Value f_safe(Interpreter&, const Value& v, CallArgs& args) {
  args.bind("safe", {});
  return Value::string(py_str(v), true);
}

Value f_escape(Interpreter&, const Value& v, CallArgs& args) {
  args.bind("escape", {});
  if (v.is_string() && v.is_safe()) return v;
  return Value::string(html_escape(py_str(v)), true);
}

Value f_center(Interpreter&, const Value& v, CallArgs& args) {
  Args a = args.bind("center", {"width"});
  int64_t width = a[0] ? a[0]->as_int() : 80;
  std::string s = py_str(v);
  int64_t len = static_cast<int64_t>(utf8_length(s));
  if (width <= len) return Value::string(s);
  int64_t pad = std::min<int64_t>(width - len, 1 << 20);
  int64_t left = pad / 2 + (pad & width & 1);
  return Value::string(std::string(left, ' ') + s + std::string(pad - left, ' '));
}

Value f_format(Interpreter&, const Value& v, CallArgs& args) {
  if (!args.keyword.empty() && !args.positional.empty()) {
    throw EvalError("can't handle positional and keyword arguments at the same time");
  }
  if (!args.keyword.empty()) throw EvalError("format with keyword arguments is not supported");
  return Value::string(percent_format(py_str(v), Value::tuple(args.positional)));
}

Value f_attr(Interpreter&, const Value& v, CallArgs& args) {
  Args a = args.bind("attr", {"name"});
  if (!a[0]) throw EvalError("attr() missing 1 required positional argument: 'name'");
  // getattr() only: unlike `.name`, no fallback to dict items.
  std::string name = py_str(*a[0]);
  if (v.is_namespace()) {
    if (const Value* x = v.name_space_data().find(name)) return *x;
  } else if (auto m = find_method(v, name)) {
    return *m;
  }
  return Value::undefined(std::string("'") + object_type_repr(v) + "' has no attribute '" + name +
                          "'");
}

Value f_batch(Interpreter&, const Value& v, CallArgs& args) {
  Args a = args.bind("batch", {"linecount", "fill_with"});
  if (!a[0] || !a[0]->is_integral() || a[0]->as_int() <= 0) {
    throw EvalError("batch() needs a positive line count");
  }
  size_t n = static_cast<size_t>(a[0]->as_int());
  std::vector<Value> out, cur;
  for (const Value& item : iterate(v)) {
    cur.push_back(item);
    if (cur.size() == n) {
      out.push_back(Value::list(std::move(cur)));
      cur.clear();
    }
  }
  if (!cur.empty()) {
    if (a[1] && !a[1]->is_none()) {
      while (cur.size() < n) cur.push_back(*a[1]);
    }
    out.push_back(Value::list(std::move(cur)));
  }
  return Value::list(std::move(out));
}

const std::pair<std::string_view, FilterFn> kFilters[] = {
    {"abs", f_abs},
    {"attr", f_attr},
    {"batch", f_batch},
    {"capitalize", f_capitalize},
    {"center", f_center},
    {"count", f_length},
    {"d", f_default},
    {"default", f_default},
    {"dictsort", f_dictsort},
    {"e", f_escape},
    {"escape", f_escape},
    {"first", f_first},
    {"float", f_float},
    {"format", f_format},
    {"indent", f_indent},
    {"int", f_int},
    {"items", f_items},
    {"join", f_join},
    {"last", f_last},
    {"length", f_length},
    {"list", f_list},
    {"lower", f_lower},
    {"map", f_map},
    {"max", f_max},
    {"min", f_min},
    {"reject", f_reject},
    {"rejectattr", f_rejectattr},
    {"replace", f_replace},
    {"reverse", f_reverse},
    {"round", f_round},
    {"safe", f_safe},
    {"select", f_select},
    {"selectattr", f_selectattr},
    {"sort", f_sort},
    {"string", f_string},
    {"sum", f_sum},
    {"title", f_title},
    {"tojson", f_tojson},
    {"trim", f_trim},
    {"unique", f_unique},
    {"upper", f_upper},
    {"wordcount", f_wordcount},
};

}  // namespace

FilterFn find_filter(std::string_view name) {
  for (const auto& [n, f] : kFilters) {
    if (n == name) return f;
  }
  return nullptr;
}

}  // namespace jinja
