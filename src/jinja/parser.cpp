#include "jinja/parser.h"

#include <algorithm>
#include <initializer_list>
#include <iterator>

#include "jinja/builtins.h"
#include "jinja/error.h"

namespace jinja {

namespace {

class Parser {
 public:
  Parser(std::string_view src, const std::vector<Token>& tokens, int max_depth)
      : src_(src), toks_(tokens), max_depth_(max_depth) {}

  Body parse() {
    raise_if_error(cur());
    Body body = subparse({});
    if (cur().type != Tok::kEof) fail_here(std::string("unexpected '") + describe(cur()) + "'");
    return body;
  }

 private:
  // --- token stream ---
  const Token& cur() const { return toks_[pos_]; }
  const Token& look() const {
    const Token& t = toks_[pos_ + 1 < toks_.size() ? pos_ + 1 : pos_];
    raise_if_error(t);
    return t;
  }
  void next() {
    if (pos_ + 1 < toks_.size()) ++pos_;
    raise_if_error(cur());
  }
  // A lexical error surfaces when the parser reaches its token, as Jinja2's lazy lexer does.
  void raise_if_error(const Token& t) const {
    if (t.type == Tok::kError) fail_at(t.offset, t.text);
  }
  bool is_name(const Token& t, std::string_view n) const {
    return t.type == Tok::kName && t.text == n;
  }
  bool skip_name(std::string_view n) {
    if (!is_name(cur(), n)) return false;
    next();
    return true;
  }
  bool skip(Tok t) {
    if (cur().type != t) return false;
    next();
    return true;
  }
  [[noreturn]] void fail_at(size_t offset, const std::string& msg) const {
    throw TemplateError(msg, position_of(src_, offset), src_);
  }
  [[noreturn]] void fail_here(const std::string& msg) const { fail_at(cur().offset, msg); }
  const Token& expect(Tok t, const char* what) {
    if (cur().type != t) {
      if (cur().type == Tok::kEof)
        fail_here(std::string("unexpected end of template, expected ") + what);
      fail_here(std::string("expected token ") + what + std::string(", got '") + describe(cur()) +
                "'");
    }
    const Token& tok = cur();
    next();
    return tok;
  }
  void expect_name(std::string_view n) {
    if (!is_name(cur(), n)) {
      fail_here(std::string("expected token '") + std::string(n) + std::string("', got '") +
                describe(cur()) + "'");
    }
    next();
  }

  // Bounds recursion: nested statements and expressions.
  struct DepthScope {
    explicit DepthScope(Parser& p) : p_(p) {
      if (++p_.depth_ > p_.max_depth_) {
        p_.fail_here(std::string("template nesting too deep (more than ") +
                     std::to_string(p_.max_depth_) + " levels)");
      }
    }
    ~DepthScope() { --p_.depth_; }
    Parser& p_;
  };
  // Saves and sets the parser's context flags for a nested body.
  struct FlagScope {
    FlagScope(Parser& p, bool soft, bool in_loop) : p_(p), soft_(p.soft_), loop_(p.in_loop_) {
      p.soft_ = soft;
      p.in_loop_ = in_loop;
    }
    ~FlagScope() {
      p_.soft_ = soft_;
      p_.in_loop_ = loop_;
    }
    Parser& p_;
    bool soft_, loop_;
  };

  ExprPtr make(ExprKind k, size_t offset) {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->offset = offset;
    return e;
  }
  StmtPtr make_stmt(StmtKind k, size_t offset) {
    auto s = std::make_unique<Stmt>();
    s->kind = k;
    s->offset = offset;
    return s;
  }

  // --- statements ---
  // Jinja2's message for an unknown tag (name) or an early end of the template (no name).
  [[noreturn]] void fail_unknown_tag(const std::string* name, size_t offset) const {
    std::string msg =
        name ? "Encountered unknown tag '" + *name + "'." : "Unexpected end of template.";
    if (!end_stack_.empty()) {
      std::string looking;
      for (std::string_view e : end_stack_.back()) {
        if (!looking.empty()) looking += " or ";
        looking += std::string("'") + std::string(e) + "'";
      }
      bool expected = false;
      for (const auto& ends : end_stack_) {
        for (std::string_view e : ends) expected |= name && *name == e;
      }
      if (expected) {
        msg +=
            " You probably made a nesting mistake. Jinja is expecting this tag, but currently "
            "looking for " +
            looking + ".";
      } else {
        msg += " Jinja was looking for the following tags: " + looking + ".";
      }
    }
    if (!tag_stack_.empty()) {
      msg += " The innermost block that needs to be closed is '" + tag_stack_.back() + "'.";
    }
    fail_at(offset, msg);
  }

