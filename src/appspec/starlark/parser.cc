#include "appspec/starlark/parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "appspec/starlark/lexer.h"

namespace berth::starlark {

const char* BinaryOpName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr:
      return "or";
    case BinaryOp::kAnd:
      return "and";
    case BinaryOp::kEq:
      return "==";
    case BinaryOp::kNe:
      return "!=";
    case BinaryOp::kLt:
      return "<";
    case BinaryOp::kGt:
      return ">";
    case BinaryOp::kLe:
      return "<=";
    case BinaryOp::kGe:
      return ">=";
    case BinaryOp::kIn:
      return "in";
    case BinaryOp::kNotIn:
      return "not in";
    case BinaryOp::kPlus:
      return "+";
    case BinaryOp::kMinus:
      return "-";
    case BinaryOp::kStar:
      return "*";
    case BinaryOp::kSlash:
      return "/";
    case BinaryOp::kSlashSlash:
      return "//";
    case BinaryOp::kPercent:
      return "%";
    case BinaryOp::kBitAnd:
      return "&";
    case BinaryOp::kBitOr:
      return "|";
    case BinaryOp::kBitXor:
      return "^";
    case BinaryOp::kShl:
      return "<<";
    case BinaryOp::kShr:
      return ">>";
  }
  return "?";
}

namespace {

int DepthOf(const Expr* e) { return e ? e->depth : 0; }

// The operator of an augmented assignment token (+=, ...), or nullopt.
std::optional<BinaryOp> AugOp(Tok k) {
  switch (k) {
    case Tok::kPlusEq:
      return BinaryOp::kPlus;
    case Tok::kMinusEq:
      return BinaryOp::kMinus;
    case Tok::kStarEq:
      return BinaryOp::kStar;
    case Tok::kSlashEq:
      return BinaryOp::kSlash;
    case Tok::kSlashSlashEq:
      return BinaryOp::kSlashSlash;
    case Tok::kPercentEq:
      return BinaryOp::kPercent;
    case Tok::kAmpEq:
      return BinaryOp::kBitAnd;
    case Tok::kPipeEq:
      return BinaryOp::kBitOr;
    case Tok::kCaretEq:
      return BinaryOp::kBitXor;
    case Tok::kLtLtEq:
      return BinaryOp::kShl;
    case Tok::kGtGtEq:
      return BinaryOp::kShr;
    default:
      return std::nullopt;
  }
}

class Parser {
 public:
  Parser(const SourceFile& file, std::vector<Token> tokens, ParseOptions options)
      : file_(file), toks_(std::move(tokens)), options_(options) {}

  Result<Block> File();
  // After File(): the names the file binds at the top level, and by load.
  std::set<std::string> TakeGlobals() { return std::move(globals_); }
  std::set<std::string> TakeLoaded() { return std::move(loaded_); }

 private:
  // Counts nesting on the way down; the destructor undoes it.
  class Nest {
   public:
    explicit Nest(Parser* p) : p_(p) { ++p_->nesting_; }
    ~Nest() { --p_->nesting_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;

   private:
    Parser* p_;
  };

  const Token& Cur() const { return toks_[i_]; }
  Tok Kind() const { return toks_[i_].kind; }
  Tok KindAt(size_t ahead) const {
    return i_ + ahead < toks_.size() ? toks_[i_ + ahead].kind : Tok::kEof;
  }
  const Token& Next() {
    const Token& t = toks_[i_];
    if (i_ + 1 < toks_.size()) ++i_;
    return t;
  }
  bool Accept(Tok kind) {
    if (Kind() != kind) return false;
    Next();
    return true;
  }
  Status Error(Pos pos, std::string_view msg) const {
    return Status::InvalidArgument(FormatError(file_, pos, msg));
  }
  Status Unexpected(std::string_view want) const {
    return Error(Cur().pos,
                 fmt::format("syntax error: expected {}, got {}", want, TokName(Kind())));
  }
  Status Expect(Tok kind) {
    if (Kind() != kind) return Unexpected(TokName(kind));
    Next();
    return Status::Ok();
  }
  Status CheckNesting() const {
    if (nesting_ > kMaxNesting) return Error(Cur().pos, "code is nested too deeply");
    return Status::Ok();
  }
  // Sets e's depth from its children and rejects trees taller than kMaxExprDepth.
  Status Finish(Expr* e, std::initializer_list<const Expr*> children) const {
    int d = 0;
    for (const Expr* c : children) d = std::max(d, DepthOf(c));
    e->depth = std::max(e->depth, d + 1);
    if (e->depth > kMaxExprDepth) return Error(e->pos, "expression is nested too deeply");
    return Status::Ok();
  }

  Status FinishAll(Expr* e, const std::vector<ExprPtr>& children) const {
    int d = 0;
    for (const ExprPtr& c : children) d = std::max(d, c->depth);
    e->depth = std::max(e->depth, d + 1);
    if (e->depth > kMaxExprDepth) return Error(e->pos, "expression is nested too deeply");
    return Status::Ok();
  }

  // Statements.
  Status Statement(Block* out);
  Status SimpleStatements(Block* out);
  Result<StmtPtr> SimpleStatement();
  Status Suite(Block* out);
  Result<StmtPtr> If();
  Result<StmtPtr> For();
  Result<StmtPtr> While();
  Result<StmtPtr> Def();
  Status Params(DefStmt* def, Tok close);
  Result<ExprPtr> Lambda();
  Result<StmtPtr> Load();
  Status CheckTarget(const Expr* e, bool bind_locals);

