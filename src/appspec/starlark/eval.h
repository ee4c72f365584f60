// The tree-walking evaluator behind Interpreter (internal to the starlark module).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "appspec/starlark/ast.h"
#include "appspec/starlark/interpreter.h"
#include "appspec/starlark/value.h"
#include "base/status.h"

namespace berth::starlark {

// The globals of one file.
struct ModuleEnv {
  const Program* program = nullptr;
  Predeclared predeclared;
  std::unordered_map<std::string, Value> globals;
  std::vector<std::string> order;  // global names in definition order

  void Set(const std::string& name, Value v) {
    if (globals.emplace(name, v).second) {
      order.push_back(name);
    } else {
      globals[name] = v;
    }
  }
};

// The variables of one function call. A nested def or lambda keeps its enclosing call's Env
// alive and sees later assignments to it, as closures do. An Env with def == null is a snapshot
// of comprehension variables, where every name in `vars` is bound.
struct Env {
  const DefStmt* def = nullptr;
  std::unordered_map<std::string, Value> vars;
  std::shared_ptr<Env> parent;
};

class Evaluator {
 public:
  explicit Evaluator(Interpreter& interp) : interp_(interp) {}

  // Parses and runs a file; returns its globals as a module struct.
  Result<Value> ExecFile(SourceFile file, const Predeclared& predeclared);

  // Calls any callable. Errors in binding the arguments are not located; *error_arg (when not
  // null) receives the index of the argument to blame, or -1.
  Result<Value> CallValue(Value fn, std::vector<Value> args, NamedValues kwargs, int* error_arg);

  // Whether an error already carries a position (and so must not get another): it is the
  // error the evaluator last located, passed on unchanged (e.g. by a builtin whose callback
  // failed). A builtin's own error, even one made after a callback failed, is not.
  bool IsLocated(const Status& st) const;

 private:
  friend class Interpreter;
  enum class Flow { kNormal, kBreak, kContinue, kReturn };
  struct Frame {
    ModuleEnv* module = nullptr;
    const DefStmt* def = nullptr;     // null at the top level of a file
    std::shared_ptr<Env> env;         // the locals; null at the top level of a file
    std::vector<NamedValues> scopes;  // comprehension variables, innermost last
    Value ret;
  };
  class DepthGuard;

  Status Err(Pos pos, std::string_view msg);
  Status MarkLocated(Status st);
  Status Locate(Pos pos, const Status& st);

  Result<Flow> ExecBlock(const Block& block);
  Result<Flow> Exec(const Stmt& s);
  Status ExecFor(const ForStmt& s, Flow* flow);
  Status ExecDef(const DefStmt& s);
  Result<Value> MakeFunction(const DefStmt& s);
  Status ExecLoad(const LoadStmt& s);
  Status ExecAugAssign(const AugAssignStmt& s);
  Status Assign(const Expr& target, Value v, bool comprehension);
  Status Bind(const std::string& name, Value v, bool comprehension);

  Result<Value> Eval(const Expr& e);
  Result<Value> EvalIdent(const IdentExpr& e);
  Result<Value> EvalBinary(const BinaryExpr& e);
  Result<Value> EvalCall(const CallExpr& e);
  Result<Value> EvalDot(const DotExpr& e);
  Result<Value> EvalComprehension(const ComprehensionExpr& e);
  Status Clause(const ComprehensionExpr& e, size_t i, Value result);
  Result<Value> CallFunction(FunctionObj* fn, std::vector<Value> args, NamedValues kwargs,
                             int* error_arg);
  std::vector<std::string> VisibleNames() const;

  Interpreter& interp_;
  Frame* frame_ = nullptr;
  std::vector<std::shared_ptr<const Program>> programs_;
  std::vector<std::unique_ptr<ModuleEnv>> modules_;
  std::vector<const DefStmt*> call_stack_;
  int depth_ = 0;
  std::string located_msg_;  // the message of the error last located
};

}  // namespace berth::starlark