  Body subparse(std::initializer_list<std::string_view> end_tokens) {
    Body body;
    bool has_end = end_tokens.size() != 0;
    if (has_end) end_stack_.emplace_back(end_tokens);
    struct Pop {
      std::vector<std::vector<std::string_view>>& stack;
      bool active;
      ~Pop() {
        if (active) stack.pop_back();
      }
    } pop{end_stack_, has_end};
    while (cur().type != Tok::kEof) {
      const Token& t = cur();
      if (t.type == Tok::kData) {
        auto s = make_stmt(StmtKind::kData, t.offset);
        s->text = t.text;
        body.push_back(std::move(s));
        next();
      } else if (t.type == Tok::kVariableBegin) {
        next();
        auto s = make_stmt(StmtKind::kOutput, t.offset);
        s->exprs.push_back(parse_tuple(false, true, {}, false));
        expect(Tok::kVariableEnd, "'end of print statement'");
        body.push_back(std::move(s));
      } else if (t.type == Tok::kBlockBegin) {
        next();
        for (std::string_view e : end_tokens) {
          if (is_name(cur(), e)) return body;
        }
        body.push_back(parse_statement());
        expect(Tok::kBlockEnd, "'end of statement block'");
      } else {
        fail_here("internal parsing error");
      }
    }
    if (has_end) fail_unknown_tag(nullptr, cur().offset);
    return body;
  }

  // parse_statements of Jinja2: `[:] %}` then a body until one of the end tags.
  Body parse_statements(std::initializer_list<std::string_view> end_tokens, bool drop_needle) {
    skip(Tok::kColon);
    expect(Tok::kBlockEnd, "'end of statement block'");
    Body body = subparse(end_tokens);
    if (drop_needle) next();
    return body;
  }

  StmtPtr parse_statement() {
    DepthScope depth(*this);
    const Token& t = cur();
    if (t.type != Tok::kName) fail_here("tag name expected");
    const std::string n = t.text;
    static const char* kKnown[] = {"if",     "for",  "set",   "macro", "call",
                                   "filter", "with", "print", "break", "continue"};
    if (std::none_of(std::begin(kKnown), std::end(kKnown), [&](const char* k) { return n == k; })) {
      static const char* kUnsupported[] = {"block",  "extends", "include",
                                           "import", "from",    "autoescape"};
      for (const char* u : kUnsupported) {
        if (n == u) fail_here("the '" + n + "' tag is not supported (no template loader)");
      }
      fail_unknown_tag(&n, t.offset);
    }
    tag_stack_.push_back(n);
    struct Pop {
      std::vector<std::string>& stack;
      ~Pop() { stack.pop_back(); }
    } pop{tag_stack_};
    if (n == "if") return parse_if();
    if (n == "for") return parse_for();
    if (n == "set") return parse_set();
    if (n == "macro") return parse_macro();
    if (n == "call") return parse_call_block();
    if (n == "filter") return parse_filter_block();
    if (n == "with") return parse_with();
    if (n == "print") return parse_print();
    if (!in_loop_) fail_here("'" + n + "' outside of a loop");
    auto s = make_stmt(n == "break" ? StmtKind::kBreak : StmtKind::kContinue, t.offset);
    next();
    return s;
  }

  StmtPtr parse_if() {
    auto result = make_stmt(StmtKind::kIf, cur().offset);
    next();
    FlagScope flags(*this, true, in_loop_);
    Stmt* node = result.get();
    while (true) {
      node->expr = parse_tuple(false, false, {}, false);
      node->body = parse_statements({"elif", "else", "endif"}, false);
      const Token& tok = cur();
      next();
      if (is_name(tok, "elif")) {
        auto elif = make_stmt(StmtKind::kIf, tok.offset);
        Stmt* raw = elif.get();
        node->else_body.push_back(std::move(elif));
        node = raw;
        continue;
      }
      if (is_name(tok, "else")) node->else_body = parse_statements({"endif"}, true);
      break;
    }
    return result;
  }

