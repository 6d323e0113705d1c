#include "jinja/methods_str.h"

#include <algorithm>

#include "jinja/error.h"
#include "jinja/filters_util.h"
#include "jinja/interpreter.h"
#include "jinja/ops.h"
#include "jinja/pystr.h"
#include "jinja/unicode.h"

namespace jinja {

namespace {

using Args = std::vector<std::optional<Value>>;

const std::string& need_str(const std::optional<Value>& v, const char* fn) {
  if (!v || !v->is_string()) {
    throw EvalError(std::string(fn) + std::string("() argument must be str, not ") +
                    (v ? type_name(*v) : "nothing"));
  }
  return v->str();
}

// Code point bounds [start, end) from optional slice-like arguments.
void bounds(const Args& a, size_t first, int64_t len, int64_t& b, int64_t& e) {
  auto norm = [&](const std::optional<Value>& v, int64_t dflt) {
    if (!v || v->is_none()) return dflt;
    int64_t x = v->as_int();
    if (x < 0) x = std::max<int64_t>(0, x + len);
    return std::min(x, len);
  };
  b = norm(a[first], 0);
  e = norm(a[first + 1], len);
}

std::vector<Value> split_ws(const std::u32string& u, int64_t maxsplit, bool from_right) {
  std::vector<std::u32string> parts;
  if (!from_right) {
    size_t i = 0;
    while (true) {
      while (i < u.size() && py_isspace(u[i])) ++i;
      if (i >= u.size()) break;
      if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) >= maxsplit) {
        parts.push_back(u.substr(i));  // the rest keeps its trailing whitespace
        break;
      }
      size_t j = i;
      while (j < u.size() && !py_isspace(u[j])) ++j;
      parts.push_back(u.substr(i, j - i));
      i = j;
    }
  } else {
    int64_t i = static_cast<int64_t>(u.size());
    while (true) {
      while (i > 0 && py_isspace(u[i - 1])) --i;
      if (i <= 0) break;
      if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) >= maxsplit) {
        parts.push_back(u.substr(0, i));  // the rest keeps its leading whitespace
        break;
      }
      int64_t j = i;
      while (j > 0 && !py_isspace(u[j - 1])) --j;
      parts.push_back(u.substr(j, i - j));
      i = j;
    }
    std::reverse(parts.begin(), parts.end());
  }
  std::vector<Value> out;
  for (auto& p : parts) out.push_back(Value::string(utf8_encode(p)));
  return out;
}

std::vector<Value> split_sep(const std::string& s, const std::string& sep, int64_t maxsplit,
                             bool from_right) {
  if (sep.empty()) throw EvalError("empty separator");
  std::vector<std::string> parts;
  if (!from_right) {
    size_t pos = 0;
    while (maxsplit < 0 || static_cast<int64_t>(parts.size()) < maxsplit) {
      size_t hit = s.find(sep, pos);
      if (hit == std::string::npos) break;
      parts.push_back(s.substr(pos, hit - pos));
      pos = hit + sep.size();
    }
    parts.push_back(s.substr(pos));
  } else {
    size_t end = s.size();
    while (maxsplit < 0 || static_cast<int64_t>(parts.size()) < maxsplit) {
      if (end < sep.size()) break;
      size_t hit = s.rfind(sep, end - sep.size());
      if (hit == std::string::npos) break;
      parts.push_back(s.substr(hit + sep.size(), end - hit - sep.size()));
      end = hit;
    }
    parts.push_back(s.substr(0, end));
    std::reverse(parts.begin(), parts.end());
  }
  std::vector<Value> out;
  for (auto& p : parts) out.push_back(Value::string(std::move(p)));
  return out;
}

std::string py_title(const std::string& s) {
  std::string out;
  bool prev_cased = false;
  for (char32_t c : utf8_decode(s)) {
    bool cased = is_cased_upper(c) || is_cased_lower(c);
    if (cased) {
      utf8_append(out, prev_cased ? to_lower(c) : to_upper(c));
    } else {
      utf8_append(out, c);
    }
    prev_cased = cased;
  }
  return out;
}

