#include "jinja/value.h"

#include <cmath>
#include <stdexcept>

#include "jinja/error.h"

namespace jinja {

thread_local int DepthGuard::depth_ = 0;
thread_local RenderBudget::State RenderBudget::state_;

RenderBudget::RenderBudget(int64_t max_value_walk, int64_t max_string_bytes) : saved_(state_) {
  state_ = {.active = true,
            .walk_left = max_value_walk,
            .walk_limit = max_value_walk,
            .bytes_left = max_string_bytes,
            .bytes_limit = max_string_bytes};
}

RenderBudget::~RenderBudget() {
  state_ = saved_;
}

void RenderBudget::charge_walk() {
  if (state_.active && --state_.walk_left < 0) {
    throw EvalError(
        "values walked by tojson, string conversions and comparisons exceeded the "
        "limit of " +
        std::to_string(state_.walk_limit) + " (a value whose parts repeat is too large)");
  }
}

void RenderBudget::charge_string(size_t bytes) {
  if (!state_.active) return;
  state_.bytes_left -= static_cast<int64_t>(bytes);
  if (state_.bytes_left < 0) {
    throw EvalError("strings built by the template exceeded the limit of " +
                    std::to_string(state_.bytes_limit) +
                    " bytes (a string grown a piece at a time in a loop is copied each time)");
  }
}

DepthGuard::DepthGuard() {
  RenderBudget::charge_walk();
  if (++depth_ > kMaxValueDepth) {
    --depth_;
    throw EvalError(std::string("value nested deeper than ") + std::to_string(kMaxValueDepth) +
                    " levels");
  }
}

Value Value::undefined(std::string message, bool unsafe) {
  Value v(Kind::kUndefined);
  auto info = std::make_shared<UndefinedInfo>();
  info->message = std::move(message);
  info->unsafe = unsafe;
  v.ptr_ = std::move(info);
  return v;
}

Value Value::boolean(bool b) {
  Value v(Kind::kBool);
  v.int_ = b ? 1 : 0;
  return v;
}

Value Value::integer(int64_t i) {
  Value v(Kind::kInt);
  v.int_ = i;
  return v;
}

Value Value::floating(double d) {
  Value v(Kind::kFloat);
  v.float_ = d;
  return v;
}

Value Value::string(std::string s, bool safe) {
  RenderBudget::charge_string(s.size());
  Value v(Kind::kString);
  v.ptr_ = std::make_shared<std::string>(std::move(s));
  v.safe_ = safe;
  return v;
}

Value Value::list(std::vector<Value> items) {
  Value v(Kind::kList);
  auto data = std::make_shared<ListData>();
  data->items = std::move(items);
  v.ptr_ = std::move(data);
  return v;
}

Value Value::tuple(std::vector<Value> items) {
  Value v = list(std::move(items));
  v.kind_ = Kind::kTuple;
  return v;
}

Value Value::dict(std::shared_ptr<DictData> d) {
  Value v(Kind::kDict);
  v.ptr_ = std::move(d);
  return v;
}

Value Value::dict() {
  return dict(std::make_shared<DictData>());
}

Value Value::name_space(std::shared_ptr<Namespace> ns) {
  Value v(Kind::kNamespace);
  v.ptr_ = std::move(ns);
  return v;
}

Value Value::callable(std::shared_ptr<Callable> c) {
  Value v(Kind::kCallable);
  v.ptr_ = std::move(c);
  return v;
}

Value Value::loop(std::shared_ptr<LoopState> l) {
  Value v(Kind::kLoop);
  v.ptr_ = std::move(l);
  return v;
}

Value Value::from_json(const nlohmann::ordered_json& j) {
  DepthGuard guard;
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null:
      return none();
    case nlohmann::ordered_json::value_t::boolean:
      return boolean(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer:
      return integer(j.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) {
        throw EvalError(std::string("integer ") + std::to_string(u) +
                        " in the context is larger than 2^63-1");
      }
      return integer(static_cast<int64_t>(u));
    }
    case nlohmann::ordered_json::value_t::number_float:
      return floating(j.get<double>());
    case nlohmann::ordered_json::value_t::string:
      return string(j.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
      std::vector<Value> items;
      items.reserve(j.size());
      for (const auto& e : j) items.push_back(from_json(e));
      return list(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
      auto d = std::make_shared<DictData>();
      for (auto it = j.begin(); it != j.end(); ++it)
        d->set(string(it.key()), from_json(it.value()));
      return dict(std::move(d));
    }
    default:
      throw EvalError("unsupported JSON value (binary or discarded) in the context");
  }
}

const UndefinedInfo& Value::undefined_info() const {
  static const UndefinedInfo kPlain{"undefined value", false};
  return ptr_ ? *static_cast<UndefinedInfo*>(ptr_.get()) : kPlain;
}

const std::vector<Value>& Value::items() const {
  return list_data().items;
}

const void* Value::identity() const {
  return ptr_.get();
}

size_t KeyHash::operator()(const Value& v) const {
  switch (v.kind()) {
    case Kind::kNone:
      return 0x9e3779b9u;
    case Kind::kBool:
    case Kind::kInt:
      return std::hash<int64_t>()(v.as_int());
    case Kind::kFloat: {
      double d = v.as_double();
      // Equal numbers hash alike: 1.0 like 1.
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18) {
        return std::hash<int64_t>()(static_cast<int64_t>(d));
      }
      return std::hash<double>()(d);
    }
    case Kind::kString:
      return std::hash<std::string>()(v.str());
    case Kind::kTuple: {
      DepthGuard guard;
      size_t h = 0x345678;
      for (const Value& e : v.items()) h = h * 1000003 ^ (*this)(e);
      return h;
    }
    default:
      return 0;
  }
}

