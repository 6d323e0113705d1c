// The filters, tests, global functions and methods that templates can call.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jinja/ast.h"
#include "jinja/value.h"

namespace jinja {

// Arguments of a call, positional then keyword, as Python passes them.
class CallArgs {
 public:
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;

  // Binds to a Python signature `fn(names...)`: each parameter from its position or its keyword.
  // Throws EvalError for too many arguments, an unknown keyword or one given twice.
  std::vector<std::optional<Value>> bind(std::string_view fn,
                                         std::initializer_list<const char*> names) const;
};

FilterFn find_filter(std::string_view name);
TestFn find_test(std::string_view name);

// obj.name for a str, list or dict: the bound method, or nullopt when Python has no such
// attribute. The sandbox's refused methods (list.append, dict.update ...) come back as an
// unsafe Undefined that raises when called.
std::optional<Value> find_method(const Value& obj, const std::string& name);

// The globals of Hugging Face's environment that need no configuration: range, dict,
// namespace, cycler, joiner. nullopt for other names.
std::optional<Value> find_global(std::string_view name);

}  // namespace jinja