  // Expressions.
  Result<ExprPtr> ExprList();  // a, b -> tuple
  Result<ExprPtr> Test();      // includes `x if c else y`
  Result<ExprPtr> Or();
  Result<ExprPtr> And();
  Result<ExprPtr> Not();
  Result<ExprPtr> Comparison();
  Result<ExprPtr> BitOr();
  Result<ExprPtr> BitXor();
  Result<ExprPtr> BitAnd();
  Result<ExprPtr> Shift();
  Result<ExprPtr> Arith();
  Result<ExprPtr> Term();
  Result<ExprPtr> Unary();
  Result<ExprPtr> Postfix();
  Result<ExprPtr> Operand();
  Result<ExprPtr> Targets();  // loop variables: a, (b, c)
  Result<ExprPtr> CallArgs(ExprPtr fn, Pos pos);
  Result<ExprPtr> Subscript(ExprPtr object, Pos pos);
  Status Clauses(ComprehensionExpr* c, Tok close);
  Result<ExprPtr> Binary(Pos pos, BinaryOp op, ExprPtr l, ExprPtr r) {
    auto e = std::make_unique<BinaryExpr>(pos, op, std::move(l), std::move(r));
    BERTH_RETURN_IF_ERROR(Finish(e.get(), {e->lhs.get(), e->rhs.get()}));
    return ExprPtr(std::move(e));
  }

