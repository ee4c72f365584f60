#include "appspec/starlark/interpreter.h"

#include <fmt/format.h>

#include "appspec/starlark/builtins.h"
#include "appspec/starlark/eval.h"

namespace berth::starlark {

Interpreter::Interpreter(InterpreterOptions options)
    : options_(std::move(options)), eval_(std::make_unique<Evaluator>(*this)) {}

Interpreter::~Interpreter() = default;

const Value* Interpreter::Universal(const std::string& name) {
  if (auto it = universe_.find(name); it != universe_.end()) return &it->second;
  if (name == "set" && !options_.allow_set) return nullptr;
  UniversalFn fn = FindUniversal(name);
  if (fn == nullptr) return nullptr;
  Value v = NewBuiltin(name, [fn](Interpreter& i, const Args& a) { return fn(i, a); });
  v.object()->Freeze();
  return &universe_.emplace(name, v).first->second;
}

std::vector<std::string> Interpreter::UniversalNames() const {
  std::vector<std::string> names = starlark::UniversalNames();
  if (!options_.allow_set) std::erase(names, std::string("set"));
  return names;
}

Status Interpreter::Charge(int64_t n) {
  if (n < 0) n = 0;
  if (n > options_.max_steps - steps_) {
    steps_ = options_.max_steps;
    return Status::InvalidArgument(
        fmt::format("evaluation step limit exceeded ({} steps)", options_.max_steps));
  }
  steps_ += n;
  return Status::Ok();
}

void Interpreter::FreezeFrom(size_t first) {
  for (size_t i = first; i < heap_.size(); ++i) heap_[i]->Freeze();
}

Result<Value> Interpreter::ExecFile(const std::string& filename, std::string source,
                                    const Predeclared& predeclared) {
  // Values made before the outermost file starts (predeclared ones) are frozen with it.
  if (running_ == 0) FreezeFrom(0);
  const size_t first = heap_.size();
  ++running_;
  Result<Value> module = eval_->ExecFile(SourceFile{filename, std::move(source)}, predeclared);
  --running_;
  FreezeFrom(first);
  return module;
}

Result<Value> Interpreter::Load(const std::string& module) {
  if (auto it = loaded_.find(module); it != loaded_.end()) return it->second;
  for (const std::string& m : loading_) {
    if (m == module) {
      std::string cycle;
      for (const std::string& l : loading_) cycle += l + " -> ";
      return Status::InvalidArgument(fmt::format("cycle in load graph: {}{}", cycle, module));
    }
  }
  if (!options_.loader) {
    return Status::InvalidArgument(
        fmt::format("cannot load \"{}\": load is not available here", module));
  }
  loading_.push_back(module);
  Result<Value> r = options_.loader(*this, module);
  loading_.pop_back();
  if (!r.ok()) {
    // A located error from inside the loaded file stays as it is; others get the module name.
    if (eval_->IsLocated(r.status())) return r.status();
    return Status::InvalidArgument(
        fmt::format("cannot load \"{}\": {}", module, r.status().message()));
  }
  loaded_[module] = *r;
  return r;
}

Result<Value> Interpreter::Call(Value fn, std::vector<Value> args, NamedValues kwargs) {
  return eval_->CallValue(fn, std::move(args), std::move(kwargs), nullptr);
}

Value Interpreter::NewString(std::string s) { return Value(New<StringObj>(std::move(s))); }
Value Interpreter::NewBytes(std::string s) { return Value(New<BytesObj>(std::move(s))); }
Value Interpreter::NewInt(BigInt v) {
  if (std::optional<int64_t> i = v.ToInt64()) return Value::Int(*i);
  return Value(New<BigIntObj>(std::move(v)));
}
Value Interpreter::NewList(std::vector<Value> items) {
  return Value(New<ListObj>(std::move(items)));
}
Value Interpreter::NewTuple(std::vector<Value> items) {
  return Value(New<TupleObj>(std::move(items)));
}
DictObj* Interpreter::NewDict() { return New<DictObj>(); }
Value Interpreter::NewStruct(std::string type_name, std::string name, NamedValues fields,
                             bool settable) {
  return Value(New<StructObj>(std::move(type_name), std::move(name), std::move(fields), settable));
}
Value Interpreter::NewBuiltin(std::string name, NativeFn fn, Value self) {
  return Value(New<BuiltinObj>(std::move(name), std::move(fn), self));
}

}  // namespace berth::starlark
