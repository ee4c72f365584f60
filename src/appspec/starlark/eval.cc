#include "appspec/starlark/eval.h"

#include <fmt/format.h>

#include <algorithm>

#include "appspec/starlark/builtins.h"
#include "appspec/starlark/operators.h"
#include "appspec/starlark/parser.h"
#include "appspec/starlark/program_cache.h"
#include "appspec/starlark/suggest.h"

namespace berth::starlark {
namespace {

// Bounds on the evaluator's own recursion (expressions, statements and calls nest on the C++
// stack) so that no input can overflow it.
constexpr int kMaxEvalDepth = 400;
constexpr size_t kMaxCallDepth = 100;

// Marks a list or dict as being iterated over for the guard's lifetime, so that mutating it
// inside the loop fails.
class IterationGuard {
 public:
  explicit IterationGuard(Value v) : v_(v) {
    if (v_.is(Type::kList)) ++v_.list()->iterating;
    if (v_.is(Type::kDict)) ++v_.dict()->iterating;
    if (v_.is(Type::kSet)) ++v_.set()->iterating;
  }
  ~IterationGuard() {
    if (v_.is(Type::kList)) --v_.list()->iterating;
    if (v_.is(Type::kDict)) --v_.dict()->iterating;
    if (v_.is(Type::kSet)) --v_.set()->iterating;
  }
  IterationGuard(const IterationGuard&) = delete;
  IterationGuard& operator=(const IterationGuard&) = delete;

