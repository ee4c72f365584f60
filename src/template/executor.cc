#include "template/executor.h"

#include <fmt/format.h>

#include "template/format.h"

namespace berth::tmpl {
namespace {

enum class Flow { kNormal, kBreak, kContinue };

// Control structures, parenthesised pipelines and {{template}} calls nest at most this deep at
// run time (each bounded alone by the parser and the budget, but not their product), so that
// no template can exhaust the thread's stack.
constexpr int kMaxExecNesting = 1000;

// Counts one level of run-time nesting for the life of a scope.
class NestGuard {
 public:
  explicit NestGuard(int* depth) : depth_(depth) { ++*depth_; }
  ~NestGuard() { --*depth_; }
  bool too_deep() const { return *depth_ > kMaxExecNesting; }

 private:
  int* depth_;
};

class Executor {
 public:
  explicit Executor(const ExecConfig& config) : c_(config) {}

  Result<std::string> Run(const Value& data) {
    auto it = c_.trees->find(c_.name);
    if (it == c_.trees->end()) {
      return Status::InvalidArgument(fmt::format("{}: no template named {:?}", c_.name, c_.name));
    }
    Value dot = data.is_null() ? NoValue() : data;
    current_ = std::string(c_.name);
    vars_.push_back({"$", dot});
    Flow flow;
    BERTH_RETURN_IF_ERROR(List(it->second, dot, &flow));
    return std::move(out_);
  }

 private:
  Status Error(Pos pos, std::string_view message,
               Status::Code code = Status::Code::kInvalidArgument) {
    std::string msg(message);
    if (current_ != c_.name) msg = fmt::format("executing {:?}: {}", current_, msg);
    return Status::FromCode(code, FormatError(c_.name, c_.text, pos, msg));
  }

  Status TooDeep(Pos pos) {
    return Error(pos, fmt::format("template nested too deeply at run time (more than {} levels)",
                                  kMaxExecNesting));
  }

  Status Step(Pos pos) {
    if (++steps_ > c_.max_steps) {
      return Error(pos, fmt::format("template step limit exceeded ({} steps)", c_.max_steps));
    }
    return Status::Ok();
  }

  Status Write(Pos pos, std::string_view s) {
    if (out_.size() + s.size() > c_.max_output_bytes) {
      return Error(
          pos, fmt::format("template output exceeds the limit of {} bytes", c_.max_output_bytes));
    }
    out_.append(s);
    return Status::Ok();
  }

  Status List(const NodeList& list, const Value& dot, Flow* flow) {
    *flow = Flow::kNormal;
    for (const auto& node : list) {
      BERTH_RETURN_IF_ERROR(Walk(*node, dot, flow));
      if (*flow != Flow::kNormal) return Status::Ok();
    }
    return Status::Ok();
  }

  Status Walk(const Node& node, const Value& dot, Flow* flow) {
    BERTH_RETURN_IF_ERROR(Step(node.pos));
    NestGuard guard(&nest_);
    if (guard.too_deep()) return TooDeep(node.pos);
    switch (node.kind) {
      case Node::Kind::kText:
        return Write(node.pos, node.text);
      case Node::Kind::kAction: {
        BERTH_ASSIGN_OR_RETURN(Value v, EvalPipeline(*node.pipe, dot));
        if (!node.pipe->vars.empty()) return Status::Ok();
        return Write(node.pos, IsNoValue(v) || v.is_null() ? "<no value>" : FormatValue(v));
      }
      case Node::Kind::kIf:
      case Node::Kind::kWith: {
        size_t mark = vars_.size();
        BERTH_ASSIGN_OR_RETURN(Value v, EvalPipeline(*node.pipe, dot));
        Status s;
        if (Truth(v)) {
          s = List(node.list, node.kind == Node::Kind::kWith ? v : dot, flow);
        } else {
          s = List(node.else_list, dot, flow);
        }
        vars_.resize(mark);
        return s;
      }
      case Node::Kind::kRange:
        return Range(node, dot, flow);
      case Node::Kind::kBreak:
        *flow = Flow::kBreak;
        return Status::Ok();
      case Node::Kind::kContinue:
        *flow = Flow::kContinue;
        return Status::Ok();
      case Node::Kind::kTemplate:
        return CallTemplate(node, dot);
    }
    return Status::Ok();
  }