// str.format with automatic ({}) or manual ({0}, {name}) fields, !r/!s, no format specs.
std::string py_format(const std::string& fmt, const CallArgs& args) {
  std::string out;
  int auto_index = 0;
  bool manual = false, automatic = false;
  for (size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c == '}') {
      if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
        out.push_back('}');
        ++i;
        continue;
      }
      throw EvalError("Single '}' encountered in format string");
    }
    if (c != '{') {
      out.push_back(c);
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out.push_back('{');
      ++i;
      continue;
    }
    size_t close = fmt.find('}', i);
    if (close == std::string::npos) throw EvalError("Single '{' encountered in format string");
    std::string field = fmt.substr(i + 1, close - i - 1);
    i = close;
    char conv = 0;
    size_t bang = field.find('!');
    if (bang != std::string::npos) {
      if (bang + 2 != field.size()) throw EvalError("expected ':' after conversion specifier");
      conv = field[bang + 1];
      field = field.substr(0, bang);
    }
    if (field.find_first_of(":.[") != std::string::npos) {
      throw EvalError("format fields with specs, attributes or indexes are not supported");
    }
    const Value* v = nullptr;
    if (field.empty()) {
      if (manual) {
        throw EvalError(
            "cannot switch from manual field specification to automatic field numbering");
      }
      automatic = true;
      if (auto_index >= static_cast<int>(args.positional.size())) {
        throw EvalError(std::string("Replacement index ") + std::to_string(auto_index) +
                        " out of range for positional args tuple");
      }
      v = &args.positional[auto_index++];
    } else if (std::all_of(field.begin(), field.end(),
                           [](char ch) { return ch >= '0' && ch <= '9'; })) {
      if (automatic) {
        throw EvalError(
            "cannot switch from automatic field numbering to manual field specification");
      }
      manual = true;
      size_t idx = std::stoul(field);
      if (idx >= args.positional.size()) {
        throw EvalError("Replacement index " + field + " out of range for positional args tuple");
      }
      v = &args.positional[idx];
    } else {
      for (const auto& [k, val] : args.keyword) {
        if (k == field) v = &val;
      }
      if (!v) throw EvalError("'" + field + "'");
    }
    out += conv == 'r' ? py_repr(*v) : py_str(*v);
  }
  return out;
}