 private:
  Value v_;
};

}  // namespace

class Evaluator::DepthGuard {
 public:
  explicit DepthGuard(Evaluator* e) : e_(e) { ++e_->depth_; }
  ~DepthGuard() { --e_->depth_; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;
  bool too_deep() const { return e_->depth_ > kMaxEvalDepth; }

 private:
  Evaluator* e_;
};

Status Evaluator::Err(Pos pos, std::string_view msg) {
  return MarkLocated(Status::InvalidArgument(FormatError(frame_->module->program->file, pos, msg)));
}

Status Evaluator::MarkLocated(Status st) {
  located_msg_ = st.message();
  return st;
}

bool Evaluator::IsLocated(const Status& st) const {
  return !st.ok() && st.message() == located_msg_;
}

Status Evaluator::Locate(Pos pos, const Status& st) {
  if (st.ok() || IsLocated(st)) return st;
  return Err(pos, st.message());
}

Result<Value> Evaluator::ExecFile(SourceFile file, const Predeclared& predeclared) {
  const ParseOptions options{.allow_while = interp_.options().allow_while};
  std::shared_ptr<const Program> program;
  if (ProgramCache* cache = interp_.options().programs) {
    BERTH_ASSIGN_OR_RETURN(program, cache->Get(std::move(file), options));
  } else {
    BERTH_ASSIGN_OR_RETURN(program, Parse(std::move(file), options));
  }
  auto module = std::make_unique<ModuleEnv>();
  module->program = program.get();
  module->predeclared = predeclared;
  ModuleEnv* env = module.get();
  programs_.push_back(std::move(program));
  modules_.push_back(std::move(module));

  Frame frame;
  frame.module = env;
  Frame* saved = frame_;
  frame_ = &frame;
  Result<Flow> r = ExecBlock(env->program->stmts);
  frame_ = saved;
  if (!r.ok()) return r.status();
  NamedValues fields;
  for (const std::string& name : env->order) fields.emplace_back(name, env->globals[name]);
  return interp_.NewStruct("module", env->program->file.name, std::move(fields));
}

Result<Evaluator::Flow> Evaluator::ExecBlock(const Block& block) {
  for (const StmtPtr& s : block) {
    BERTH_ASSIGN_OR_RETURN(Flow f, Exec(*s));
    if (f != Flow::kNormal) return f;
  }
  return Flow::kNormal;
}

Result<Evaluator::Flow> Evaluator::Exec(const Stmt& s) {
  DepthGuard guard(this);
  if (guard.too_deep()) return Err(s.pos, "evaluation is nested too deeply");
  BERTH_RETURN_IF_ERROR(Locate(s.pos, interp_.Charge(1)));
  switch (s.kind) {
    case StmtKind::kExpr: {
      BERTH_ASSIGN_OR_RETURN(Value v, Eval(*static_cast<const ExprStmt&>(s).expr));
      (void)v;
      return Flow::kNormal;
    }
    case StmtKind::kAssign: {
      const auto& a = static_cast<const AssignStmt&>(s);
      BERTH_ASSIGN_OR_RETURN(Value v, Eval(*a.value));
      BERTH_RETURN_IF_ERROR(Assign(*a.target, v, false));
      return Flow::kNormal;
    }
    case StmtKind::kAugAssign:
      BERTH_RETURN_IF_ERROR(ExecAugAssign(static_cast<const AugAssignStmt&>(s)));
      return Flow::kNormal;
    case StmtKind::kIf: {
      const auto& i = static_cast<const IfStmt&>(s);
      BERTH_ASSIGN_OR_RETURN(Value c, Eval(*i.cond));
      return ExecBlock(Truth(c) ? i.then : i.otherwise);
    }
    case StmtKind::kFor: {
      Flow flow = Flow::kNormal;
      BERTH_RETURN_IF_ERROR(ExecFor(static_cast<const ForStmt&>(s), &flow));
      return flow;
    }
    case StmtKind::kWhile: {
      const auto& w = static_cast<const WhileStmt&>(s);
      while (true) {
        BERTH_ASSIGN_OR_RETURN(Value c, Eval(*w.cond));
        if (!Truth(c)) break;
        BERTH_RETURN_IF_ERROR(Locate(s.pos, interp_.Charge(1)));
        BERTH_ASSIGN_OR_RETURN(Flow f, ExecBlock(w.body));
        if (f == Flow::kBreak) break;
        if (f == Flow::kReturn) return f;
      }
      return Flow::kNormal;
    }
    case StmtKind::kDef:
      BERTH_RETURN_IF_ERROR(ExecDef(static_cast<const DefStmt&>(s)));
      return Flow::kNormal;
    case StmtKind::kReturn: {
      const auto& r = static_cast<const ReturnStmt&>(s);
      Value v;
      if (r.value) {
        BERTH_ASSIGN_OR_RETURN(v, Eval(*r.value));
      }
      frame_->ret = v;
      return Flow::kReturn;
    }
    case StmtKind::kPass:
      return Flow::kNormal;
    case StmtKind::kBreak:
      return Flow::kBreak;
    case StmtKind::kContinue:
      return Flow::kContinue;
    case StmtKind::kLoad:
      BERTH_RETURN_IF_ERROR(ExecLoad(static_cast<const LoadStmt&>(s)));
      return Flow::kNormal;
  }
  return Flow::kNormal;
}

Status Evaluator::ExecFor(const ForStmt& s, Flow* flow) {
  BERTH_ASSIGN_OR_RETURN(Value iterable, Eval(*s.iterable));
  Result<std::vector<Value>> items = Iterate(interp_, iterable);
  if (!items.ok()) return Locate(s.iterable->pos, items.status());
  IterationGuard iterating(iterable);
  for (Value v : *items) {
    BERTH_RETURN_IF_ERROR(Locate(s.pos, interp_.Charge(1)));
    BERTH_RETURN_IF_ERROR(Assign(*s.target, v, false));
    BERTH_ASSIGN_OR_RETURN(Flow f, ExecBlock(s.body));
    if (f == Flow::kBreak) break;
    if (f == Flow::kReturn) {
      *flow = Flow::kReturn;
      break;
    }
  }
  return Status::Ok();
}

Result<Value> Evaluator::MakeFunction(const DefStmt& s) {
  std::vector<Value> defaults;
  for (const Param& p : s.params) {
    Value d;
    if (p.default_value) {
      BERTH_ASSIGN_OR_RETURN(d, Eval(*p.default_value));
    }
    defaults.push_back(d);
  }
  std::shared_ptr<Env> env = frame_->env;
  if (!frame_->scopes.empty()) {
    // Comprehension variables in scope here: capture their current values.
    auto snapshot = std::make_shared<Env>();
    for (const NamedValues& scope : frame_->scopes) {
      for (const auto& [n, v] : scope) snapshot->vars[n] = v;
    }
    snapshot->parent = std::move(env);
    env = std::move(snapshot);
  }
  auto* fn = interp_.New<FunctionObj>(&s, frame_->module, std::move(defaults), std::move(env));
  return Value(fn);
}

Status Evaluator::ExecDef(const DefStmt& s) {
  BERTH_ASSIGN_OR_RETURN(Value fn, MakeFunction(s));
  return Bind(s.name, fn, false);
}

Status Evaluator::ExecLoad(const LoadStmt& s) {
  Result<Value> module = interp_.Load(s.module);
  if (!module.ok()) return Locate(s.module_pos, module.status());
  if (!module->is(Type::kStruct)) {
    return Err(s.module_pos, fmt::format("load(\"{}\") did not produce a module", s.module));
  }
  StructObj* m = module->struct_value();
  for (const auto& b : s.bindings) {
    const Value* v = m->Get(b.remote);
    if (v == nullptr) {
      std::string near = Suggest(b.remote, m->FieldNames());
      return Err(b.pos,
                 fmt::format("load: name {} not found in module {}{}", b.remote, Quote(s.module),
                             near.empty() ? "" : fmt::format(" (did you mean {}?)", near)));
    }
    BERTH_RETURN_IF_ERROR(Bind(b.local, *v, false));
  }
  return Status::Ok();
}

Status Evaluator::ExecAugAssign(const AugAssignStmt& s) {
  auto combine = [&](Value cur, Value rhs) -> Result<Value> {
    if (s.op == BinaryOp::kPlus && cur.is(Type::kList) && rhs.is(Type::kList)) {
      // x += y extends a list in place.
      ListObj* l = cur.list();
      BERTH_RETURN_IF_ERROR(Locate(s.pos, l->CheckMutable("apply += to")));
      BERTH_RETURN_IF_ERROR(
          Locate(s.pos, interp_.Charge(static_cast<int64_t>(rhs.list()->items.size()))));
      std::vector<Value> add = rhs.list()->items;
      l->items.insert(l->items.end(), add.begin(), add.end());
      return cur;
    }
    if (s.op == BinaryOp::kBitOr && cur.is(Type::kDict) && rhs.is(Type::kDict)) {
      // x |= y updates a dict in place.
      for (const auto& [k, v] : rhs.dict()->Items()) {
        BERTH_RETURN_IF_ERROR(Locate(s.pos, cur.dict()->Set(interp_, k, v)));
      }
      return cur;
    }
    Result<Value> r = Binary(interp_, s.op, cur, rhs);
    if (!r.ok()) return Locate(s.pos, r.status());
    return r;
  };
  switch (s.target->kind) {
    case ExprKind::kIdent: {
      const auto& id = static_cast<const IdentExpr&>(*s.target);
      BERTH_ASSIGN_OR_RETURN(Value cur, EvalIdent(id));
      BERTH_ASSIGN_OR_RETURN(Value rhs, Eval(*s.value));
      BERTH_ASSIGN_OR_RETURN(Value v, combine(cur, rhs));
      return Bind(id.name, v, false);
    }
    case ExprKind::kIndex: {
      const auto& ix = static_cast<const IndexExpr&>(*s.target);
      BERTH_ASSIGN_OR_RETURN(Value obj, Eval(*ix.object));
      BERTH_ASSIGN_OR_RETURN(Value key, Eval(*ix.index));
      Result<Value> cur = GetIndex(interp_, obj, key);
      if (!cur.ok()) return Locate(ix.pos, cur.status());
      BERTH_ASSIGN_OR_RETURN(Value rhs, Eval(*s.value));
      BERTH_ASSIGN_OR_RETURN(Value v, combine(*cur, rhs));
      return Locate(ix.pos, SetIndex(interp_, obj, key, v));
    }
    case ExprKind::kDot: {
      const auto& dot = static_cast<const DotExpr&>(*s.target);
      BERTH_ASSIGN_OR_RETURN(Value obj, Eval(*dot.object));
      Result<Value> cur = GetAttr(interp_, obj, dot.name);
      if (!cur.ok()) return Locate(dot.name_pos, cur.status());
      BERTH_ASSIGN_OR_RETURN(Value rhs, Eval(*s.value));
      BERTH_ASSIGN_OR_RETURN(Value v, combine(*cur, rhs));
      return Locate(dot.name_pos, SetAttr(obj, dot.name, v));
    }
    default:
      return Err(s.target->pos, "cannot assign to this expression");
  }
}

Status Evaluator::Bind(const std::string& name, Value v, bool comprehension) {
  if (comprehension) {
    NamedValues& scope = frame_->scopes.back();
    for (auto& [n, x] : scope) {
      if (n == name) {
        x = v;
        return Status::Ok();
      }
    }
    scope.emplace_back(name, v);
    return Status::Ok();
  }
  if (frame_->def != nullptr) {
    frame_->env->vars[name] = v;
  } else {
    frame_->module->Set(name, v);
  }
  return Status::Ok();
}

Status Evaluator::Assign(const Expr& target, Value v, bool comprehension) {
  switch (target.kind) {
    case ExprKind::kIdent:
      return Bind(static_cast<const IdentExpr&>(target).name, v, comprehension);
    case ExprKind::kIndex: {
      const auto& ix = static_cast<const IndexExpr&>(target);
      BERTH_ASSIGN_OR_RETURN(Value obj, Eval(*ix.object));
      BERTH_ASSIGN_OR_RETURN(Value key, Eval(*ix.index));
      return Locate(ix.pos, SetIndex(interp_, obj, key, v));
    }
    case ExprKind::kDot: {
      const auto& dot = static_cast<const DotExpr&>(target);
      BERTH_ASSIGN_OR_RETURN(Value obj, Eval(*dot.object));
      return Locate(dot.name_pos, SetAttr(obj, dot.name, v));
    }
    case ExprKind::kList:
    case ExprKind::kTuple: {
      const auto& seq = static_cast<const SequenceExpr&>(target);
      if (!IsIterable(v)) {
        return Err(target.pos, fmt::format("got {} in sequence assignment", TypeName(v)));
      }
      Result<std::vector<Value>> items = Iterate(interp_, v);
      if (!items.ok()) return Locate(target.pos, items.status());
      if (items->size() != seq.elems.size()) {
        return Err(target.pos,
                   fmt::format("{} values to unpack (got {}, want {})",
                               items->size() > seq.elems.size() ? "too many" : "too few",
                               items->size(), seq.elems.size()));
      }
      for (size_t i = 0; i < items->size(); ++i) {
        BERTH_RETURN_IF_ERROR(Assign(*seq.elems[i], (*items)[i], comprehension));
      }
      return Status::Ok();
    }
    default:
      return Err(target.pos, "cannot assign to this expression");
  }
}

Result<Value> Evaluator::Eval(const Expr& e) {
  DepthGuard guard(this);
  if (guard.too_deep()) return Err(e.pos, "evaluation is nested too deeply");
  BERTH_RETURN_IF_ERROR(Locate(e.pos, interp_.Charge(1)));
  switch (e.kind) {
    case ExprKind::kIdent:
      return EvalIdent(static_cast<const IdentExpr&>(e));
    case ExprKind::kInt: {
      const auto& i = static_cast<const IntExpr&>(e);
      if (i.big) return interp_.NewInt(*i.big);
      return Value::Int(i.value);
    }
    case ExprKind::kFloat:
      return Value::Float(static_cast<const FloatExpr&>(e).value);
    case ExprKind::kString:
      return interp_.NewString(static_cast<const StringExpr&>(e).value);
    case ExprKind::kBytes:
      return interp_.NewBytes(static_cast<const StringExpr&>(e).value);
    case ExprKind::kConst:
      switch (static_cast<const ConstExpr&>(e).which) {
        case ConstExpr::Which::kNone:
          return Value::None();
        case ConstExpr::Which::kTrue:
          return Value::Bool(true);
        case ConstExpr::Which::kFalse:
          return Value::Bool(false);
      }
      return Value::None();
    case ExprKind::kList:
    case ExprKind::kTuple: {
      const auto& seq = static_cast<const SequenceExpr&>(e);
      std::vector<Value> items;
      items.reserve(seq.elems.size());
      for (const ExprPtr& x : seq.elems) {
        BERTH_ASSIGN_OR_RETURN(Value v, Eval(*x));
        items.push_back(v);
      }
      return e.kind == ExprKind::kList ? interp_.NewList(std::move(items))
                                       : interp_.NewTuple(std::move(items));
    }
    case ExprKind::kDict: {
      const auto& d = static_cast<const DictExpr&>(e);
      DictObj* dict = interp_.NewDict();
      for (const auto& [k, v] : d.entries) {
        BERTH_ASSIGN_OR_RETURN(Value key, Eval(*k));
        BERTH_ASSIGN_OR_RETURN(Value value, Eval(*v));
        Result<std::optional<Value>> old = dict->Get(interp_, key);
        if (!old.ok()) return Locate(k->pos, old.status());
        if (*old) {
          BERTH_ASSIGN_OR_RETURN(std::string r, Repr(interp_, key));
          return Err(k->pos, fmt::format("duplicate key: {}", r));
        }
        BERTH_RETURN_IF_ERROR(Locate(k->pos, dict->Set(interp_, key, value)));
      }
      return Value(dict);
    }
    case ExprKind::kComprehension:
      return EvalComprehension(static_cast<const ComprehensionExpr&>(e));
    case ExprKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      BERTH_ASSIGN_OR_RETURN(Value x, Eval(*u.operand));
      Result<Value> r = Unary(interp_, u.op, x);
      if (!r.ok()) return Locate(e.pos, r.status());
      return r;
    }
    case ExprKind::kBinary:
      return EvalBinary(static_cast<const BinaryExpr&>(e));
    case ExprKind::kCond: {
      const auto& c = static_cast<const CondExpr&>(e);
      BERTH_ASSIGN_OR_RETURN(Value cond, Eval(*c.cond));
      return Eval(Truth(cond) ? *c.then : *c.otherwise);
    }
    case ExprKind::kCall:
      return EvalCall(static_cast<const CallExpr&>(e));
    case ExprKind::kIndex: {
      const auto& ix = static_cast<const IndexExpr&>(e);
      BERTH_ASSIGN_OR_RETURN(Value obj, Eval(*ix.object));
      BERTH_ASSIGN_OR_RETURN(Value key, Eval(*ix.index));
      Result<Value> r = GetIndex(interp_, obj, key);
      if (!r.ok()) return Locate(e.pos, r.status());
      return r;
    }
    case ExprKind::kSlice: {
      const auto& s = static_cast<const SliceExpr&>(e);
      BERTH_ASSIGN_OR_RETURN(Value obj, Eval(*s.object));
      Value lo, hi, step;
      if (s.lo) {
        BERTH_ASSIGN_OR_RETURN(lo, Eval(*s.lo));
      }
      if (s.hi) {
        BERTH_ASSIGN_OR_RETURN(hi, Eval(*s.hi));
      }
      if (s.step) {
        BERTH_ASSIGN_OR_RETURN(step, Eval(*s.step));
      }
      Result<Value> r = GetSlice(interp_, obj, lo, hi, step);
      if (!r.ok()) return Locate(e.pos, r.status());
      return r;
    }
    case ExprKind::kDot:
      return EvalDot(static_cast<const DotExpr&>(e));
    case ExprKind::kLambda:
      return MakeFunction(*static_cast<const LambdaExpr&>(e).def);
  }
  return Err(e.pos, "unknown expression");
}

std::vector<std::string> Evaluator::VisibleNames() const {
  std::vector<std::string> names;
  for (const NamedValues& scope : frame_->scopes) {
    for (const auto& [n, v] : scope) names.push_back(n);
  }
  for (const Env* env = frame_->env.get(); env != nullptr; env = env->parent.get()) {
    if (env->def != nullptr) {
      names.insert(names.end(), env->def->locals.begin(), env->def->locals.end());
    } else {
      for (const auto& [n, v] : env->vars) names.push_back(n);
    }
  }
  names.insert(names.end(), frame_->module->order.begin(), frame_->module->order.end());
  for (const auto& [n, v] : frame_->module->predeclared) names.push_back(n);
  for (const std::string& n : interp_.UniversalNames()) names.push_back(n);
  return names;
}

Result<Value> Evaluator::EvalIdent(const IdentExpr& e) {
  for (auto scope = frame_->scopes.rbegin(); scope != frame_->scopes.rend(); ++scope) {
    for (const auto& [n, v] : *scope) {
      if (n == e.name) return v;
    }
  }
  for (const Env* env = frame_->env.get(); env != nullptr; env = env->parent.get()) {
    if (env->def != nullptr && env->def->locals.count(e.name) == 0) continue;
    auto it = env->vars.find(e.name);
    if (it != env->vars.end()) return it->second;
    if (env->def == nullptr) continue;
    return Err(e.pos, fmt::format("local variable {} referenced before assignment", e.name));
  }
  const ModuleEnv& m = *frame_->module;
  if (auto it = m.globals.find(e.name); it != m.globals.end()) return it->second;
  if (m.program->loaded.count(e.name) > 0) {
    return Err(e.pos, fmt::format("local variable {} referenced before assignment", e.name));
  }
  if (m.program->globals.count(e.name) > 0) {
    return Err(e.pos, fmt::format("global variable {} referenced before assignment", e.name));
  }
  if (auto it = m.predeclared.find(e.name); it != m.predeclared.end()) return it->second;
  if (const Value* builtin = interp_.Universal(e.name)) return *builtin;
  return Err(e.pos,
             fmt::format("undefined name \"{}\"{}", e.name, DidYouMean(e.name, VisibleNames())));
}

Result<Value> Evaluator::EvalBinary(const BinaryExpr& e) {
  BERTH_ASSIGN_OR_RETURN(Value x, Eval(*e.lhs));
  if (e.op == BinaryOp::kAnd) return Truth(x) ? Eval(*e.rhs) : Result<Value>(x);
  if (e.op == BinaryOp::kOr) return Truth(x) ? Result<Value>(x) : Eval(*e.rhs);
  BERTH_ASSIGN_OR_RETURN(Value y, Eval(*e.rhs));
  Result<Value> r = Binary(interp_, e.op, x, y);
  if (!r.ok()) return Locate(e.pos, r.status());
  return r;
}

Result<Value> Evaluator::EvalDot(const DotExpr& e) {
  BERTH_ASSIGN_OR_RETURN(Value obj, Eval(*e.object));
  Result<Value> r = GetAttr(interp_, obj, e.name);
  if (!r.ok()) return Locate(e.name_pos, r.status());
  return r;
}

Result<Value> Evaluator::EvalComprehension(const ComprehensionExpr& e) {
  Value result = e.is_dict ? Value(interp_.NewDict()) : interp_.NewList({});
  frame_->scopes.emplace_back();
  Status st = Clause(e, 0, result);
  frame_->scopes.pop_back();
  BERTH_RETURN_IF_ERROR(st);
  return result;
}

Status Evaluator::Clause(const ComprehensionExpr& e, size_t i, Value result) {
  DepthGuard guard(this);
  if (guard.too_deep()) return Err(e.pos, "evaluation is nested too deeply");
  if (i == e.clauses.size()) {
    BERTH_ASSIGN_OR_RETURN(Value body, Eval(*e.body));
    if (!e.is_dict) {
      result.list()->items.push_back(body);
      return Status::Ok();
    }
    BERTH_ASSIGN_OR_RETURN(Value value, Eval(*e.value));
    return Locate(e.body->pos, result.dict()->Set(interp_, body, value));
  }
  const ComprehensionExpr::Clause& c = e.clauses[i];
  if (!c.is_for) {
    BERTH_ASSIGN_OR_RETURN(Value cond, Eval(*c.expr));
    return Truth(cond) ? Clause(e, i + 1, result) : Status::Ok();
  }
  BERTH_ASSIGN_OR_RETURN(Value iterable, Eval(*c.expr));
  Result<std::vector<Value>> items = Iterate(interp_, iterable);
  if (!items.ok()) return Locate(c.expr->pos, items.status());
  IterationGuard iterating(iterable);
  for (Value v : *items) {
    BERTH_RETURN_IF_ERROR(Locate(e.pos, interp_.Charge(1)));
    BERTH_RETURN_IF_ERROR(Assign(*c.target, v, true));
    BERTH_RETURN_IF_ERROR(Clause(e, i + 1, result));
  }
  return Status::Ok();
}

Result<Value> Evaluator::EvalCall(const CallExpr& e) {
  BERTH_ASSIGN_OR_RETURN(Value fn, Eval(*e.fn));
  std::vector<Value> positional;
  NamedValues named;
  std::vector<Pos> positional_pos, named_pos;
  for (const Arg& a : e.args) {
    BERTH_ASSIGN_OR_RETURN(Value v, Eval(*a.value));
    switch (a.kind) {
      case Arg::Kind::kPositional:
        positional.push_back(v);
        positional_pos.push_back(a.pos);
        break;
      case Arg::Kind::kNamed:
        named.emplace_back(a.name, v);
        named_pos.push_back(a.pos);
        break;
      case Arg::Kind::kStar: {
        Result<std::vector<Value>> items = Iterate(interp_, v);
        if (!items.ok())
          return Err(a.pos, fmt::format("argument after * must be iterable, not {}", TypeName(v)));
        for (Value x : *items) {
          positional.push_back(x);
          positional_pos.push_back(a.pos);
        }
        break;
      }
      case Arg::Kind::kStarStar: {
        if (!v.is(Type::kDict)) {
          return Err(a.pos, fmt::format("argument after ** must be a dict, not {}", TypeName(v)));
        }
        for (const auto& [k, x] : v.dict()->Items()) {
          if (!k.is(Type::kString)) return Err(a.pos, "keywords must be strings");
          // A def reports a repeated name itself (naming the parameter); a builtin may not
          // look at every keyword, so it is caught here.
          if (!fn.is(Type::kFunction)) {
            for (const auto& [n, y] : named) {
              if (n == k.str()) {
                return Err(
                    a.pos,
                    fmt::format("{}: duplicate keyword arg: \"{}\"",
                                fn.is(Type::kBuiltin) ? fn.builtin()->name : TypeName(fn), n));
              }
            }
          }
          named.emplace_back(k.str(), x);
          named_pos.push_back(a.pos);
        }
        break;
      }
    }
  }
  int error_arg = -1;
  Result<Value> r = CallValue(fn, std::move(positional), std::move(named), &error_arg);
  if (r.ok()) return r;
  if (IsLocated(r.status())) {
    // An error inside a function (or inside a callback a builtin called): say where it was
    // called from.
    const Pos& p = e.pos;
    return MarkLocated(
        Status::InvalidArgument(fmt::format("{}\n  called from {}:{}:{}", r.status().message(),
                                            frame_->module->program->file.name, p.line, p.col)));
  }
  Pos pos = e.pos;
  if (error_arg >= 0 && static_cast<size_t>(error_arg) < positional_pos.size()) {
    pos = positional_pos[error_arg];
  } else if (error_arg >= 0 &&
             static_cast<size_t>(error_arg) - positional_pos.size() < named_pos.size()) {
    pos = named_pos[error_arg - positional_pos.size()];
  }
  return Err(pos, r.status().message());
}

Result<Value> Evaluator::CallValue(Value fn, std::vector<Value> args, NamedValues kwargs,
                                   int* error_arg) {
  if (error_arg != nullptr) *error_arg = -1;
  if (fn.is(Type::kFunction))
    return CallFunction(fn.function(), std::move(args), std::move(kwargs), error_arg);
  if (fn.is(Type::kBuiltin)) {
    BuiltinObj* b = fn.builtin();
    Args a(b->name, b->self, std::move(args), std::move(kwargs));
    Result<Value> r = b->fn(interp_, a);
    if (!r.ok() && error_arg != nullptr) *error_arg = a.error_arg();
    return r;
  }
  return Status::InvalidArgument(fmt::format("{} value is not callable", TypeName(fn)));
}

Result<Value> Evaluator::CallFunction(FunctionObj* fn, std::vector<Value> args, NamedValues kwargs,
                                      int* error_arg) {
  const DefStmt& def = *fn->def;
  auto blame = [&](int index, std::string msg) -> Status {
    if (error_arg != nullptr) *error_arg = index;
    return Status::InvalidArgument(std::move(msg));
  };
  if (!interp_.options().allow_recursion &&
      std::find(call_stack_.begin(), call_stack_.end(), &def) != call_stack_.end()) {
    return Status::InvalidArgument(
        fmt::format("function {} called recursively (recursion is not allowed)", def.name));
  }
  if (call_stack_.size() >= kMaxCallDepth) return Status::InvalidArgument("call stack is too deep");

  Frame frame;
  frame.module = fn->module;
  frame.def = &def;
  frame.env = std::make_shared<Env>();
  frame.env->def = &def;
  frame.env->parent = fn->env;
  auto& locals = frame.env->vars;
  std::vector<bool> set(def.params.size(), false);
  const Param* star = nullptr;
  const Param* starstar = nullptr;
  std::vector<size_t> positional;  // indices of the parameters that take positional arguments
  for (size_t k = 0; k < def.params.size(); ++k) {
    const Param& p = def.params[k];
    if (p.kind == Param::Kind::kNormal && star == nullptr) positional.push_back(k);
    if (p.kind == Param::Kind::kStar) star = &p;
    if (p.kind == Param::Kind::kStarStar) starstar = &p;
  }
  bool takes_varargs = star != nullptr && !star->name.empty();
  std::vector<Value> extra;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i < positional.size()) {
      locals[def.params[positional[i]].name] = args[i];
      set[positional[i]] = true;
    } else if (takes_varargs) {
      extra.push_back(args[i]);
    } else {
      return blame(static_cast<int>(i),
                   fmt::format("{}() accepts at most {} positional argument{} ({} given)", def.name,
                               positional.size(), positional.size() == 1 ? "" : "s", args.size()));
    }
  }
  DictObj* kw = starstar != nullptr ? interp_.NewDict() : nullptr;
  for (size_t j = 0; j < kwargs.size(); ++j) {
    int index = static_cast<int>(args.size() + j);
    const auto& [name, v] = kwargs[j];
    size_t k = 0;
    while (k < def.params.size() &&
           (def.params[k].kind != Param::Kind::kNormal || def.params[k].name != name)) {
      ++k;
    }
    if (k < def.params.size()) {
      if (set[k])
        return blame(index, fmt::format("function {} got multiple values for parameter \"{}\"",
                                        def.name, name));
      locals[name] = v;
      set[k] = true;
    } else if (kw != nullptr) {
      BERTH_ASSIGN_OR_RETURN(std::optional<Value> dup, kw->Get(interp_, interp_.NewString(name)));
      if (dup) {
        return blame(index, fmt::format("function {} got multiple values for parameter \"{}\"",
                                        def.name, name));
      }
      BERTH_RETURN_IF_ERROR(kw->Set(interp_, interp_.NewString(name), v));
    } else {
      std::vector<std::string> names;
      for (const Param& p : def.params) {
        if (p.kind == Param::Kind::kNormal) names.push_back(p.name);
      }
      return blame(index,
                   fmt::format("unknown keyword argument \"{}\"{}", name, DidYouMean(name, names)));
    }
  }
  for (size_t k = 0; k < def.params.size(); ++k) {
    const Param& p = def.params[k];
    if (set[k] || p.kind != Param::Kind::kNormal) continue;
    if (!p.default_value) {
      return Status::InvalidArgument(
          fmt::format("function {} missing 1 argument ({})", def.name, p.name));
    }
    locals[p.name] = fn->defaults[k];
  }
  if (takes_varargs) locals[star->name] = interp_.NewTuple(std::move(extra));
  if (starstar != nullptr) locals[starstar->name] = Value(kw);

  DepthGuard guard(this);
  if (guard.too_deep()) return Status::InvalidArgument("evaluation is nested too deeply");
  call_stack_.push_back(&def);
  Frame* saved = frame_;
  frame_ = &frame;
  Result<Flow> r = ExecBlock(def.body);
  frame_ = saved;
  call_stack_.pop_back();
  if (!r.ok()) return r.status();
  return frame.ret;
}

}  // namespace berth::starlark
