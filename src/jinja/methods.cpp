// Python methods that templates call on str, list and dict (`content.split('</think>')`,
// `message.get('x')`), the attributes of `loop`, and the globals range, dict and namespace.
// The immutable sandbox refuses list.append, dict.update and the like: those come back as an
// unsafe Undefined that raises when called.
#include <algorithm>
#include <string_view>

#include "jinja/builtins.h"
#include "jinja/error.h"
#include "jinja/filters_util.h"
#include "jinja/interpreter.h"
#include "jinja/methods_str.h"
#include "jinja/ops.h"
#include "jinja/pystr.h"

namespace jinja {

namespace {

constexpr std::string_view kStrMethods[] = {
    "capitalize",   "casefold",    "center",    "count",      "encode",       "endswith",
    "expandtabs",   "find",        "format",    "format_map", "index",        "isalnum",
    "isalpha",      "isascii",     "isdecimal", "isdigit",    "isidentifier", "islower",
    "isnumeric",    "isprintable", "isspace",   "istitle",    "isupper",      "join",
    "ljust",        "lower",       "lstrip",    "maketrans",  "partition",    "removeprefix",
    "removesuffix", "replace",     "rfind",     "rindex",     "rjust",        "rpartition",
    "rsplit",       "rstrip",      "split",     "splitlines", "startswith",   "strip",
    "swapcase",     "title",       "translate", "upper",      "zfill"};
constexpr std::string_view kListMethods[] = {"append", "clear",   "copy",   "count",
                                             "extend", "index",   "insert", "pop",
                                             "remove", "reverse", "sort"};
constexpr std::string_view kListUnsafe[] = {"append", "reverse", "insert",
                                            "sort",   "extend",  "remove"};
constexpr std::string_view kDictMethods[] = {"clear",      "copy",   "fromkeys", "get",
                                             "items",      "keys",   "pop",      "popitem",
                                             "setdefault", "update", "values"};
constexpr std::string_view kDictUnsafe[] = {"clear", "pop", "popitem", "setdefault", "update"};

template <size_t N>
bool listed(const std::string_view (&names)[N], std::string_view n) {
  return std::find(std::begin(names), std::end(names), n) != std::end(names);
}

Value bound(const Value& receiver, const std::string& name,
            Value (*impl)(Interpreter&, const Value&, const std::string&, CallArgs&)) {
  auto c = std::make_shared<Callable>();
  c->name = "built-in method " + name + std::string(" of ") + type_name(receiver) + " object";
  c->call = [receiver, name, impl](Interpreter& in, CallArgs& args) {
    return impl(in, receiver, name, args);
  };
  return Value::callable(std::move(c));
}

Value unsafe(const Value& obj, const std::string& name) {
  return Value::undefined("access to attribute '" + name + std::string("' of '") + type_name(obj) +
                              "' object is unsafe.",
                          true);
}

Value list_method(Interpreter&, const Value& self, const std::string& name, CallArgs& args) {
  std::vector<Value>& items = self.list_data().items;
  if (name == "count") {
    auto a = args.bind("count", {"value"});
    if (!a[0]) throw EvalError("count() takes exactly one argument (0 given)");
    return Value::integer(std::count_if(items.begin(), items.end(),
                                        [&](const Value& x) { return py_equal(x, *a[0]); }));
  }
  if (name == "index") {
    auto a = args.bind("index", {"value"});
    if (!a[0]) throw EvalError("index expected at least 1 argument, got 0");
    for (size_t i = 0; i < items.size(); ++i) {
      if (py_equal(items[i], *a[0])) return Value::integer(static_cast<int64_t>(i));
    }
    throw EvalError(py_repr(*a[0]) + std::string(" is not in ") + type_name(self));
  }
  if (name == "copy" && self.is_list()) {
    args.bind("copy", {});
    return Value::list(items);
  }
  if (name == "pop" && self.is_list()) {
    auto a = args.bind("pop", {"index"});
    if (items.empty()) throw EvalError("pop from empty list");
    int64_t i = a[0] ? a[0]->as_int() : -1;
    int64_t n = static_cast<int64_t>(items.size());
    if (i < 0) i += n;
    if (i < 0 || i >= n) throw EvalError("pop index out of range");
    Value v = items[static_cast<size_t>(i)];
    items.erase(items.begin() + i);
    return v;
  }
  if (name == "clear" && self.is_list()) {
    args.bind("clear", {});
    items.clear();
    return Value::none();
  }
  throw EvalError(std::string(type_name(self)) + "." + name + "() is not supported");
}

Value dict_method(Interpreter&, const Value& self, const std::string& name, CallArgs& args) {
  const DictData& d = self.dict_data();
  if (name == "get") {
    auto a = args.bind("get", {"key", "default"});
    if (!a[0]) throw EvalError("get expected at least 1 argument, got 0");
    if (!hashable(*a[0]))
      throw EvalError(std::string("unhashable type: '") + type_name(*a[0]) + "'");
    if (const Value* v = d.find(*a[0])) return *v;
    return a[1] ? *a[1] : Value::none();
  }
  if (name == "items" || name == "keys" || name == "values") {
    args.bind(name, {});
    std::vector<Value> out;
    for (const auto& [k, v] : d.entries) {
      out.push_back(name == "items" ? Value::tuple({k, v}) : name == "keys" ? k : v);
    }
    return Value::list(std::move(out));
  }
  if (name == "copy") {
    args.bind("copy", {});
    return Value::dict(std::make_shared<DictData>(d));
  }
  throw EvalError("dict." + name + "() is not supported");
}

Value loop_cycle(Interpreter&, const Value& self, const std::string&, CallArgs& args) {
  if (!args.keyword.empty()) throw EvalError("cycle() takes no keyword arguments");
  if (args.positional.empty()) throw EvalError("no items for cycling given");
  const LoopState& l = *self.loop_ptr();
  return args.positional[l.index0 % args.positional.size()];
}

Value loop_changed(Interpreter&, const Value& self, const std::string&, CallArgs& args) {
  LoopState& l = *self.loop_ptr();
  Value now = Value::tuple(args.positional);
  bool changed = !l.changed_called || !py_equal(now, l.last_changed);
  l.last_changed = now;
  l.changed_called = true;
  return Value::boolean(changed);
}

std::optional<Value> loop_attribute(const Value& obj, const std::string& name) {
  const LoopState& l = *obj.loop_ptr();
  int64_t n = static_cast<int64_t>(l.items.size());
  int64_t i = static_cast<int64_t>(l.index0);
  if (name == "index") return Value::integer(i + 1);
  if (name == "index0") return Value::integer(i);
  if (name == "revindex") return Value::integer(n - i);
  if (name == "revindex0") return Value::integer(n - i - 1);
  if (name == "first") return Value::boolean(i == 0);
  if (name == "last") return Value::boolean(i == n - 1);
  if (name == "length") return Value::integer(n);
  if (name == "depth") return Value::integer(static_cast<int64_t>(l.depth0) + 1);
  if (name == "depth0") return Value::integer(static_cast<int64_t>(l.depth0));
  if (name == "previtem") {
    if (i == 0) return Value::undefined("there is no previous item");
    return l.items[static_cast<size_t>(i - 1)];
  }
  if (name == "nextitem") {
    if (i + 1 >= n) return Value::undefined("there is no next item");
    return l.items[static_cast<size_t>(i + 1)];
  }
  if (name == "cycle") return bound(obj, name, loop_cycle);
  if (name == "changed") return bound(obj, name, loop_changed);
  return std::nullopt;
}

}  // namespace

std::optional<Value> find_method(const Value& obj, const std::string& name) {
  switch (obj.kind()) {
    case Kind::kString:
      if (listed(kStrMethods, name)) return bound(obj, name, str_method);
      return std::nullopt;
    case Kind::kList:
      if (listed(kListUnsafe, name)) return unsafe(obj, name);
      if (listed(kListMethods, name)) return bound(obj, name, list_method);
      return std::nullopt;
    case Kind::kTuple:
      if (name == "count" || name == "index") return bound(obj, name, list_method);
      return std::nullopt;
    case Kind::kDict:
      if (listed(kDictUnsafe, name)) return unsafe(obj, name);
      if (listed(kDictMethods, name)) return bound(obj, name, dict_method);
      return std::nullopt;
    case Kind::kLoop:
      return loop_attribute(obj, name);
    default:
      return std::nullopt;
  }
}

namespace {

Value g_range(Interpreter& in, CallArgs& args) {
  if (!args.keyword.empty()) throw EvalError("range() takes no keyword arguments");
  std::vector<int64_t> p;
  for (const Value& v : args.positional) {
    if (!v.is_integral()) {
      throw EvalError(std::string("'") + type_name(v) +
                      "' object cannot be interpreted as an integer");
    }
    p.push_back(v.as_int());
  }
  if (p.empty() || p.size() > 3) throw EvalError("range expected 1 to 3 arguments");
  int64_t start = p.size() == 1 ? 0 : p[0];
  int64_t stop = p.size() == 1 ? p[0] : p[1];
  int64_t step = p.size() == 3 ? p[2] : 1;
  if (step == 0) throw EvalError("range() arg 3 must not be zero");
  std::vector<Value> out;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (out.size() >= 100000) {
      throw EvalError("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
    }
    out.push_back(Value::integer(i));
  }
  in.count_iterations(static_cast<int64_t>(out.size()));
  return Value::list(std::move(out));
}

Value g_dict(Interpreter&, CallArgs& args) {
  auto d = std::make_shared<DictData>();
  if (args.positional.size() > 1) throw EvalError("dict expected at most 1 argument");
  if (!args.positional.empty()) {
    const Value& src = args.positional[0];
    if (src.is_dict()) {
      *d = src.dict_data();
    } else {
      for (const Value& pair : iterate(src)) {
        std::vector<Value> kv = unpack(pair, 2);
        d->set(kv[0], kv[1]);
      }
    }
  }
  for (const auto& [k, v] : args.keyword) d->set(Value::string(k), v);
  return Value::dict(std::move(d));
}

Value g_namespace(Interpreter& in, CallArgs& args) {
  Value init = g_dict(in, args);
  auto ns = in.new_namespace();
  for (const auto& [k, v] : init.dict_data().entries) {
    if (!k.is_string()) throw EvalError("namespace attribute names must be strings");
    ns->set(k.str(), v);
  }
  return Value::name_space(std::move(ns));
}

Value make_global(const char* name, Value (*fn)(Interpreter&, CallArgs&)) {
  auto c = std::make_shared<Callable>();
  c->name = std::string("function ") + name;
  c->call = fn;
  return Value::callable(std::move(c));
}

}  // namespace

std::optional<Value> find_global(std::string_view name) {
  static const Value kRange = make_global("range", g_range);
  static const Value kDict = make_global("dict", g_dict);
  static const Value kNamespace = make_global("namespace", g_namespace);
  if (name == "range") return kRange;
  if (name == "dict") return kDict;
  if (name == "namespace") return kNamespace;
  return std::nullopt;
}

}  // namespace jinja