  const SourceFile& file_;
  std::vector<Token> toks_;
  ParseOptions options_;
  size_t i_ = 0;
  int nesting_ = 0;
  int loop_depth_ = 0;
  int block_depth_ = 0;
  DefStmt* def_ = nullptr;         // the function being parsed, if any
  std::set<std::string> globals_;  // names bound at the top level (Program::globals)
  std::set<std::string> loaded_;   // names bound by load (Program::loaded)
};

Result<Block> Parser::File() {
  Block stmts;
  while (Kind() != Tok::kEof) {
    if (Accept(Tok::kNewline)) continue;
    if (Kind() == Tok::kIndent) return Error(Cur().pos, "unexpected indent");
    BERTH_RETURN_IF_ERROR(Statement(&stmts));
  }
  return stmts;
}

Status Parser::Statement(Block* out) {
  Result<StmtPtr> s = Status::Internal("unset");
  switch (Kind()) {
    case Tok::kIf:
      s = If();
      break;
    case Tok::kFor:
      s = For();
      break;
    case Tok::kWhile:
      s = While();
      break;
    case Tok::kDef:
      s = Def();
      break;
    default:
      return SimpleStatements(out);
  }
  if (!s.ok()) return s.status();
  out->push_back(std::move(s).value());
  return Status::Ok();
}

Status Parser::SimpleStatements(Block* out) {
  while (true) {
    BERTH_ASSIGN_OR_RETURN(StmtPtr s, SimpleStatement());
    out->push_back(std::move(s));
    if (!Accept(Tok::kSemicolon)) break;
    if (Kind() == Tok::kNewline || Kind() == Tok::kEof) break;
  }
  if (Kind() == Tok::kEof) return Status::Ok();
  if (Kind() != Tok::kNewline) return Unexpected("newline or ';'");
  Next();
  return Status::Ok();
}

Status Parser::Suite(Block* out) {
  Nest nest(this);
  BERTH_RETURN_IF_ERROR(CheckNesting());
  ++block_depth_;
  if (!Accept(Tok::kNewline)) {
    BERTH_RETURN_IF_ERROR(SimpleStatements(out));
  } else {
    if (Kind() != Tok::kIndent) return Unexpected("an indented block");
    Next();
    while (Kind() != Tok::kDedent && Kind() != Tok::kEof) {
      if (Accept(Tok::kNewline)) continue;
      if (Kind() == Tok::kIndent) return Error(Cur().pos, "unexpected indent");
      BERTH_RETURN_IF_ERROR(Statement(out));
    }
    Accept(Tok::kDedent);
  }
  --block_depth_;
  return Status::Ok();
}

Result<StmtPtr> Parser::If() {
  auto s = std::make_unique<IfStmt>(Next().pos);  // 'if' or 'elif'
  BERTH_ASSIGN_OR_RETURN(s->cond, Test());
  BERTH_RETURN_IF_ERROR(Expect(Tok::kColon));
  BERTH_RETURN_IF_ERROR(Suite(&s->then));
  if (Kind() == Tok::kElif) {
    Nest nest(this);
    BERTH_RETURN_IF_ERROR(CheckNesting());
    BERTH_ASSIGN_OR_RETURN(StmtPtr elif, If());
    s->otherwise.push_back(std::move(elif));
  } else if (Accept(Tok::kElse)) {
    BERTH_RETURN_IF_ERROR(Expect(Tok::kColon));
    BERTH_RETURN_IF_ERROR(Suite(&s->otherwise));
  }
  return StmtPtr(std::move(s));
}

Result<StmtPtr> Parser::For() {
  auto s = std::make_unique<ForStmt>(Next().pos);
  BERTH_ASSIGN_OR_RETURN(s->target, Targets());
  BERTH_RETURN_IF_ERROR(CheckTarget(s->target.get(), /*bind_locals=*/true));
  BERTH_RETURN_IF_ERROR(Expect(Tok::kIn));
  BERTH_ASSIGN_OR_RETURN(s->iterable, ExprList());
  BERTH_RETURN_IF_ERROR(Expect(Tok::kColon));
  ++loop_depth_;
  BERTH_RETURN_IF_ERROR(Suite(&s->body));
  --loop_depth_;
  return StmtPtr(std::move(s));
}

Result<StmtPtr> Parser::While() {
  Pos pos = Cur().pos;
  if (!options_.allow_while) {
    return Error(pos, "'while' loops are not supported in Starlark; use 'for'");
  }
  auto s = std::make_unique<WhileStmt>(Next().pos);
  BERTH_ASSIGN_OR_RETURN(s->cond, Test());
  BERTH_RETURN_IF_ERROR(Expect(Tok::kColon));
  ++loop_depth_;
  BERTH_RETURN_IF_ERROR(Suite(&s->body));
  --loop_depth_;
  return StmtPtr(std::move(s));
}

// Parameters up to (not including) `close`, into def->params and def->locals.
Status Parser::Params(DefStmt* def, Tok close) {
  bool seen_default = false, seen_star = false, seen_starstar = false;
  while (Kind() != close) {
    Param p;
    p.pos = Cur().pos;
    if (Accept(Tok::kStar)) {
      p.kind = Param::Kind::kStar;
    } else if (Accept(Tok::kStarStar)) {
      p.kind = Param::Kind::kStarStar;
    }
    if (p.kind == Param::Kind::kStar && (Kind() == Tok::kComma || Kind() == close)) {
      // The bare `*`: the parameters after it are keyword-only.
      if (seen_star) return Error(p.pos, "only one * parameter is allowed");
      seen_star = true;
      def->params.push_back(std::move(p));
      if (!Accept(Tok::kComma)) break;
      continue;
    }
    if (Kind() != Tok::kIdent) return Unexpected("parameter name");
    p.name = Next().text;
    if (seen_starstar) return Error(p.pos, "no parameter may follow **kwargs");
    if (p.kind == Param::Kind::kNormal) {
      if (Accept(Tok::kAssign)) {
        BERTH_ASSIGN_OR_RETURN(p.default_value, Test());
        seen_default = true;
      } else if (seen_default && !seen_star) {
        return Error(p.pos, fmt::format("parameter {} without a default follows one with a default",
                                        p.name));
      }
    } else if (p.kind == Param::Kind::kStar) {
      if (seen_star) return Error(p.pos, "only one * parameter is allowed");
      seen_star = true;
    } else {
      seen_starstar = true;
    }
    for (const Param& q : def->params) {
      if (q.name == p.name) return Error(p.pos, fmt::format("duplicate parameter {}", p.name));
    }
    def->locals.insert(p.name);
    def->params.push_back(std::move(p));
    if (!Accept(Tok::kComma)) break;
  }
  return Status::Ok();
}

Result<StmtPtr> Parser::Def() {
  Pos pos = Next().pos;
  auto s = std::make_unique<DefStmt>(pos);
  if (Kind() != Tok::kIdent) return Unexpected("function name");
  s->name = Next().text;
  if (def_ != nullptr) {
    def_->locals.insert(s->name);
  } else {
    globals_.insert(s->name);
  }
  BERTH_RETURN_IF_ERROR(Expect(Tok::kLParen));
  BERTH_RETURN_IF_ERROR(Params(s.get(), Tok::kRParen));
  BERTH_RETURN_IF_ERROR(Expect(Tok::kRParen));
  BERTH_RETURN_IF_ERROR(Expect(Tok::kColon));
  DefStmt* outer = def_;
  def_ = s.get();
  int saved_loops = loop_depth_;
  loop_depth_ = 0;
  Status st = Suite(&s->body);
  loop_depth_ = saved_loops;
  def_ = outer;
  BERTH_RETURN_IF_ERROR(st);
  return StmtPtr(std::move(s));
}

Result<StmtPtr> Parser::Load() {
  Pos pos = Next().pos;
  if (def_ != nullptr || block_depth_ > 0)
    return Error(pos, "load must be at the top level of the file");
  auto s = std::make_unique<LoadStmt>(pos);
  BERTH_RETURN_IF_ERROR(Expect(Tok::kLParen));
  if (Kind() != Tok::kString) return Unexpected("module name string");
  s->module_pos = Cur().pos;
  s->module = Next().text;
  while (Accept(Tok::kComma)) {
    if (Kind() == Tok::kRParen) break;
    LoadStmt::Binding b;
    b.pos = Cur().pos;
    if (Kind() == Tok::kIdent && KindAt(1) == Tok::kAssign) {
      b.local = Next().text;
      Next();
      if (Kind() != Tok::kString) return Unexpected("symbol name string");
      b.remote = Next().text;
    } else if (Kind() == Tok::kString) {
      b.remote = Next().text;
      b.local = b.remote;
    } else {
      return Unexpected("symbol name string");
    }
    if (b.remote.empty() || b.remote[0] == '_') {
      return Error(b.pos, fmt::format("load: symbol \"{}\" is private", b.remote));
    }
    loaded_.insert(b.local);
    s->bindings.push_back(std::move(b));
  }
  BERTH_RETURN_IF_ERROR(Expect(Tok::kRParen));
  if (s->bindings.empty()) return Error(pos, "load statement must import at least one symbol");
  return StmtPtr(std::move(s));
}

// Assignment and loop targets: names, x[i], x.f and (nested) tuples/lists of these.
Status Parser::CheckTarget(const Expr* e, bool bind_locals) {
  switch (e->kind) {
    case ExprKind::kIdent:
      if (bind_locals && def_ != nullptr) {
        def_->locals.insert(static_cast<const IdentExpr*>(e)->name);
      } else if (bind_locals) {
        globals_.insert(static_cast<const IdentExpr*>(e)->name);
      }
      return Status::Ok();
    case ExprKind::kIndex:
    case ExprKind::kDot:
      return Status::Ok();
    case ExprKind::kList:
    case ExprKind::kTuple: {
      const auto* seq = static_cast<const SequenceExpr*>(e);
      for (const ExprPtr& x : seq->elems) BERTH_RETURN_IF_ERROR(CheckTarget(x.get(), bind_locals));
      return Status::Ok();
    }
    default:
      return Error(e->pos, "cannot assign to this expression");
  }
}

Result<StmtPtr> Parser::SimpleStatement() {
  Pos pos = Cur().pos;
  switch (Kind()) {
    case Tok::kPass:
      Next();
      return StmtPtr(std::make_unique<SimpleStmt>(StmtKind::kPass, pos));
    case Tok::kBreak:
    case Tok::kContinue: {
      bool is_break = Kind() == Tok::kBreak;
      Next();
      if (loop_depth_ == 0) {
        return Error(pos, fmt::format("'{}' outside a loop", is_break ? "break" : "continue"));
      }
      return StmtPtr(
          std::make_unique<SimpleStmt>(is_break ? StmtKind::kBreak : StmtKind::kContinue, pos));
    }
    case Tok::kReturn: {
      Next();
      if (def_ == nullptr) return Error(pos, "'return' outside a function");
      auto s = std::make_unique<ReturnStmt>(pos);
      if (Kind() != Tok::kNewline && Kind() != Tok::kSemicolon && Kind() != Tok::kEof) {
        BERTH_ASSIGN_OR_RETURN(s->value, ExprList());
      }
      return StmtPtr(std::move(s));
    }
    case Tok::kLoad:
      return Load();
    case Tok::kIf:
    case Tok::kFor:
    case Tok::kWhile:
    case Tok::kDef:
      return Error(pos, fmt::format("syntax error: {} statement must start on its own line",
                                    TokName(Kind())));
    default:
      break;
  }
  BERTH_ASSIGN_OR_RETURN(ExprPtr lhs, ExprList());
  Tok k = Kind();
  if (k == Tok::kAssign) {
    Pos op_pos = Next().pos;
    BERTH_RETURN_IF_ERROR(CheckTarget(lhs.get(), /*bind_locals=*/true));
    auto s = std::make_unique<AssignStmt>(op_pos);
    s->target = std::move(lhs);
    BERTH_ASSIGN_OR_RETURN(s->value, ExprList());
    if (Kind() == Tok::kAssign)
      return Error(Cur().pos, "chained assignment (a = b = c) is not supported");
    return StmtPtr(std::move(s));
  }
  std::optional<BinaryOp> aug = AugOp(k);
  if (aug) {
    Pos op_pos = Next().pos;
    if (lhs->kind != ExprKind::kIdent && lhs->kind != ExprKind::kIndex &&
        lhs->kind != ExprKind::kDot) {
      return Error(lhs->pos, "augmented assignment needs a name, x[i] or x.f on the left");
    }
    BERTH_RETURN_IF_ERROR(CheckTarget(lhs.get(), /*bind_locals=*/true));
    auto s = std::make_unique<AugAssignStmt>(op_pos);
    s->op = *aug;
    s->target = std::move(lhs);
    BERTH_ASSIGN_OR_RETURN(s->value, ExprList());
    return StmtPtr(std::move(s));
  }
  return StmtPtr(std::make_unique<ExprStmt>(pos, std::move(lhs)));
}

Result<ExprPtr> Parser::ExprList() {
  Pos pos = Cur().pos;
  BERTH_ASSIGN_OR_RETURN(ExprPtr first, Test());
  if (Kind() != Tok::kComma) return first;
  auto t = std::make_unique<SequenceExpr>(ExprKind::kTuple, pos);
  t->elems.push_back(std::move(first));
  while (Accept(Tok::kComma)) {
    Tok k = Kind();
    if (k == Tok::kNewline || k == Tok::kEof || k == Tok::kAssign || k == Tok::kSemicolon ||
        k == Tok::kColon || k == Tok::kRParen || AugOp(k)) {
      break;
    }
    BERTH_ASSIGN_OR_RETURN(ExprPtr x, Test());
    t->elems.push_back(std::move(x));
  }
  BERTH_RETURN_IF_ERROR(FinishAll(t.get(), t->elems));
  return ExprPtr(std::move(t));
}

Result<ExprPtr> Parser::Test() {
  Nest nest(this);
  BERTH_RETURN_IF_ERROR(CheckNesting());
  if (Kind() == Tok::kLambda) return Lambda();
  BERTH_ASSIGN_OR_RETURN(ExprPtr x, Or());
  if (Kind() != Tok::kIf) return x;
  auto c = std::make_unique<CondExpr>(Next().pos);
  BERTH_ASSIGN_OR_RETURN(c->cond, Or());
  if (Kind() != Tok::kElse) return Unexpected("'else' in conditional expression");
  Next();
  BERTH_ASSIGN_OR_RETURN(c->otherwise, Test());
  c->then = std::move(x);
  BERTH_RETURN_IF_ERROR(Finish(c.get(), {c->cond.get(), c->then.get(), c->otherwise.get()}));
  return ExprPtr(std::move(c));
}

Result<ExprPtr> Parser::Lambda() {
  Pos pos = Next().pos;
  auto e = std::make_unique<LambdaExpr>(pos);
  e->def = std::make_unique<DefStmt>(pos);
  e->def->name = "lambda";
  BERTH_RETURN_IF_ERROR(Params(e->def.get(), Tok::kColon));
  BERTH_RETURN_IF_ERROR(Expect(Tok::kColon));
  DefStmt* outer = def_;
  def_ = e->def.get();
  int saved_loops = loop_depth_;
  loop_depth_ = 0;
  Result<ExprPtr> body = Test();
  loop_depth_ = saved_loops;
  def_ = outer;
  if (!body.ok()) return body.status();
  auto ret = std::make_unique<ReturnStmt>((*body)->pos);
  ret->value = std::move(body).value();
  BERTH_RETURN_IF_ERROR(Finish(e.get(), {ret->value.get()}));
  for (const Param& p : e->def->params) {
    if (p.default_value) BERTH_RETURN_IF_ERROR(Finish(e.get(), {p.default_value.get()}));
  }
  e->def->body.push_back(std::move(ret));
  return ExprPtr(std::move(e));
}

Result<ExprPtr> Parser::Or() {
  BERTH_ASSIGN_OR_RETURN(ExprPtr x, And());
  while (Kind() == Tok::kOr) {
    Pos pos = Next().pos;
    BERTH_ASSIGN_OR_RETURN(ExprPtr y, And());
    BERTH_ASSIGN_OR_RETURN(x, Binary(pos, BinaryOp::kOr, std::move(x), std::move(y)));
  }
  return x;
}

Result<ExprPtr> Parser::And() {
  BERTH_ASSIGN_OR_RETURN(ExprPtr x, Not());
  while (Kind() == Tok::kAnd) {
    Pos pos = Next().pos;
    BERTH_ASSIGN_OR_RETURN(ExprPtr y, Not());
    BERTH_ASSIGN_OR_RETURN(x, Binary(pos, BinaryOp::kAnd, std::move(x), std::move(y)));
  }
  return x;
}

Result<ExprPtr> Parser::Not() {
  if (Kind() != Tok::kNot) return Comparison();
  Nest nest(this);
  BERTH_RETURN_IF_ERROR(CheckNesting());
  Pos pos = Next().pos;
  BERTH_ASSIGN_OR_RETURN(ExprPtr x, Not());
  auto e = std::make_unique<UnaryExpr>(pos, UnaryOp::kNot, std::move(x));
  BERTH_RETURN_IF_ERROR(Finish(e.get(), {e->operand.get()}));
  return ExprPtr(std::move(e));
}

Result<ExprPtr> Parser::Comparison() {
  BERTH_ASSIGN_OR_RETURN(ExprPtr x, BitOr());
  bool compared = false;
  while (true) {
    BinaryOp op;
    switch (Kind()) {
      case Tok::kEq:
        op = BinaryOp::kEq;
        break;
      case Tok::kNe:
        op = BinaryOp::kNe;
        break;
      case Tok::kLt:
        op = BinaryOp::kLt;
        break;
      case Tok::kGt:
        op = BinaryOp::kGt;
        break;
      case Tok::kLe:
        op = BinaryOp::kLe;
        break;
      case Tok::kGe:
        op = BinaryOp::kGe;
        break;
      case Tok::kIn:
        op = BinaryOp::kIn;
        break;
      case Tok::kNot:
        if (KindAt(1) != Tok::kIn) return x;
        op = BinaryOp::kNotIn;
        break;
      default:
        return x;
    }
    if (compared) {
      return Error(Cur().pos, "comparison operators cannot be chained; use parentheses or 'and'");
    }
    Pos pos = Next().pos;
    if (op == BinaryOp::kNotIn) Next();
    BERTH_ASSIGN_OR_RETURN(ExprPtr y, BitOr());
    BERTH_ASSIGN_OR_RETURN(x, Binary(pos, op, std::move(x), std::move(y)));
    compared = true;
  }
}

Result<ExprPtr> Parser::BitOr() {
  BERTH_ASSIGN_OR_RETURN(ExprPtr x, BitXor());
  while (Kind() == Tok::kPipe) {
    Pos pos = Next().pos;
    BERTH_ASSIGN_OR_RETURN(ExprPtr y, BitXor());
    BERTH_ASSIGN_OR_RETURN(x, Binary(pos, BinaryOp::kBitOr, std::move(x), std::move(y)));
  }
  return x;
}

Result<ExprPtr> Parser::BitXor() {
  BERTH_ASSIGN_OR_RETURN(ExprPtr x, BitAnd());
  while (Kind() == Tok::kCaret) {
    Pos pos = Next().pos;
    BERTH_ASSIGN_OR_RETURN(ExprPtr y, BitAnd());
    BERTH_ASSIGN_OR_RETURN(x, Binary(pos, BinaryOp::kBitXor, std::move(x), std::move(y)));
  }
  return x;
}

Result<ExprPtr> Parser::BitAnd() {
  BERTH_ASSIGN_OR_RETURN(ExprPtr x, Shift());
  while (Kind() == Tok::kAmp) {
    Pos pos = Next().pos;
    BERTH_ASSIGN_OR_RETURN(ExprPtr y, Shift());
    BERTH_ASSIGN_OR_RETURN(x, Binary(pos, BinaryOp::kBitAnd, std::move(x), std::move(y)));
  }
  return x;
}

Result<ExprPtr> Parser::Shift() {
  BERTH_ASSIGN_OR_RETURN(ExprPtr x, Arith());
  while (Kind() == Tok::kLtLt || Kind() == Tok::kGtGt) {
    BinaryOp op = Kind() == Tok::kLtLt ? BinaryOp::kShl : BinaryOp::kShr;
    Pos pos = Next().pos;
    BERTH_ASSIGN_OR_RETURN(ExprPtr y, Arith());
    BERTH_ASSIGN_OR_RETURN(x, Binary(pos, op, std::move(x), std::move(y)));
  }
  return x;
}

Result<ExprPtr> Parser::Arith() {
  BERTH_ASSIGN_OR_RETURN(ExprPtr x, Term());
  while (Kind() == Tok::kPlus || Kind() == Tok::kMinus) {
    BinaryOp op = Kind() == Tok::kPlus ? BinaryOp::kPlus : BinaryOp::kMinus;
    Pos pos = Next().pos;
    BERTH_ASSIGN_OR_RETURN(ExprPtr y, Term());
    BERTH_ASSIGN_OR_RETURN(x, Binary(pos, op, std::move(x), std::move(y)));
  }
  return x;
}

Result<ExprPtr> Parser::Term() {
  BERTH_ASSIGN_OR_RETURN(ExprPtr x, Unary());
  while (true) {
    BinaryOp op;
    switch (Kind()) {
      case Tok::kStar:
        op = BinaryOp::kStar;
        break;
      case Tok::kSlash:
        op = BinaryOp::kSlash;
        break;
      case Tok::kSlashSlash:
        op = BinaryOp::kSlashSlash;
        break;
      case Tok::kPercent:
        op = BinaryOp::kPercent;
        break;
      case Tok::kStarStar:
        return Error(Cur().pos, "the ** operator is not supported");
      default:
        return x;
    }
    Pos pos = Next().pos;
    BERTH_ASSIGN_OR_RETURN(ExprPtr y, Unary());
    BERTH_ASSIGN_OR_RETURN(x, Binary(pos, op, std::move(x), std::move(y)));
  }
}

Result<ExprPtr> Parser::Unary() {
  if (Kind() != Tok::kMinus && Kind() != Tok::kPlus && Kind() != Tok::kTilde) return Postfix();
  Nest nest(this);
  BERTH_RETURN_IF_ERROR(CheckNesting());
  UnaryOp op = Kind() == Tok::kMinus  ? UnaryOp::kMinus
               : Kind() == Tok::kPlus ? UnaryOp::kPlus
                                      : UnaryOp::kInvert;
  Pos pos = Next().pos;
  BERTH_ASSIGN_OR_RETURN(ExprPtr x, Unary());
  auto e = std::make_unique<UnaryExpr>(pos, op, std::move(x));
  BERTH_RETURN_IF_ERROR(Finish(e.get(), {e->operand.get()}));
  return ExprPtr(std::move(e));
}

Result<ExprPtr> Parser::Postfix() {
  BERTH_ASSIGN_OR_RETURN(ExprPtr x, Operand());
  while (true) {
    if (Kind() == Tok::kDot) {
      Pos pos = Next().pos;
      if (Kind() != Tok::kIdent) return Unexpected("attribute name after '.'");
      Pos name_pos = Cur().pos;
      std::string name = Next().text;
      auto e = std::make_unique<DotExpr>(pos, std::move(x), std::move(name), name_pos);
      BERTH_RETURN_IF_ERROR(Finish(e.get(), {e->object.get()}));
      x = std::move(e);
    } else if (Kind() == Tok::kLParen) {
      Pos pos = Next().pos;
      BERTH_ASSIGN_OR_RETURN(x, CallArgs(std::move(x), pos));
    } else if (Kind() == Tok::kLBracket) {
      Pos pos = Next().pos;
      BERTH_ASSIGN_OR_RETURN(x, Subscript(std::move(x), pos));
    } else {
      return x;
    }
  }
}

Result<ExprPtr> Parser::CallArgs(ExprPtr fn, Pos lparen) {
  // The caret of a failed call points at the function's name.
  Pos pos = fn->kind == ExprKind::kDot     ? static_cast<DotExpr*>(fn.get())->name_pos
            : fn->kind == ExprKind::kIdent ? fn->pos
                                           : lparen;
  auto call = std::make_unique<CallExpr>(pos);
  call->fn = std::move(fn);
  bool seen_named = false, seen_starstar = false;
  while (Kind() != Tok::kRParen) {
    Arg a;
    a.pos = Cur().pos;
    if (Accept(Tok::kStar)) {
      a.kind = Arg::Kind::kStar;
      if (seen_starstar) return Error(a.pos, "*args argument follows **kwargs argument");
    } else if (Accept(Tok::kStarStar)) {
      a.kind = Arg::Kind::kStarStar;
      seen_starstar = true;
    } else if (Kind() == Tok::kIdent && KindAt(1) == Tok::kAssign) {
      a.kind = Arg::Kind::kNamed;
      a.name = Next().text;
      Next();
      if (seen_starstar) return Error(a.pos, "keyword argument follows **kwargs argument");
      for (const Arg& b : call->args) {
        if (b.kind == Arg::Kind::kNamed && b.name == a.name) {
          return Error(a.pos, fmt::format("keyword argument \"{}\" repeated", a.name));
        }
      }
      seen_named = true;
    } else if (seen_named || seen_starstar) {
      return Error(a.pos, "positional argument follows keyword argument");
    }
    BERTH_ASSIGN_OR_RETURN(a.value, Test());
    call->args.push_back(std::move(a));
    if (!Accept(Tok::kComma)) break;
  }
  BERTH_RETURN_IF_ERROR(Expect(Tok::kRParen));
  int d = call->fn->depth;
  for (const Arg& a : call->args) d = std::max(d, a.value->depth);
  call->depth = d + 1;
  if (call->depth > kMaxExprDepth) return Error(call->pos, "expression is nested too deeply");
  return ExprPtr(std::move(call));
}

Result<ExprPtr> Parser::Subscript(ExprPtr object, Pos pos) {
  ExprPtr lo;
  if (Kind() != Tok::kColon) {
    BERTH_ASSIGN_OR_RETURN(lo, Test());
    if (Kind() == Tok::kComma) {
      // x[a, b]: an unparenthesized tuple index.
      auto t = std::make_unique<SequenceExpr>(ExprKind::kTuple, lo->pos);
      t->elems.push_back(std::move(lo));
      while (Accept(Tok::kComma)) {
        if (Kind() == Tok::kRBracket) break;
        BERTH_ASSIGN_OR_RETURN(ExprPtr y, Test());
        t->elems.push_back(std::move(y));
      }
      BERTH_RETURN_IF_ERROR(FinishAll(t.get(), t->elems));
      lo = std::move(t);
      if (Kind() != Tok::kRBracket) return Unexpected("']'");
    }
    if (Accept(Tok::kRBracket)) {
      auto e = std::make_unique<IndexExpr>(pos);
      e->object = std::move(object);
      e->index = std::move(lo);
      BERTH_RETURN_IF_ERROR(Finish(e.get(), {e->object.get(), e->index.get()}));
      return ExprPtr(std::move(e));
    }
  }
  auto e = std::make_unique<SliceExpr>(pos);
  e->object = std::move(object);
  e->lo = std::move(lo);
  BERTH_RETURN_IF_ERROR(Expect(Tok::kColon));
  if (Kind() != Tok::kColon && Kind() != Tok::kRBracket) {
    BERTH_ASSIGN_OR_RETURN(e->hi, Test());
  }
  if (Accept(Tok::kColon) && Kind() != Tok::kRBracket) {
    BERTH_ASSIGN_OR_RETURN(e->step, Test());
  }
  BERTH_RETURN_IF_ERROR(Expect(Tok::kRBracket));
  BERTH_RETURN_IF_ERROR(
      Finish(e.get(), {e->object.get(), e->lo.get(), e->hi.get(), e->step.get()}));
  return ExprPtr(std::move(e));
}

// Loop variables of a for statement or clause: primary expressions separated by commas.
Result<ExprPtr> Parser::Targets() {
  Pos pos = Cur().pos;
  BERTH_ASSIGN_OR_RETURN(ExprPtr first, Postfix());
  if (Kind() != Tok::kComma) return first;
  auto t = std::make_unique<SequenceExpr>(ExprKind::kTuple, pos);
  t->elems.push_back(std::move(first));
  while (Accept(Tok::kComma)) {
    if (Kind() == Tok::kIn) break;
    BERTH_ASSIGN_OR_RETURN(ExprPtr x, Postfix());
    t->elems.push_back(std::move(x));
  }
  BERTH_RETURN_IF_ERROR(FinishAll(t.get(), t->elems));
  return ExprPtr(std::move(t));
}

Status Parser::Clauses(ComprehensionExpr* c, Tok close) {
  while (Kind() != close) {
    ComprehensionExpr::Clause clause;
    if (Accept(Tok::kFor)) {
      clause.is_for = true;
      BERTH_ASSIGN_OR_RETURN(clause.target, Targets());
      BERTH_RETURN_IF_ERROR(CheckTarget(clause.target.get(), /*bind_locals=*/false));
      BERTH_RETURN_IF_ERROR(Expect(Tok::kIn));
      BERTH_ASSIGN_OR_RETURN(clause.expr, Or());
    } else if (Accept(Tok::kIf)) {
      clause.is_for = false;
      if (Kind() == Tok::kLambda) {
        BERTH_ASSIGN_OR_RETURN(clause.expr, Lambda());
      } else {
        BERTH_ASSIGN_OR_RETURN(clause.expr, Or());
      }
    } else {
      return Unexpected(fmt::format("'for', 'if' or {}", TokName(close)));
    }
    c->depth = std::max({c->depth, DepthOf(clause.target.get()) + 1, clause.expr->depth + 1});
    c->clauses.push_back(std::move(clause));
  }
  Next();
  if (c->depth > kMaxExprDepth) return Error(c->pos, "expression is nested too deeply");
  return Status::Ok();
}

Result<ExprPtr> Parser::Operand() {
  const Token& t = Cur();
  Pos pos = t.pos;
  switch (t.kind) {
    case Tok::kIdent: {
      auto e = std::make_unique<IdentExpr>(pos, t.text);
      Next();
      return ExprPtr(std::move(e));
    }
    case Tok::kInt: {
      auto e = std::make_unique<IntExpr>(pos, t.big ? 0 : t.value);
      if (t.big) e->big = BigInt::Parse(t.text, static_cast<int>(t.value));
      Next();
      return ExprPtr(std::move(e));
    }
    case Tok::kFloat: {
      auto e = std::make_unique<FloatExpr>(pos, t.fvalue);
      Next();
      return ExprPtr(std::move(e));
    }
    case Tok::kBytes: {
      auto e = std::make_unique<StringExpr>(pos, t.text, /*bytes=*/true);
      Next();
      return ExprPtr(std::move(e));
    }
    case Tok::kString: {
      auto e = std::make_unique<StringExpr>(pos, t.text);
      Next();
      if (Kind() == Tok::kString || Kind() == Tok::kBytes) {
        return Error(Cur().pos, "adjacent string literals are not concatenated; use +");
      }
      return ExprPtr(std::move(e));
    }
    case Tok::kNone:
    case Tok::kTrue:
    case Tok::kFalse: {
      auto which = t.kind == Tok::kNone   ? ConstExpr::Which::kNone
                   : t.kind == Tok::kTrue ? ConstExpr::Which::kTrue
                                          : ConstExpr::Which::kFalse;
      Next();
      return ExprPtr(std::make_unique<ConstExpr>(pos, which));
    }
    case Tok::kLParen: {
      Next();
      if (Accept(Tok::kRParen)) {
        return ExprPtr(std::make_unique<SequenceExpr>(ExprKind::kTuple, pos));
      }
      BERTH_ASSIGN_OR_RETURN(ExprPtr x, Test());
      if (Accept(Tok::kRParen)) return x;
      if (Kind() != Tok::kComma) return Unexpected("')' or ','");
      auto tup = std::make_unique<SequenceExpr>(ExprKind::kTuple, pos);
      tup->elems.push_back(std::move(x));
      while (Accept(Tok::kComma)) {
        if (Kind() == Tok::kRParen) break;
        BERTH_ASSIGN_OR_RETURN(ExprPtr y, Test());
        tup->elems.push_back(std::move(y));
      }
      BERTH_RETURN_IF_ERROR(Expect(Tok::kRParen));
      BERTH_RETURN_IF_ERROR(FinishAll(tup.get(), tup->elems));
      return ExprPtr(std::move(tup));
    }
    case Tok::kLBracket: {
      Next();
      auto list = std::make_unique<SequenceExpr>(ExprKind::kList, pos);
      if (Accept(Tok::kRBracket)) return ExprPtr(std::move(list));
      BERTH_ASSIGN_OR_RETURN(ExprPtr first, Test());
      if (Kind() == Tok::kFor) {
        auto c = std::make_unique<ComprehensionExpr>(pos);
        c->depth = first->depth + 1;
        c->body = std::move(first);
        BERTH_RETURN_IF_ERROR(Clauses(c.get(), Tok::kRBracket));
        return ExprPtr(std::move(c));
      }
      list->elems.push_back(std::move(first));
      while (Accept(Tok::kComma)) {
        if (Kind() == Tok::kRBracket) break;
        BERTH_ASSIGN_OR_RETURN(ExprPtr y, Test());
        list->elems.push_back(std::move(y));
      }
      BERTH_RETURN_IF_ERROR(Expect(Tok::kRBracket));
      BERTH_RETURN_IF_ERROR(FinishAll(list.get(), list->elems));
      return ExprPtr(std::move(list));
    }
    case Tok::kLBrace: {
      Next();
      auto dict = std::make_unique<DictExpr>(pos);
      if (Accept(Tok::kRBrace)) return ExprPtr(std::move(dict));
      BERTH_ASSIGN_OR_RETURN(ExprPtr key, Test());
      if (Kind() != Tok::kColon) {
        return Error(Cur().pos,
                     "syntax error: expected ':' in dict literal (sets are not supported)");
      }
      Next();
      BERTH_ASSIGN_OR_RETURN(ExprPtr value, Test());
      if (Kind() == Tok::kFor) {
        auto c = std::make_unique<ComprehensionExpr>(pos);
        c->is_dict = true;
        c->depth = std::max(key->depth, value->depth) + 1;
        c->body = std::move(key);
        c->value = std::move(value);
        BERTH_RETURN_IF_ERROR(Clauses(c.get(), Tok::kRBrace));
        return ExprPtr(std::move(c));
      }
      dict->depth = std::max(key->depth, value->depth) + 1;
      dict->entries.emplace_back(std::move(key), std::move(value));
      while (Accept(Tok::kComma)) {
        if (Kind() == Tok::kRBrace) break;
        BERTH_ASSIGN_OR_RETURN(ExprPtr k, Test());
        BERTH_RETURN_IF_ERROR(Expect(Tok::kColon));
        BERTH_ASSIGN_OR_RETURN(ExprPtr v, Test());
        dict->depth = std::max({dict->depth, k->depth + 1, v->depth + 1});
        dict->entries.emplace_back(std::move(k), std::move(v));
      }
      BERTH_RETURN_IF_ERROR(Expect(Tok::kRBrace));
      if (dict->depth > kMaxExprDepth) return Error(pos, "expression is nested too deeply");
      return ExprPtr(std::move(dict));
    }
    default:
      return Unexpected("an expression");
  }
}

}  // namespace

Result<std::unique_ptr<Program>> Parse(SourceFile file, ParseOptions options) {
  auto program = std::make_unique<Program>();
  program->file = std::move(file);
  BERTH_ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(program->file));
  Parser parser(program->file, std::move(tokens), options);
  BERTH_ASSIGN_OR_RETURN(program->stmts, parser.File());
  program->globals = parser.TakeGlobals();
  program->loaded = parser.TakeLoaded();
  return program;
}

}  // namespace berth::starlark