  StmtPtr parse_for() {
    auto s = make_stmt(StmtKind::kFor, cur().offset);
    next();
    s->target = parse_assign_target(true, false, {"in"});
    expect_name("in");
    {
      FlagScope flags(*this, false, in_loop_);
      s->expr = parse_tuple(false, false, {"recursive"}, false);
      if (skip_name("if")) s->cond = parse_expression(true);
    }
    s->recursive = skip_name("recursive");
    if (s->recursive) fail_at(s->offset, "recursive for loops are not supported");
    {
      FlagScope flags(*this, false, true);
      s->body = parse_statements({"endfor", "else"}, false);
    }
    bool has_else = is_name(cur(), "else");
    next();
    if (has_else) {
      FlagScope flags(*this, false, in_loop_);
      s->else_body = parse_statements({"endfor"}, true);
    }
    return s;
  }

  StmtPtr parse_set() {
    size_t offset = cur().offset;
    next();
    Target target = parse_assign_target(true, true, {});
    if (skip(Tok::kAssign)) {
      auto s = make_stmt(StmtKind::kSet, offset);
      s->target = std::move(target);
      s->expr = parse_tuple(false, true, {}, false);
      return s;
    }
    auto s = make_stmt(StmtKind::kSetBlock, offset);
    s->target = std::move(target);
    FlagScope flags(*this, false, in_loop_);
    if (cur().type == Tok::kPipe) s->expr = parse_filter(nullptr, false);
    s->body = parse_statements({"endset"}, true);
    return s;
  }

  void parse_signature(Stmt& s) {
    expect(Tok::kLParen, "'('");
    while (cur().type != Tok::kRParen) {
      if (!s.params.empty()) expect(Tok::kComma, "','");
      const Token& name = expect(Tok::kName, "name");
      s.params.push_back(name.text);
      if (skip(Tok::kAssign)) {
        s.defaults.push_back(parse_expression(true));
      } else if (!s.defaults.empty()) {
        fail_at(name.offset, "non-default argument follows default argument");
      }
    }
    expect(Tok::kRParen, "')'");
  }

  StmtPtr parse_macro() {
    auto s = make_stmt(StmtKind::kMacro, cur().offset);
    next();
    s->name = expect(Tok::kName, "name").text;
    FlagScope flags(*this, false, false);
    parse_signature(*s);
    s->body = parse_statements({"endmacro"}, true);
    mark_special_names(*s);
    return s;
  }

  StmtPtr parse_call_block() {
    auto s = make_stmt(StmtKind::kCallBlock, cur().offset);
    next();
    FlagScope flags(*this, false, false);
    if (cur().type == Tok::kLParen) parse_signature(*s);
    s->expr = parse_expression(true);
    if (s->expr->kind != ExprKind::kCall) fail_at(s->offset, "expected call");
    s->body = parse_statements({"endcall"}, true);
    mark_special_names(*s);
    return s;
  }

  StmtPtr parse_filter_block() {
    auto s = make_stmt(StmtKind::kFilterBlock, cur().offset);
    next();
    FlagScope flags(*this, false, in_loop_);
    s->expr = parse_filter(nullptr, true);
    s->body = parse_statements({"endfilter"}, true);
    return s;
  }

  StmtPtr parse_with() {
    auto s = make_stmt(StmtKind::kWith, cur().offset);
    next();
    FlagScope flags(*this, false, in_loop_);
    while (cur().type != Tok::kBlockEnd) {
      if (!s->assignments.empty()) expect(Tok::kComma, "','");
      Target t = parse_assign_target(true, false, {});
      expect(Tok::kAssign, "'='");
      s->assignments.emplace_back(std::move(t), parse_expression(true));
    }
    s->body = parse_statements({"endwith"}, true);
    return s;
  }

  StmtPtr parse_print() {
    auto s = make_stmt(StmtKind::kOutput, cur().offset);
    next();
    while (cur().type != Tok::kBlockEnd) {
      if (!s->exprs.empty()) expect(Tok::kComma, "','");
      s->exprs.push_back(parse_expression(true));
    }
    return s;
  }