  Status Range(const Node& node, const Value& dot, Flow* flow) {
    size_t mark = vars_.size();
    BERTH_ASSIGN_OR_RETURN(Value v, EvalPipeline(*node.pipe, dot));
    const auto& vars = node.pipe->vars;
    // The pipeline declared its variables; the loop sets them on each iteration.
    size_t first_var = vars_.size() - (node.pipe->is_assign ? 0 : vars.size());
    auto set_vars = [&](const Value& key, const Value& elem) {
      if (node.pipe->is_assign) {
        if (vars.size() == 1) Assign(vars[0], elem);
        if (vars.size() == 2) {
          Assign(vars[0], key);
          Assign(vars[1], elem);
        }
        return;
      }
      if (vars.size() == 1) vars_[first_var].second = elem;
      if (vars.size() == 2) {
        vars_[first_var].second = key;
        vars_[first_var + 1].second = elem;
      }
    };
    auto iterate = [&](const Value& key, const Value& elem, bool* stop) -> Status {
      BERTH_RETURN_IF_ERROR(Step(node.pos));
      set_vars(key, elem);
      size_t body_mark = vars_.size();
      Flow f;
      BERTH_RETURN_IF_ERROR(List(node.list, elem, &f));
      vars_.resize(body_mark);
      *stop = f == Flow::kBreak;
      return Status::Ok();
    };
    bool ran = false;
    if (v.is_array()) {
      for (size_t i = 0; i < v.size(); ++i) {
        ran = true;
        bool stop = false;
        BERTH_RETURN_IF_ERROR(iterate(Value(static_cast<int64_t>(i)), v[i], &stop));
        if (stop) break;
      }
    } else if (v.is_object()) {
      for (const auto& [k, e] : v.items()) {
        ran = true;
        bool stop = false;
        BERTH_RETURN_IF_ERROR(iterate(Value(k), e, &stop));
        if (stop) break;
      }
    } else if (!IsNoValue(v) && !v.is_null()) {
      return Error(node.pos, fmt::format("range can't iterate over {}", FormatValue(v)));
    }
    Status s;
    if (!ran) s = List(node.else_list, dot, flow);
    *flow = Flow::kNormal;
    vars_.resize(mark);
    return s;
  }

  Status CallTemplate(const Node& node, const Value& dot) {
    auto it = c_.trees->find(node.text);
    if (it == c_.trees->end()) {
      return Error(node.pos, fmt::format("template {:?} not defined", node.text));
    }
    if (depth_ >= c_.max_template_depth) {
      return Error(node.pos,
                   fmt::format("exceeded maximum template depth ({})", c_.max_template_depth));
    }
    Value new_dot = NoValue();
    if (node.pipe) {
      BERTH_ASSIGN_OR_RETURN(new_dot, EvalPipeline(*node.pipe, dot));
    }
    std::vector<std::pair<std::string, Value>> saved_vars = std::move(vars_);
    vars_.clear();
    vars_.push_back({"$", new_dot});
    std::string saved_name = std::move(current_);
    current_ = node.text;
    ++depth_;
    Flow flow;
    Status s = List(it->second, new_dot, &flow);
    --depth_;
    current_ = std::move(saved_name);
    vars_ = std::move(saved_vars);
    return s;
  }

