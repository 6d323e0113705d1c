// Python's operators on template values, with the sandbox's lookup rules. Errors are thrown as
// EvalError with Python's message ("can only concatenate str (not \"int\") to str").
#pragma once

#include <string>
#include <vector>

#include "jinja/ast.h"
#include "jinja/value.h"

namespace jinja {

// Throws the UndefinedError (or SecurityError) that using this undefined value raises.
[[noreturn]] void raise_undefined(const Value& v);

// a op b. `max_bytes` bounds strings and lists that `*` and `+` build.
Value binary_op(BinOp op, const Value& a, const Value& b, size_t max_bytes);
Value negate(const Value& v);
Value positive(const Value& v);
// a op b for ==, !=, <, <=, >, >=, in, not in.
bool compare(CmpOp op, const Value& a, const Value& b);
// Python's `<` for sorting and min/max (TypeError across types).
bool less_than(const Value& a, const Value& b);
bool contains(const Value& container, const Value& item);

// Iterating a value as `for` does: list items, dict keys, str characters; Undefined is empty.
std::vector<Value> iterate(const Value& v);
// len(v); throws TypeError for values without a length.
int64_t length(const Value& v);

// obj.name and obj[key] as SandboxedEnvironment.getattr / getitem do.
Value get_attr(const Value& obj, const std::string& name);
Value get_item(const Value& obj, const Value& key);
// obj[start:stop:step] (each may be None/undefined).
Value get_slice(const Value& obj, const Value& start, const Value& stop, const Value& step);

// Unpacks an item into `n` values for `for a, b in ...` and `set a, b = ...`.
std::vector<Value> unpack(const Value& v, size_t n);

// Python's printf-style `str % args`.
std::string percent_format(const std::string& fmt, const Value& args);

// "'dict object'" as Jinja2 names types in its undefined messages.
std::string object_type_repr(const Value& v);

}  // namespace jinja