  // Whether a macro body refers to varargs, kwargs or caller (Jinja2 then accepts extra
  // arguments / a caller).
  static void scan_names(const Expr* e, Stmt& m) {
    if (!e) return;
    if (e->kind == ExprKind::kName) {
      m.uses_varargs |= e->name == "varargs";
      m.uses_kwargs |= e->name == "kwargs";
      m.uses_caller |= e->name == "caller";
    }
    scan_names(e->a.get(), m);
    scan_names(e->b.get(), m);
    scan_names(e->c.get(), m);
    scan_names(e->dyn_args.get(), m);
    scan_names(e->dyn_kwargs.get(), m);
    for (const auto& x : e->args) scan_names(x.get(), m);
    for (const auto& [k, x] : e->kwargs) scan_names(x.get(), m);
    for (const auto& [op, x] : e->ops) scan_names(x.get(), m);
  }
  static void scan_body(const Body& body, Stmt& m) {
    for (const auto& s : body) {
      for (const auto& e : s->exprs) scan_names(e.get(), m);
      scan_names(s->expr.get(), m);
      scan_names(s->cond.get(), m);
      for (const auto& d : s->defaults) scan_names(d.get(), m);
      for (const auto& [t, e] : s->assignments) scan_names(e.get(), m);
      scan_body(s->body, m);
      scan_body(s->else_body, m);
    }
  }
  static void mark_special_names(Stmt& m) {
    scan_body(m.body, m);
    for (const auto& d : m.defaults) scan_names(d.get(), m);
  }

  // --- assignment targets ---
  Target parse_assign_target(bool with_tuple, bool with_namespace,
                             std::initializer_list<std::string_view> extra_end) {
    Target t;
    t.offset = cur().offset;
    if (with_namespace && cur().type == Tok::kName && look().type == Tok::kDot) {
      t.kind = Target::Kind::kNamespaceAttr;
      t.name = cur().text;
      next();
      next();
      t.attr = expect(Tok::kName, "name").text;
      return t;
    }
    ExprPtr e = with_tuple ? parse_tuple(true, true, extra_end, false) : parse_primary();
    return to_target(*e);
  }

  Target to_target(const Expr& e) {
    Target t;
    t.offset = e.offset;
    if (e.kind == ExprKind::kName) {
      t.name = e.name;
      return t;
    }
    if (e.kind == ExprKind::kTuple) {
      t.kind = Target::Kind::kTuple;
      for (const auto& item : e.args) t.items.push_back(to_target(*item));
      return t;
    }
    fail_at(e.offset, "can't assign to this expression");
  }

  // --- expressions ---
  bool is_tuple_end(std::initializer_list<std::string_view> extra_end) const {
    Tok t = cur().type;
    if (t == Tok::kVariableEnd || t == Tok::kBlockEnd || t == Tok::kRParen) return true;
    for (std::string_view e : extra_end) {
      if (is_name(cur(), e)) return true;
    }
    return false;
  }

  ExprPtr parse_tuple(bool simplified, bool with_condexpr,
                      std::initializer_list<std::string_view> extra_end, bool explicit_parens) {
    size_t offset = cur().offset;
    std::vector<ExprPtr> args;
    bool is_tuple = false;
    while (true) {
      if (!args.empty()) expect(Tok::kComma, "','");
      if (is_tuple_end(extra_end)) break;
      args.push_back(simplified ? parse_primary() : parse_expression(with_condexpr));
      if (cur().type == Tok::kComma) {
        is_tuple = true;
      } else {
        break;
      }
    }
    if (!is_tuple) {
      if (!args.empty()) return std::move(args[0]);
      if (!explicit_parens)
        fail_here(std::string("Expected an expression, got '") + describe(cur()) + "'");
    }
    auto e = make(ExprKind::kTuple, offset);
    e->args = std::move(args);
    return e;
  }

  ExprPtr parse_expression(bool with_condexpr) {
    DepthScope depth(*this);
    return with_condexpr ? parse_condexpr() : parse_or();
  }

  ExprPtr parse_condexpr() {
    size_t offset = cur().offset;
    ExprPtr expr1 = parse_or();
    while (is_name(cur(), "if")) {
      next();
      FlagScope flags(*this, true, in_loop_);
      auto e = make(ExprKind::kCondExpr, offset);
      e->b = std::move(expr1);
      e->a = parse_or();
      if (skip_name("else")) e->c = parse_condexpr();
      expr1 = std::move(e);
      offset = cur().offset;
    }
    return expr1;
  }

  ExprPtr parse_or() {
    ExprPtr left = parse_and();
    while (is_name(cur(), "or")) {
      auto e = make(ExprKind::kOr, cur().offset);
      next();
      e->a = std::move(left);
      e->b = parse_and();
      left = std::move(e);
    }
    return left;
  }