  void Assign(const std::string& name, const Value& v) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == name) {
        vars_[i].second = v;
        return;
      }
    }
  }

  Result<Value> Variable(const Expr& e) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == e.name) return vars_[i].second;
    }
    return Error(e.pos, fmt::format("undefined variable: {}", e.name));
  }

  Result<Value> EvalPipeline(const Pipeline& pipe, const Value& dot) {
    Value v = NoValue();
    bool has_final = false;
    for (const auto& cmd : pipe.cmds) {
      BERTH_ASSIGN_OR_RETURN(v, EvalCommand(cmd, dot, has_final ? &v : nullptr));
      has_final = true;
    }
    // As Go's: a nil result is "no value".
    if (v.is_null()) v = NoValue();
    if (!pipe.vars.empty()) {
      if (pipe.is_assign) {
        Assign(pipe.vars[0], v);
      } else {
        for (const auto& name : pipe.vars) vars_.push_back({name, v});
      }
    }
    return v;
  }

  Result<Value> Fields(const Expr& e, Value receiver, size_t from) {
    for (size_t i = from; i < e.fields.size(); ++i) {
      const std::string& f = e.fields[i];
      if (IsNoValue(receiver)) {
        if (c_.missing_key_error) {
          return Error(e.pos, fmt::format("nil data; no entry for key {:?}", f));
        }
        return NoValue();
      }
      if (receiver.is_object()) {
        auto it = receiver.find(f);
        if (it == receiver.end()) {
          if (c_.missing_key_error) {
            return Error(e.pos, fmt::format("map has no entry for key {:?}", f));
          }
          receiver = NoValue();
        } else {
          Value next = *it;
          receiver = std::move(next);
        }
        continue;
      }
      if (receiver.is_null()) {
        return Error(e.pos, fmt::format("nil pointer evaluating interface {{}}.{}", f));
      }
      return Error(e.pos, fmt::format("can't evaluate field {} in type {}", f, TypeName(receiver)));
    }
    return receiver;
  }

  // An operand as an argument (functions are called without arguments).
  Result<Value> EvalArg(const Expr& e, const Value& dot) {
    switch (e.kind) {
      case Expr::Kind::kDot:
        return dot;
      case Expr::Kind::kField:
        return Fields(e, dot, 0);
      case Expr::Kind::kVariable: {
        BERTH_ASSIGN_OR_RETURN(Value v, Variable(e));
        return Fields(e, std::move(v), 0);
      }
      case Expr::Kind::kPipe: {
        BERTH_RETURN_IF_ERROR(Step(e.pos));
        NestGuard guard(&nest_);
        if (guard.too_deep()) return TooDeep(e.pos);
        BERTH_ASSIGN_OR_RETURN(Value v, EvalPipeline(*e.pipe, dot));
        return Fields(e, std::move(v), 0);
      }
      case Expr::Kind::kIdentifier:
        return CallFunction(e, {}, dot, nullptr);
      case Expr::Kind::kNil:
        return Value(nullptr);
      default:
        return e.literal;
    }
  }

  Result<Value> EvalCommand(const Command& cmd, const Value& dot, const Value* final) {
    BERTH_RETURN_IF_ERROR(Step(cmd.pos));
    const Expr& first = *cmd.args[0];
    if (first.kind == Expr::Kind::kIdentifier) {
      std::vector<const Expr*> args;
      for (size_t i = 1; i < cmd.args.size(); ++i) args.push_back(cmd.args[i].get());
      return CallFunction(first, args, dot, final);
    }
    if (cmd.args.size() > 1 || final) {
      if (first.kind == Expr::Kind::kField || first.kind == Expr::Kind::kVariable) {
        return Error(first.pos,
                     fmt::format("{} is not a method but has arguments",
                                 first.fields.empty() ? first.name : first.fields.back()));
      }
      return Error(first.pos, "can't give argument to non-function");
    }
    if (first.kind == Expr::Kind::kNil) return Error(first.pos, "nil is not a command");
    return EvalArg(first, dot);
  }

  const Func* Lookup(const std::string& name) const {
    if (c_.extra_funcs) {
      auto it = c_.extra_funcs->find(name);
      if (it != c_.extra_funcs->end()) return &it->second;
    }
    auto it = Builtins().find(name);
    return it == Builtins().end() ? nullptr : &it->second;
  }

  Result<Value> CallFunction(const Expr& fn, const std::vector<const Expr*>& arg_exprs,
                             const Value& dot, const Value* final) {
    const Func* f = Lookup(fn.name);
    if (!f) return Error(fn.pos, fmt::format("function {:?} not defined", fn.name));
    bool builtin = !c_.extra_funcs || !c_.extra_funcs->count(fn.name);
    // and/or evaluate their arguments only as far as needed (Go 1.18+).
    if (builtin && (fn.name == "and" || fn.name == "or")) {
      size_t n = arg_exprs.size() + (final ? 1 : 0);
      if (n == 0) {
        return Error(fn.pos,
                     fmt::format("wrong number of args for {}: want at least 1 got 0", fn.name));
      }
      Value v;
      for (const Expr* a : arg_exprs) {
        BERTH_ASSIGN_OR_RETURN(v, EvalArg(*a, dot));
        if (Truth(v) == (fn.name == "or")) return v;
      }
      if (final) v = *final;
      return IsNoValue(v) ? Value(nullptr) : v;
    }
    std::vector<Value> args;
    args.reserve(arg_exprs.size() + 1);
    for (const Expr* a : arg_exprs) {
      BERTH_ASSIGN_OR_RETURN(Value v, EvalArg(*a, dot));
      args.push_back(IsNoValue(v) ? Value(nullptr) : std::move(v));
    }
    if (final) args.push_back(IsNoValue(*final) ? Value(nullptr) : *final);
    Result<Value> r = (*f)(args);
    if (!r.ok()) {
      return Error(fn.pos, fmt::format("error calling {}: {}", fn.name, r.status().message()),
                   r.status().code());
    }
    if (r->is_string() && r->get_ref<const std::string&>().size() > c_.max_output_bytes) {
      return Error(fn.pos, fmt::format("the value of {} exceeds the limit of {} bytes", fn.name,
                                       c_.max_output_bytes));
    }
    return std::move(r).value();
  }

  const ExecConfig& c_;
  std::string out_;
  std::vector<std::pair<std::string, Value>> vars_;
  std::string current_;
  int64_t steps_ = 0;
  int depth_ = 0;  // {{template}} calls
  int nest_ = 0;   // see kMaxExecNesting
};

}  // namespace

Result<std::string> Execute(const ExecConfig& config, const Value& data) {
  return Executor(config).Run(data);
}

}  // namespace berth::tmpl
