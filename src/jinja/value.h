// Template values with Python's semantics: what Jinja2 templates see when Hugging Face renders a
// chat template (None, bool, int, float, str, list, tuple, dict, Jinja's Undefined, namespace(),
// macros and bound methods such as `'a b'.split`).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace jinja {

class Value;
struct ListData;
struct DictData;
struct Namespace;
struct Callable;
struct LoopState;

enum class Kind {
  kUndefined,
  kNone,
  kBool,
  kInt,
  kFloat,
  kString,
  kList,
  kTuple,
  kDict,
  kNamespace,
  kCallable,  // macros, global functions, bound methods, loop.cycle
  kLoop,      // the `loop` variable of a for loop
};

// Why a value is undefined, for the message raised when it is used ("'x' is undefined",
// "'dict object' has no attribute 'y'"). `unsafe` marks the sandbox's refusals (list.append):
// those raise only when called, as in Jinja2's ImmutableSandboxedEnvironment.
struct UndefinedInfo {
  std::string message;
  bool unsafe = false;
};

class Value {
 public:
  Value() : kind_(Kind::kUndefined) {}
  static Value undefined(std::string message, bool unsafe = false);
  static Value none() { return Value(Kind::kNone); }
  static Value boolean(bool b);
  static Value integer(int64_t i);
  static Value floating(double d);
  static Value string(std::string s, bool safe = false);
  static Value list(std::vector<Value> items);
  static Value tuple(std::vector<Value> items);
  static Value dict(std::shared_ptr<DictData> d);
  static Value dict();
  static Value name_space(std::shared_ptr<Namespace> ns);
  static Value callable(std::shared_ptr<Callable> c);
  static Value loop(std::shared_ptr<LoopState> l);
  // JSON from the request: objects keep their key order (ordered_json).
  static Value from_json(const nlohmann::ordered_json& j);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::kUndefined; }
  bool is_none() const { return kind_ == Kind::kNone; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_int() const { return kind_ == Kind::kInt; }
  bool is_float() const { return kind_ == Kind::kFloat; }
  // Python's numbers.Number: bool is an int.
  bool is_number() const { return is_bool() || is_int() || is_float(); }
  bool is_integral() const { return is_bool() || is_int(); }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_list() const { return kind_ == Kind::kList; }
  bool is_tuple() const { return kind_ == Kind::kTuple; }
  bool is_sequence_like() const { return is_list() || is_tuple(); }
  bool is_dict() const { return kind_ == Kind::kDict; }
  bool is_namespace() const { return kind_ == Kind::kNamespace; }
  bool is_callable() const { return kind_ == Kind::kCallable; }
  bool is_loop() const { return kind_ == Kind::kLoop; }

  bool as_bool() const { return int_ != 0; }
  // bool and int as a Python int.
  int64_t as_int() const { return int_; }
  // Any number as a Python float.
  double as_double() const { return is_float() ? float_ : static_cast<double>(int_); }
  const std::string& str() const { return *static_cast<const std::string*>(ptr_.get()); }
  // markupsafe.Markup (from |safe, |escape): `+` with a plain str escapes the str.
  bool is_safe() const { return safe_; }
  const UndefinedInfo& undefined_info() const;
  ListData& list_data() const { return *static_cast<ListData*>(ptr_.get()); }
  const std::vector<Value>& items() const;
  DictData& dict_data() const { return *static_cast<DictData*>(ptr_.get()); }
  std::shared_ptr<DictData> dict_ptr() const { return std::static_pointer_cast<DictData>(ptr_); }
  Namespace& name_space_data() const { return *static_cast<Namespace*>(ptr_.get()); }
  std::shared_ptr<Callable> callable_ptr() const {
    return std::static_pointer_cast<Callable>(ptr_);
  }
  std::shared_ptr<LoopState> loop_ptr() const { return std::static_pointer_cast<LoopState>(ptr_); }
  // Identity, for `is sameas` and the loop's `changed`.
  const void* identity() const;

 private:
  explicit Value(Kind k) : kind_(k) {}

  Kind kind_;
  bool safe_ = false;
  int64_t int_ = 0;   // bool, int
  double float_ = 0;  // float
  // The payload of the other kinds, by kind: std::string, UndefinedInfo, ListData (list and
  // tuple; a tuple is never mutated), DictData, Namespace, Callable, LoopState.
  std::shared_ptr<void> ptr_;
};

// Python lists are shared and mutable (`list.pop` is allowed by the immutable sandbox).
struct ListData {
  std::vector<Value> items;
};

// Hash and equality of dict keys with Python's rules: 1, 1.0 and True are the same key.
struct KeyHash {
  size_t operator()(const Value& v) const;
};
struct KeyEq {
  bool operator()(const Value& a, const Value& b) const;
};

// An insertion-ordered dict.
struct DictData {
  std::vector<std::pair<Value, Value>> entries;
  std::unordered_map<Value, size_t, KeyHash, KeyEq> index;

  const Value* find(const Value& key) const;
  // Inserts or overwrites, keeping the first insertion's position as Python does. Throws
  // std::invalid_argument for an unhashable key.
  void set(const Value& key, Value value);
  size_t size() const { return entries.size(); }
};

// jinja2.utils.Namespace: a mutable attribute bag shared by reference.
struct Namespace {
  std::vector<std::pair<std::string, Value>> attrs;
  const Value* find(std::string_view name) const;
  void set(const std::string& name, Value value);
};

class CallArgs;
class Interpreter;

// Something a template can call: a macro, a global function, a bound method.
struct Callable {
  std::string name;  // for messages and repr
  std::function<Value(Interpreter&, CallArgs&)> call;
};

// The state behind `loop`: the materialized items and the position in them.
struct LoopState {
  std::vector<Value> items;
  size_t index0 = 0;
  size_t depth0 = 0;
  Value last_changed;  // what loop.changed() last saw
  bool changed_called = false;
};

// Caps two costs of one render on this thread while it lives: the values walked (DepthGuards
// constructed) and the bytes of all strings built. Size checks alone bound neither: values share
// their parts, so a small value can stand for an exponential tree (a dict holding the same dict
// twice, doubled in a loop), and a string grown a piece at a time in a loop costs the square of
// its length in copies. Exceeding one throws EvalError.
class RenderBudget {
 public:
  RenderBudget(int64_t max_value_walk, int64_t max_string_bytes);
  ~RenderBudget();
  RenderBudget(const RenderBudget&) = delete;
  RenderBudget& operator=(const RenderBudget&) = delete;

  static void charge_walk();
  static void charge_string(size_t bytes);

 private:
  struct State {
    bool active = false;
    int64_t walk_left = 0, walk_limit = 0;
    int64_t bytes_left = 0, bytes_limit = 0;
  };
  static thread_local State state_;
  State saved_;
};

// Bounds the recursion of functions that walk nested values (repr, tojson, ==, from_json): the
// values come from untrusted requests and templates. Each guard is one walk of RenderBudget.
constexpr int kMaxValueDepth = 512;
class DepthGuard {
 public:
  DepthGuard();
  ~DepthGuard() { --depth_; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;

 private:
  static thread_local int depth_;
};

// Python truthiness (Undefined is falsy).
bool truthy(const Value& v);
// Python's ==, deep for containers.
bool py_equal(const Value& a, const Value& b);
// Python's type name of a value: 'int', 'str', 'dict', 'NoneType', 'Undefined' ...
const char* type_name(const Value& v);
// Whether a value can be a dict key (str, numbers, None, tuples of those).
bool hashable(const Value& v);

}  // namespace jinja