  ExprPtr parse_and() {
    ExprPtr left = parse_not();
    while (is_name(cur(), "and")) {
      auto e = make(ExprKind::kAnd, cur().offset);
      next();
      e->a = std::move(left);
      e->b = parse_not();
      left = std::move(e);
    }
    return left;
  }

  ExprPtr parse_not() {
    if (is_name(cur(), "not")) {
      DepthScope depth(*this);
      auto e = make(ExprKind::kNot, cur().offset);
      next();
      e->a = parse_not();
      return e;
    }
    return parse_compare();
  }

  ExprPtr parse_compare() {
    size_t offset = cur().offset;
    ExprPtr expr = parse_math1();
    std::vector<std::pair<CmpOp, ExprPtr>> ops;
    while (true) {
      Tok t = cur().type;
      CmpOp op;
      if (t == Tok::kEq) {
        op = CmpOp::kEq;
      } else if (t == Tok::kNe) {
        op = CmpOp::kNe;
      } else if (t == Tok::kLt) {
        op = CmpOp::kLt;
      } else if (t == Tok::kLtEq) {
        op = CmpOp::kLtEq;
      } else if (t == Tok::kGt) {
        op = CmpOp::kGt;
      } else if (t == Tok::kGtEq) {
        op = CmpOp::kGtEq;
      } else if (is_name(cur(), "in")) {
        op = CmpOp::kIn;
      } else if (is_name(cur(), "not") && is_name(look(), "in")) {
        next();
        op = CmpOp::kNotIn;
      } else {
        break;
      }
      next();
      ops.emplace_back(op, parse_math1());
    }
    if (ops.empty()) return expr;
    auto e = make(ExprKind::kCompare, offset);
    e->a = std::move(expr);
    e->ops = std::move(ops);
    return e;
  }

  ExprPtr binary(BinOp op, ExprPtr left, ExprPtr right, size_t offset) {
    auto e = make(ExprKind::kBinary, offset);
    e->bin_op = op;
    e->a = std::move(left);
    e->b = std::move(right);
    return e;
  }

  ExprPtr parse_math1() {
    ExprPtr left = parse_concat();
    while (cur().type == Tok::kAdd || cur().type == Tok::kSub) {
      BinOp op = cur().type == Tok::kAdd ? BinOp::kAdd : BinOp::kSub;
      size_t offset = cur().offset;
      next();
      left = binary(op, std::move(left), parse_concat(), offset);
    }
    return left;
  }

  ExprPtr parse_concat() {
    size_t offset = cur().offset;
    ExprPtr first = parse_math2();
    if (cur().type != Tok::kTilde) return first;
    auto e = make(ExprKind::kConcat, offset);
    e->args.push_back(std::move(first));
    while (skip(Tok::kTilde)) e->args.push_back(parse_math2());
    return e;
  }

  ExprPtr parse_math2() {
    ExprPtr left = parse_pow();
    while (true) {
      Tok t = cur().type;
      BinOp op;
      if (t == Tok::kMul) {
        op = BinOp::kMul;
      } else if (t == Tok::kDiv) {
        op = BinOp::kDiv;
      } else if (t == Tok::kFloorDiv) {
        op = BinOp::kFloorDiv;
      } else if (t == Tok::kMod) {
        op = BinOp::kMod;
      } else {
        break;
      }
      size_t offset = cur().offset;
      next();
      left = binary(op, std::move(left), parse_pow(), offset);
    }
    return left;
  }

  ExprPtr parse_pow() {
    ExprPtr left = parse_unary(true);
    while (cur().type == Tok::kPow) {
      size_t offset = cur().offset;
      next();
      left = binary(BinOp::kPow, std::move(left), parse_unary(true), offset);
    }
    return left;
  }

  ExprPtr parse_unary(bool with_filter) {
    DepthScope depth(*this);
    ExprPtr node;
    if (cur().type == Tok::kSub || cur().type == Tok::kAdd) {
      node = make(cur().type == Tok::kSub ? ExprKind::kNeg : ExprKind::kPos, cur().offset);
      next();
      node->a = parse_unary(false);
    } else {
      node = parse_primary();
    }
    node = parse_postfix(std::move(node));
    if (with_filter) node = parse_filter_expr(std::move(node));
    return node;
  }