bool KeyEq::operator()(const Value& a, const Value& b) const {
  return py_equal(a, b);
}

bool hashable(const Value& v) {
  switch (v.kind()) {
    case Kind::kNone:
    case Kind::kBool:
    case Kind::kInt:
    case Kind::kFloat:
    case Kind::kString:
      return true;
    case Kind::kTuple:
      for (const Value& e : v.items()) {
        if (!hashable(e)) return false;
      }
      return true;
    default:
      return false;
  }
}

const Value* DictData::find(const Value& key) const {
  if (!hashable(key)) return nullptr;
  auto it = index.find(key);
  return it == index.end() ? nullptr : &entries[it->second].second;
}

void DictData::set(const Value& key, Value value) {
  if (!hashable(key)) {
    throw EvalError(std::string("unhashable type: '") + type_name(key) + "'");
  }
  auto it = index.find(key);
  if (it != index.end()) {
    entries[it->second].second = std::move(value);
    return;
  }
  index.emplace(key, entries.size());
  entries.emplace_back(key, std::move(value));
}

const Value* Namespace::find(std::string_view name) const {
  for (const auto& [k, v] : attrs) {
    if (k == name) return &v;
  }
  return nullptr;
}

void Namespace::set(const std::string& name, Value value) {
  for (auto& [k, v] : attrs) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  attrs.emplace_back(name, std::move(value));
}

bool truthy(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined:
    case Kind::kNone:
      return false;
    case Kind::kBool:
    case Kind::kInt:
      return v.as_int() != 0;
    case Kind::kFloat:
      return v.as_double() != 0.0;
    case Kind::kString:
      return !v.str().empty();
    case Kind::kList:
    case Kind::kTuple:
      return !v.items().empty();
    case Kind::kDict:
      return v.dict_data().size() != 0;
    default:
      return true;
  }
}

bool py_equal(const Value& a, const Value& b) {
  DepthGuard guard;
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_double() == b.as_double();
    return a.as_int() == b.as_int();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::kUndefined:
    case Kind::kNone:
      return true;
    case Kind::kString:
      return a.str() == b.str();
    case Kind::kList:
    case Kind::kTuple: {
      const auto& x = a.items();
      const auto& y = b.items();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!py_equal(x[i], y[i])) return false;
      }
      return true;
    }
    case Kind::kDict: {
      const DictData& x = a.dict_data();
      const DictData& y = b.dict_data();
      if (x.size() != y.size()) return false;
      for (const auto& [k, v] : x.entries) {
        const Value* other = y.find(k);
        if (!other || !py_equal(v, *other)) return false;
      }
      return true;
    }
    default:
      return a.identity() == b.identity();
  }
}

const char* type_name(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined:
      return "Undefined";
    case Kind::kNone:
      return "NoneType";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float";
    case Kind::kString:
      return v.is_safe() ? "Markup" : "str";
    case Kind::kList:
      return "list";
    case Kind::kTuple:
      return "tuple";
    case Kind::kDict:
      return "dict";
    case Kind::kNamespace:
      return "Namespace";
    case Kind::kCallable:
      return "function";
    case Kind::kLoop:
      return "LoopContext";
  }
  return "object";
}

}  // namespace jinja
