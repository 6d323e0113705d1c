// Python's str methods for templates (split, strip, startswith, replace, format ...).
#pragma once

#include <string>

#include "jinja/builtins.h"
#include "jinja/value.h"

namespace jinja {

class Interpreter;

// Calls str.<name>(args) on `self`. On a Markup receiver the methods that markupsafe wraps
// escape their str arguments and return Markup.
Value str_method(Interpreter& in, const Value& self, const std::string& name, CallArgs& args);

}  // namespace jinja