  ExprPtr parse_primary() {
    DepthScope depth(*this);
    const Token& t = cur();
    if (t.type == Tok::kName) {
      auto e = make(ExprKind::kConst, t.offset);
      if (t.text == "true" || t.text == "True") {
        e->constant = Value::boolean(true);
      } else if (t.text == "false" || t.text == "False") {
        e->constant = Value::boolean(false);
      } else if (t.text == "none" || t.text == "None") {
        e->constant = Value::none();
      } else {
        e->kind = ExprKind::kName;
        e->name = t.text;
      }
      next();
      return e;
    }
    if (t.type == Tok::kString) {
      auto e = make(ExprKind::kConst, t.offset);
      std::string s;
      while (cur().type == Tok::kString) {
        s += cur().text;
        next();
      }
      e->constant = Value::string(std::move(s));
      return e;
    }
    if (t.type == Tok::kInteger || t.type == Tok::kFloat) {
      auto e = make(ExprKind::kConst, t.offset);
      e->constant =
          t.type == Tok::kInteger ? Value::integer(t.int_value) : Value::floating(t.float_value);
      next();
      return e;
    }
    if (t.type == Tok::kLParen) {
      next();
      ExprPtr e = parse_tuple(false, true, {}, true);
      expect(Tok::kRParen, "')'");
      return e;
    }
    if (t.type == Tok::kLBracket) {
      auto e = make(ExprKind::kList, t.offset);
      next();
      while (cur().type != Tok::kRBracket) {
        if (!e->args.empty()) expect(Tok::kComma, "','");
        if (cur().type == Tok::kRBracket) break;
        e->args.push_back(parse_expression(true));
      }
      expect(Tok::kRBracket, "']'");
      return e;
    }
    if (t.type == Tok::kLBrace) {
      auto e = make(ExprKind::kDict, t.offset);
      next();
      while (cur().type != Tok::kRBrace) {
        if (!e->args.empty()) expect(Tok::kComma, "','");
        if (cur().type == Tok::kRBrace) break;
        e->args.push_back(parse_expression(true));
        expect(Tok::kColon, "':'");
        e->args.push_back(parse_expression(true));
      }
      expect(Tok::kRBrace, "'}'");
      return e;
    }
    if (t.type == Tok::kEof) fail_here("unexpected end of template");
    fail_here(std::string("unexpected '") + describe(t) + "'");
  }