Value call_plain(Interpreter& in, const std::string& s, const std::string& name, CallArgs& args) {
  if (name == "startswith" || name == "endswith") {
    Args a = args.bind(name, {"prefix", "start", "end"});
    if (!a[0]) throw EvalError(name + "() takes at least 1 argument (0 given)");
    std::u32string u = utf8_decode(s);
    int64_t b, e;
    bounds(a, 1, static_cast<int64_t>(u.size()), b, e);
    std::string sub = b <= e ? utf8_encode(std::u32string_view(u).substr(b, e - b)) : "";
    std::vector<Value> options = a[0]->is_tuple() ? a[0]->items() : std::vector<Value>{*a[0]};
    for (const Value& o : options) {
      if (!o.is_string()) {
        throw EvalError(name + std::string(" first arg must be str or a tuple of str, not ") +
                        type_name(o));
      }
      if (b > e) continue;
      const std::string& p = o.str();
      bool hit = name == "startswith" ? sub.compare(0, p.size(), p) == 0 && sub.size() >= p.size()
                                      : sub.size() >= p.size() &&
                                            sub.compare(sub.size() - p.size(), p.size(), p) == 0;
      if (hit) return Value::boolean(true);
    }
    return Value::boolean(false);
  }
  if (name == "split" || name == "rsplit") {
    Args a = args.bind(name, {"sep", "maxsplit"});
    int64_t maxsplit = a[1] ? a[1]->as_int() : -1;
    bool right = name == "rsplit";
    if (!a[0] || a[0]->is_none()) return Value::list(split_ws(utf8_decode(s), maxsplit, right));
    return Value::list(split_sep(s, need_str(a[0], name.c_str()), maxsplit, right));
  }
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    Args a = args.bind(name, {"chars"});
    std::u32string chars;
    bool has = a[0] && !a[0]->is_none();
    if (has) chars = utf8_decode(need_str(a[0], name.c_str()));
    return Value::string(py_strip(s, has ? &chars : nullptr, name != "rstrip", name != "lstrip"));
  }
  if (name == "upper" || name == "lower" || name == "title" || name == "capitalize" ||
      name == "swapcase" || name == "casefold") {
    args.bind(name, {});
    if (name == "upper") return Value::string(py_upper(s));
    if (name == "lower" || name == "casefold") return Value::string(py_lower(s));
    if (name == "title") return Value::string(py_title(s));
    if (name == "capitalize") return Value::string(py_capitalize(s));
    std::string out;
    for (char32_t c : utf8_decode(s))
      utf8_append(out, is_cased_upper(c) ? to_lower(c) : to_upper(c));
    return Value::string(std::move(out));
  }
  if (name == "replace") {
    Args a = args.bind(name, {"old", "new", "count"});
    int64_t count = a[2] ? a[2]->as_int() : -1;
    return Value::string(py_replace(s, need_str(a[0], "replace"), need_str(a[1], "replace"), count,
                                    in.limits().max_output_bytes));
  }
  if (name == "find" || name == "rfind" || name == "index" || name == "rindex" || name == "count") {
    Args a = args.bind(name, {"sub", "start", "end"});
    std::u32string u = utf8_decode(s);
    std::u32string sub = utf8_decode(need_str(a[0], name.c_str()));
    int64_t b, e;
    bounds(a, 1, static_cast<int64_t>(u.size()), b, e);
    if (name == "count") {
      if (b > e) return Value::integer(0);
      if (sub.empty()) return Value::integer(e - b + 1);
      int64_t n = 0;
      for (int64_t i = b; i + static_cast<int64_t>(sub.size()) <= e;) {
        if (u.compare(i, sub.size(), sub) == 0) {
          ++n;
          i += static_cast<int64_t>(sub.size());
        } else {
          ++i;
        }
      }
      return Value::integer(n);
    }
    int64_t found = -1;
    if (b <= e) {
      std::u32string_view hay = std::u32string_view(u).substr(b, e - b);
      size_t p = (name[0] == 'r') ? hay.rfind(sub) : hay.find(sub);
      if (p != std::u32string_view::npos) found = b + static_cast<int64_t>(p);
    }
    if (found < 0 && (name == "index" || name == "rindex")) throw EvalError("substring not found");
    return Value::integer(found);
  }
  if (name == "join") {
    Args a = args.bind(name, {"iterable"});
    if (!a[0]) throw EvalError("join() takes exactly one argument (0 given)");
    std::string out;
    std::vector<Value> items = iterate(*a[0]);
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_string()) {
        throw EvalError(std::string("sequence item ") + std::to_string(i) +
                        std::string(": expected str instance, ") + type_name(items[i]) + " found");
      }
      if (i) out += s;
      out += items[i].str();
      if (out.size() > in.limits().max_output_bytes) throw EvalError("join result too large");
    }
    return Value::string(std::move(out));
  }
  if (name == "format") return Value::string(py_format(s, args));
  if (name == "splitlines") {
    Args a = args.bind(name, {"keepends"});
    if (a[0] && truthy(*a[0])) throw EvalError("splitlines(keepends=True) is not supported");
    std::vector<Value> out;
    for (auto& line : py_splitlines(s)) out.push_back(Value::string(std::move(line)));
    return Value::list(std::move(out));
  }
  if (name == "partition" || name == "rpartition") {
    Args a = args.bind(name, {"sep"});
    const std::string& sep = need_str(a[0], name.c_str());
    if (sep.empty()) throw EvalError("empty separator");
    size_t p = name == "partition" ? s.find(sep) : s.rfind(sep);
    if (p == std::string::npos) {
      return name == "partition"
                 ? Value::tuple({Value::string(s), Value::string(""), Value::string("")})
                 : Value::tuple({Value::string(""), Value::string(""), Value::string(s)});
    }
    return Value::tuple({Value::string(s.substr(0, p)), Value::string(sep),
                         Value::string(s.substr(p + sep.size()))});
  }
  if (name == "removeprefix" || name == "removesuffix") {
    Args a = args.bind(name, {"fix"});
    const std::string& fix = need_str(a[0], name.c_str());
    if (name == "removeprefix" && s.compare(0, fix.size(), fix) == 0 && s.size() >= fix.size()) {
      return Value::string(s.substr(fix.size()));
    }
    if (name == "removesuffix" && !fix.empty() && s.size() >= fix.size() &&
        s.compare(s.size() - fix.size(), fix.size(), fix) == 0) {
      return Value::string(s.substr(0, s.size() - fix.size()));
    }
    return Value::string(s);
  }
  if (name.rfind("is", 0) == 0) {
    args.bind(name, {});
    std::u32string u = utf8_decode(s);
    if (name == "isascii") {
      return Value::boolean(std::all_of(u.begin(), u.end(), [](char32_t c) { return c < 0x80; }));
    }
    if (u.empty()) return Value::boolean(false);
    auto all = [&](auto pred) { return Value::boolean(std::all_of(u.begin(), u.end(), pred)); };
    if (name == "isdigit" || name == "isdecimal" || name == "isnumeric") return all(is_decimal);
    if (name == "isalpha") return all(is_alpha);
    if (name == "isalnum") return all([](char32_t c) { return is_alpha(c) || is_decimal(c); });
    if (name == "isspace") return all(py_isspace);
    if (name == "islower" || name == "isupper") {
      bool lower = name == "islower";
      bool cased = false;
      for (char32_t c : u) {
        if (lower ? is_cased_upper(c) : is_cased_lower(c)) return Value::boolean(false);
        cased |= lower ? is_cased_lower(c) : is_cased_upper(c);
      }
      return Value::boolean(cased);
    }
  }
  if (name == "center" || name == "ljust" || name == "rjust" || name == "zfill") {
    Args a = name == "zfill" ? args.bind(name, {"width"}) : args.bind(name, {"width", "fillchar"});
    if (!a[0] || !a[0]->is_integral()) throw EvalError(name + "() needs an integer width");
    std::u32string u = utf8_decode(s);
    int64_t width = std::min<int64_t>(a[0]->as_int(), 1 << 20);
    int64_t pad = width - static_cast<int64_t>(u.size());
    if (pad <= 0) return Value::string(s);
    std::string fill = name == "zfill"          ? "0"
                       : (a.size() > 1 && a[1]) ? need_str(a[1], name.c_str())
                                                : " ";
    if (utf8_length(fill) != 1)
      throw EvalError("The fill character must be exactly one character long");
    auto rep = [&](int64_t n) {
      std::string r;
      for (int64_t i = 0; i < n; ++i) r += fill;
      return r;
    };
    if (name == "ljust") return Value::string(s + rep(pad));
    if (name == "rjust") return Value::string(rep(pad) + s);
    if (name == "zfill") {
      if (!s.empty() && (s[0] == '+' || s[0] == '-'))
        return Value::string(s.substr(0, 1) + rep(pad) + s.substr(1));
      return Value::string(rep(pad) + s);
    }
    int64_t left = pad / 2 + (pad & width & 1);
    return Value::string(rep(left) + s + rep(pad - left));
  }
  throw EvalError("str." + name + "() is not supported");
}

