// Helpers shared by the filters and methods: Python's number parsing, rounding, case and
// replace on str, sorting with a key, attribute paths ("a.b.0"), and the filters that call other
// filters or tests (map, select, reject, selectattr, rejectattr).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "jinja/builtins.h"
#include "jinja/value.h"

namespace jinja {

class Interpreter;

// item.a.b as Jinja's make_attrgetter does (each part through getitem; digits are indexes).
Value get_attribute_path(Interpreter& in, const Value& item, const Value& attribute);
// Lowercases a str for case-insensitive comparison; other values unchanged.
Value ignore_case(const Value& v);
// Python's sorted(items, key=key, reverse=reverse): stable both ways.
void sort_values(std::vector<Value>& items, bool reverse,
                 const std::function<Value(const Value&)>& key);

std::string py_capitalize(const std::string& s);
std::string py_replace(const std::string& s, const std::string& old, const std::string& repl,
                       int64_t count, size_t max_bytes);
// int(s, base) of Python; nullopt when Python raises ValueError.
std::optional<int64_t> parse_py_int(const std::string& s, int base);
// float(x) of Python for numbers and str; nullopt when Python raises.
std::optional<double> to_py_float(const Value& v);
// int(d) of Python: nullopt for NaN (ValueError); throws EvalError for inf or past 64 bits.
std::optional<int64_t> float_to_int_opt(double d);
int64_t float_to_int(double d);
// round(x, ndigits) of Python (ties to even on the exact binary value).
double py_round(double x, int64_t ndigits);

Value f_map(Interpreter& in, const Value& v, CallArgs& args);
Value f_select(Interpreter& in, const Value& v, CallArgs& args);
Value f_reject(Interpreter& in, const Value& v, CallArgs& args);
Value f_selectattr(Interpreter& in, const Value& v, CallArgs& args);
Value f_rejectattr(Interpreter& in, const Value& v, CallArgs& args);

}  // namespace jinja
