// The syntax tree of a Starlark file. Nodes are plain structs owned through unique_ptr; the
// parser builds them and the evaluator walks them by switching on `kind`.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "appspec/starlark/bigint.h"
#include "appspec/starlark/source.h"

namespace berth::starlark {

enum class ExprKind {
  kIdent,
  kInt,
  kFloat,
  kString,
  kBytes,
  kConst,  // None, True, False
  kList,
  kTuple,
  kDict,
  kComprehension,
  kUnary,
  kBinary,
  kCond,
  kCall,
  kIndex,
  kSlice,
  kDot,
  kLambda,
};

struct Expr {
  Expr(ExprKind k, Pos p) : kind(k), pos(p) {}
  virtual ~Expr() = default;
  ExprKind kind;
  Pos pos;
  int depth = 1;  // height of the subtree, bounded by the parser so evaluation can't overflow
};
using ExprPtr = std::unique_ptr<Expr>;

struct IdentExpr : Expr {
  IdentExpr(Pos p, std::string n) : Expr(ExprKind::kIdent, p), name(std::move(n)) {}
  std::string name;
};

struct IntExpr : Expr {
  IntExpr(Pos p, int64_t v) : Expr(ExprKind::kInt, p), value(v) {}
  int64_t value;
  std::optional<BigInt> big;  // the value of a literal beyond 64 bits
};

struct FloatExpr : Expr {
  FloatExpr(Pos p, double v) : Expr(ExprKind::kFloat, p), value(v) {}
  double value;
};

// A string, or a bytes literal (kind kBytes).
struct StringExpr : Expr {
  StringExpr(Pos p, std::string v, bool bytes = false)
      : Expr(bytes ? ExprKind::kBytes : ExprKind::kString, p), value(std::move(v)) {}
  std::string value;
};

struct ConstExpr : Expr {
  enum class Which { kNone, kTrue, kFalse };
  ConstExpr(Pos p, Which w) : Expr(ExprKind::kConst, p), which(w) {}
  Which which;
};

// A list or tuple display: [a, b] or (a, b) or a, b.
struct SequenceExpr : Expr {
  SequenceExpr(ExprKind k, Pos p) : Expr(k, p) {}
  std::vector<ExprPtr> elems;
};

struct DictExpr : Expr {
  explicit DictExpr(Pos p) : Expr(ExprKind::kDict, p) {}
  std::vector<std::pair<ExprPtr, ExprPtr>> entries;
};

// [body for x in xs if c] or {key: value for ...}.
struct ComprehensionExpr : Expr {
  explicit ComprehensionExpr(Pos p) : Expr(ExprKind::kComprehension, p) {}
  struct Clause {
    bool is_for = true;
    ExprPtr target;  // for: the loop variables
    ExprPtr expr;    // for: the iterable; if: the condition
  };
  bool is_dict = false;
  ExprPtr body;   // the element, or the key of a dict comprehension
  ExprPtr value;  // the value of a dict comprehension
  std::vector<Clause> clauses;
};

enum class UnaryOp { kNot, kMinus, kPlus, kInvert };

struct UnaryExpr : Expr {
  UnaryExpr(Pos p, UnaryOp o, ExprPtr x)
      : Expr(ExprKind::kUnary, p), op(o), operand(std::move(x)) {}
  UnaryOp op;
  ExprPtr operand;
};

enum class BinaryOp {
  kOr,
  kAnd,
  kEq,
  kNe,
  kLt,
  kGt,
  kLe,
  kGe,
  kIn,
  kNotIn,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kSlashSlash,
  kPercent,
  kBitAnd,
  kBitOr,
  kBitXor,
  kShl,
  kShr,
};
const char* BinaryOpName(BinaryOp op);

struct BinaryExpr : Expr {
  BinaryExpr(Pos p, BinaryOp o, ExprPtr l, ExprPtr r)
      : Expr(ExprKind::kBinary, p), op(o), lhs(std::move(l)), rhs(std::move(r)) {}
  BinaryOp op;
  ExprPtr lhs, rhs;
};

// then if cond else otherwise
struct CondExpr : Expr {
  explicit CondExpr(Pos p) : Expr(ExprKind::kCond, p) {}
  ExprPtr cond, then, otherwise;
};

struct Arg {
  enum class Kind { kPositional, kNamed, kStar, kStarStar };
  Kind kind = Kind::kPositional;
  Pos pos;           // of the name for a named argument, else of the value
  std::string name;  // kNamed only
  ExprPtr value;
};

struct CallExpr : Expr {
  explicit CallExpr(Pos p) : Expr(ExprKind::kCall, p) {}
  ExprPtr fn;
  std::vector<Arg> args;
};

struct IndexExpr : Expr {
  explicit IndexExpr(Pos p) : Expr(ExprKind::kIndex, p) {}
  ExprPtr object, index;
};

struct SliceExpr : Expr {
  explicit SliceExpr(Pos p) : Expr(ExprKind::kSlice, p) {}
  ExprPtr object, lo, hi, step;  // lo, hi and step may be null
};

struct DotExpr : Expr {
  DotExpr(Pos p, ExprPtr o, std::string n, Pos np)
      : Expr(ExprKind::kDot, p), object(std::move(o)), name(std::move(n)), name_pos(np) {}
  ExprPtr object;
  std::string name;
  Pos name_pos;
};

enum class StmtKind {
  kExpr,
  kAssign,
  kAugAssign,
  kIf,
  kFor,
  kWhile,
  kDef,
  kReturn,
  kPass,
  kBreak,
  kContinue,
  kLoad,
};

struct Stmt {
  Stmt(StmtKind k, Pos p) : kind(k), pos(p) {}
  virtual ~Stmt() = default;
  StmtKind kind;
  Pos pos;
};
using StmtPtr = std::unique_ptr<Stmt>;
using Block = std::vector<StmtPtr>;

struct ExprStmt : Stmt {
  ExprStmt(Pos p, ExprPtr e) : Stmt(StmtKind::kExpr, p), expr(std::move(e)) {}
  ExprPtr expr;
};

struct AssignStmt : Stmt {
  explicit AssignStmt(Pos p) : Stmt(StmtKind::kAssign, p) {}
  ExprPtr target, value;
};

struct AugAssignStmt : Stmt {
  explicit AugAssignStmt(Pos p) : Stmt(StmtKind::kAugAssign, p) {}
  BinaryOp op = BinaryOp::kPlus;
  ExprPtr target, value;
};

struct IfStmt : Stmt {
  explicit IfStmt(Pos p) : Stmt(StmtKind::kIf, p) {}
  ExprPtr cond;
  Block then, otherwise;  // elif is an IfStmt alone in `otherwise`
};

struct ForStmt : Stmt {
  explicit ForStmt(Pos p) : Stmt(StmtKind::kFor, p) {}
  ExprPtr target, iterable;
  Block body;
};

// while cond: body (only when the interpreter allows while loops).
struct WhileStmt : Stmt {
  explicit WhileStmt(Pos p) : Stmt(StmtKind::kWhile, p) {}
  ExprPtr cond;
  Block body;
};

// A parameter. A kNormal parameter after a kStar one (named or the bare `*`) is keyword-only.
struct Param {
  enum class Kind { kNormal, kStar, kStarStar };
  Kind kind = Kind::kNormal;
  Pos pos;
  std::string name;       // empty for the bare `*`
  ExprPtr default_value;  // may be null
};

struct DefStmt : Stmt {
  explicit DefStmt(Pos p) : Stmt(StmtKind::kDef, p) {}
  std::string name;
  std::vector<Param> params;
  Block body;
  // Every name bound in the body (parameters, assignment and loop targets): these are local.
  // Other names resolve in the enclosing functions' locals (a closure), then the globals.
  std::set<std::string> locals;
};

// lambda params: body. The body is held as a DefStmt whose block is `return body`.
struct LambdaExpr : Expr {
  explicit LambdaExpr(Pos p) : Expr(ExprKind::kLambda, p) {}
  std::unique_ptr<DefStmt> def;
};

struct ReturnStmt : Stmt {
  explicit ReturnStmt(Pos p) : Stmt(StmtKind::kReturn, p) {}
  ExprPtr value;  // may be null
};

struct SimpleStmt : Stmt {  // pass, break, continue
  SimpleStmt(StmtKind k, Pos p) : Stmt(k, p) {}
};

struct LoadStmt : Stmt {
  explicit LoadStmt(Pos p) : Stmt(StmtKind::kLoad, p) {}
  std::string module;
  Pos module_pos;
  struct Binding {
    std::string local, remote;
    Pos pos;
  };
  std::vector<Binding> bindings;
};

// A parsed file. The evaluator keeps it alive as long as functions defined in it exist.
struct Program {
  SourceFile file;
  Block stmts;
  // Names the file binds at the top level (assignments, loops, defs) and by load: a use of one
  // before it is bound fails as "referenced before assignment", not "undefined", even when a
  // builtin of that name exists (starlark-go's resolver).
  std::set<std::string> globals;
  std::set<std::string> loaded;
};

}  // namespace berth::starlark