  ExprPtr parse_postfix(ExprPtr node) {
    while (true) {
      Tok t = cur().type;
      if (t == Tok::kDot || t == Tok::kLBracket) {
        node = parse_subscript(std::move(node));
      } else if (t == Tok::kLParen) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExprPtr parse_filter_expr(ExprPtr node) {
    while (true) {
      Tok t = cur().type;
      if (t == Tok::kPipe) {
        node = parse_filter(std::move(node), false);
      } else if (is_name(cur(), "is")) {
        node = parse_test(std::move(node));
      } else if (t == Tok::kLParen) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr node) {
    DepthScope depth(*this);
    const Token& t = cur();
    next();
    if (t.type == Tok::kDot) {
      const Token& attr = cur();
      next();
      if (attr.type == Tok::kName) {
        auto e = make(ExprKind::kGetattr, t.offset);
        e->a = std::move(node);
        e->name = attr.text;
        return e;
      }
      if (attr.type != Tok::kInteger) fail_at(attr.offset, "expected name or number");
      auto e = make(ExprKind::kGetitem, t.offset);
      e->a = std::move(node);
      e->b = make(ExprKind::kConst, attr.offset);
      e->b->constant = Value::integer(attr.int_value);
      return e;
    }
    std::vector<ExprPtr> args;
    while (cur().type != Tok::kRBracket) {
      if (!args.empty()) expect(Tok::kComma, "','");
      args.push_back(parse_subscribed());
    }
    expect(Tok::kRBracket, "']'");
    auto e = make(ExprKind::kGetitem, t.offset);
    e->a = std::move(node);
    if (args.size() == 1) {
      e->b = std::move(args[0]);
    } else {
      e->b = make(ExprKind::kTuple, t.offset);
      e->b->args = std::move(args);
    }
    return e;
  }

  ExprPtr parse_subscribed() {
    size_t offset = cur().offset;
    ExprPtr start;
    if (cur().type == Tok::kColon) {
      next();
    } else {
      start = parse_expression(true);
      if (cur().type != Tok::kColon) return start;
      next();
    }
    auto e = make(ExprKind::kSlice, offset);
    e->a = std::move(start);
    if (cur().type != Tok::kColon && cur().type != Tok::kRBracket && cur().type != Tok::kComma) {
      e->b = parse_expression(true);
    }
    if (cur().type == Tok::kColon) {
      next();
      if (cur().type != Tok::kRBracket && cur().type != Tok::kComma) e->c = parse_expression(true);
    }
    return e;
  }

  void parse_call_args(Expr& e) {
    size_t offset = expect(Tok::kLParen, "'('").offset;
    auto ensure = [&](bool ok) {
      if (!ok) fail_at(offset, "invalid syntax for function call expression");
    };
    bool require_comma = false;
    while (cur().type != Tok::kRParen) {
      if (require_comma) {
        expect(Tok::kComma, "','");
        if (cur().type == Tok::kRParen) break;
      }
      if (cur().type == Tok::kMul) {
        ensure(!e.dyn_args && !e.dyn_kwargs);
        next();
        e.dyn_args = parse_expression(true);
      } else if (cur().type == Tok::kPow) {
        ensure(!e.dyn_kwargs);
        next();
        e.dyn_kwargs = parse_expression(true);
      } else if (cur().type == Tok::kName && look().type == Tok::kAssign) {
        ensure(!e.dyn_kwargs);
        std::string key = cur().text;
        next();
        next();
        e.kwargs.emplace_back(key, parse_expression(true));
      } else {
        ensure(!e.dyn_args && !e.dyn_kwargs && e.kwargs.empty());
        e.args.push_back(parse_expression(true));
      }
      require_comma = true;
    }
    expect(Tok::kRParen, "')'");
  }

  ExprPtr parse_call(ExprPtr node) {
    DepthScope depth(*this);
    auto e = make(ExprKind::kCall, node->offset);  // errors point at the callee
    e->a = std::move(node);
    parse_call_args(*e);
    return e;
  }

  std::string dotted_name() {
    std::string name = expect(Tok::kName, "name").text;
    while (cur().type == Tok::kDot) {
      next();
      name += std::string(".") + expect(Tok::kName, "name").text;
    }
    return name;
  }

  ExprPtr parse_filter(ExprPtr node, bool start_inline) {
    while (cur().type == Tok::kPipe || start_inline) {
      DepthScope depth(*this);
      if (!start_inline) next();
      size_t offset = cur().offset;
      auto e = make(ExprKind::kFilter, offset);
      e->name = dotted_name();
      e->filter = find_filter(e->name);
      if (!e->filter && !soft_) fail_at(offset, "No filter named '" + e->name + "'.");
      if (cur().type == Tok::kLParen) parse_call_args(*e);
      e->a = std::move(node);
      node = std::move(e);
      start_inline = false;
    }
    return node;
  }

  ExprPtr parse_test(ExprPtr node) {
    DepthScope depth(*this);
    size_t offset = cur().offset;
    next();
    bool negated = skip_name("not");
    auto e = make(ExprKind::kTest, offset);
    size_t name_offset = cur().offset;
    e->name = dotted_name();
    e->test = find_test(e->name);
    if (!e->test && !soft_) fail_at(name_offset, "No test named '" + e->name + "'.");
    Tok t = cur().type;
    if (t == Tok::kLParen) {
      parse_call_args(*e);
    } else if ((t == Tok::kName || t == Tok::kString || t == Tok::kInteger || t == Tok::kFloat ||
                t == Tok::kLBracket || t == Tok::kLBrace) &&
               !is_name(cur(), "else") && !is_name(cur(), "or") && !is_name(cur(), "and")) {
      if (is_name(cur(), "is")) fail_here("You cannot chain multiple tests with is");
      e->args.push_back(parse_postfix(parse_primary()));
    }
    e->a = std::move(node);
    if (!negated) return e;
    auto n = make(ExprKind::kNot, offset);
    n->a = std::move(e);
    return n;
  }

  std::string_view src_;
  const std::vector<Token>& toks_;
  size_t pos_ = 0;
  int depth_ = 0;
  int max_depth_;
  std::vector<std::vector<std::string_view>> end_stack_;  // end tags being looked for
  std::vector<std::string> tag_stack_;                    // statements being parsed
  bool soft_ = false;     // inside an `if` or a conditional expression
  bool in_loop_ = false;  // break / continue allowed
};

}  // namespace

Body parse_template(std::string_view source, const std::vector<Token>& tokens, int max_depth) {
  return Parser(source, tokens, max_depth).parse();
}

}  // namespace jinja
