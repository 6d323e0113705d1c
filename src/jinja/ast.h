// The syntax tree of a parsed template. Nodes keep the byte offset of their token, so that an
// error at run time points at the spot in the template.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "jinja/value.h"

namespace jinja {

class Interpreter;
class CallArgs;
struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// A filter: `value | name(args)`.
using FilterFn = Value (*)(Interpreter&, const Value& input, CallArgs& args);
// A test: `value is name(args)`.
using TestFn = bool (*)(Interpreter&, const Value& input, CallArgs& args);

enum class ExprKind {
  kConst,
  kName,
  kList,
  kTuple,
  kDict,
  kGetattr,
  kGetitem,
  kSlice,
  kCall,
  kFilter,
  kTest,
  kNeg,
  kPos,
  kNot,
  kAnd,
  kOr,
  kBinary,
  kConcat,
  kCompare,
  kCondExpr,
};

enum class BinOp { kAdd, kSub, kMul, kDiv, kFloorDiv, kMod, kPow };
enum class CmpOp { kEq, kNe, kLt, kLtEq, kGt, kGtEq, kIn, kNotIn };

struct Expr {
  ExprKind kind;
  size_t offset = 0;
  Value constant;    // kConst
  std::string name;  // kName; kGetattr attribute; kFilter / kTest name
  // Operands: unary/binary a, b; kGetattr/kGetitem/kCall/kFilter/kTest a (kFilter's a is null
  // inside a filter block); kSlice a=start b=stop c=step (each may be null); kCondExpr a=test,
  // b=value if true, c=value if false (may be null).
  ExprPtr a, b, c;
  // kList/kTuple items; kDict keys and values interleaved; kConcat parts; call arguments.
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  ExprPtr dyn_args, dyn_kwargs;  // *args, **kwargs of a call
  BinOp bin_op = BinOp::kAdd;
  std::vector<std::pair<CmpOp, ExprPtr>> ops;  // kCompare: a op1 x op2 y ...
  FilterFn filter = nullptr;  // resolved at parse time; null when unknown inside an `if`
  TestFn test = nullptr;
};

// Where `for` and `set` store: a name, a tuple of targets, or `ns.attr`.
struct Target {
  enum class Kind { kName, kTuple, kNamespaceAttr } kind = Kind::kName;
  std::string name;
  std::string attr;
  std::vector<Target> items;
  size_t offset = 0;
};

enum class StmtKind {
  kData,
  kOutput,
  kIf,
  kFor,
  kSet,
  kSetBlock,
  kMacro,
  kCallBlock,
  kFilterBlock,
  kWith,
  kBreak,
  kContinue,
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct Stmt {
  StmtKind kind;
  size_t offset = 0;
  std::string text;            // kData
  std::vector<ExprPtr> exprs;  // kOutput: the printed expressions
  ExprPtr
      expr;  // kIf test, kFor iterable, kSet value, kCallBlock call, kFilterBlock/kSetBlock filter
  ExprPtr cond;   // kFor `if` filter
  Target target;  // kFor, kSet, kSetBlock
  Body body;
  Body else_body;  // kIf (elif chains nest here), kFor
  bool recursive = false;
  // kMacro, kCallBlock: parameters with defaults for the last ones.
  std::string name;
  std::vector<std::string> params;
  std::vector<ExprPtr> defaults;
  bool uses_varargs = false;
  bool uses_kwargs = false;
  bool uses_caller = false;
  std::vector<std::pair<Target, ExprPtr>> assignments;  // kWith
};

}  // namespace jinja
