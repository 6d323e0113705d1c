// Python's str(), repr() and json.dumps() of template values, byte for byte.
#pragma once

#include <string>
#include <string_view>

#include "jinja/value.h"

namespace jinja {

// str(x): what `{{ x }}` prints. Undefined prints as "".
std::string py_str(const Value& v);
// repr(x): how values print inside lists and dicts.
std::string py_repr(const Value& v);
// repr(float): the shortest string that reads back, e.g. 1.0, 0.1, 1e+16, 1e-05, inf.
std::string float_repr(double d);
// repr(str): single quotes unless the text has ' and no ", escapes like Python.
std::string string_repr(std::string_view s);
// markupsafe.escape: & < > " ' to entities.
std::string html_escape(std::string_view s);

struct JsonOptions {
  bool ensure_ascii = false;
  bool sort_keys = false;
  bool has_indent = false;
  std::string indent;  // the text of one level (indent=2 is two spaces)
  std::string item_separator = ", ";
  std::string key_separator = ": ";
};

// json.dumps(v, ...) as Hugging Face's tojson filter calls it. Throws EvalError for values that
// are not JSON serializable (Undefined, macros ...).
std::string json_dumps(const Value& v, const JsonOptions& options);

}  // namespace jinja