bool markup_wrapped(const std::string& name) {
  static const char* kWrapped[] = {
      "capitalize", "title",      "lower",     "upper",     "replace", "ljust",
      "rjust",      "lstrip",     "rstrip",    "center",    "strip",   "zfill",
      "swapcase",   "expandtabs", "translate", "join",      "format",  "split",
      "rsplit",     "splitlines", "partition", "rpartition"};
  return std::any_of(std::begin(kWrapped), std::end(kWrapped),
                     [&](const char* n) { return name == n; });
}

Value mark_safe(const Value& v) {
  if (v.is_string()) return Value::string(v.str(), true);
  if (v.is_list() || v.is_tuple()) {
    std::vector<Value> items;
    for (const Value& x : v.items()) items.push_back(mark_safe(x));
    return v.is_tuple() ? Value::tuple(std::move(items)) : Value::list(std::move(items));
  }
  return v;
}

Value escape_arg(const Value& v) {
  if (v.is_string() && !v.is_safe()) return Value::string(html_escape(v.str()), true);
  if (v.is_list() || v.is_tuple()) {
    std::vector<Value> items;
    for (const Value& x : v.items()) items.push_back(escape_arg(x));
    return v.is_tuple() ? Value::tuple(std::move(items)) : Value::list(std::move(items));
  }
  return v;
}

}  // namespace

Value str_method(Interpreter& in, const Value& self, const std::string& name, CallArgs& args) {
  if (!self.is_safe() || !markup_wrapped(name)) return call_plain(in, self.str(), name, args);
  CallArgs escaped;
  for (const Value& v : args.positional) escaped.positional.push_back(escape_arg(v));
  for (const auto& [k, v] : args.keyword) escaped.keyword.emplace_back(k, escape_arg(v));
  return mark_safe(call_plain(in, self.str(), name, escaped));
}

}  // namespace jinja
