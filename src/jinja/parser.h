// Tokens to a syntax tree, following the grammar of Jinja2's parser (precedence, tuples without
// parentheses, tests with one bare argument, filters binding tighter than unary minus).
#pragma once

#include <string_view>
#include <vector>

#include "jinja/ast.h"
#include "jinja/lexer.h"

namespace jinja {

// Parses a normalized source. Throws TemplateError on a syntax error, an unknown tag, or an
// unknown filter or test outside an `if` (Jinja2 defers those inside `if` to run time).
// `max_depth` bounds the nesting of statements and expressions.
Body parse_template(std::string_view source, const std::vector<Token>& tokens, int max_depth);

}  // namespace jinja
