// The embedder's entry point to the Starlark subset: an Interpreter owns every value it makes,
// runs files with a set of predeclared names, resolves load() through a callback, and bounds
// the work a file may do.
//
//   starlark::Interpreter interp({.loader = MyLoader});
//   starlark::Predeclared env = {{"greet", interp.NewBuiltin("greet", Greet)}};
//   Result<Value> module = interp.ExecFile("app.star", source, env);
//   const Value* app = module->struct_value()->Get("app");
//
// Errors are Status::InvalidArgument whose message is "file:line:col: message", the source line
// and a caret under the column (and "called from" lines when the error is inside a function).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "appspec/starlark/args.h"
#include "appspec/starlark/value.h"
#include "base/status.h"

namespace berth::starlark {

class Evaluator;
class ProgramCache;

// Names visible to a file beyond the universal builtins (len, str, ...).
using Predeclared = std::map<std::string, Value>;

// Resolves load("name", ...): returns the module's members as a struct (see
// Interpreter::NewStruct, or the result of ExecFile for a .star file).
using Loader = std::function<Result<Value>(Interpreter& interp, const std::string& module)>;

struct InterpreterOptions {
  // Evaluation steps (an expression, a statement, a loop iteration, or a unit of work in
  // proportion to the size of a string or list built) allowed across all files; then it fails.
  int64_t max_steps = 10'000'000;
  // Receives each print() line; print output is dropped when unset.
  std::function<void(const std::string&)> print;
  // Resolves load(); without one, load fails.
  Loader loader;
  // Language options, off by default as in starlark-go (syntax.FileOptions): `while` loops,
  // functions that call themselves (directly or not; the call depth stays bounded), and the
  // `set` builtin (without it, `set` is an undefined name).
  bool allow_while = false;
  bool allow_recursion = false;
  bool allow_set = false;
  // Parsed files shared with other interpreters (see program_cache.h); without one, each file
  // is parsed when it runs.
  ProgramCache* programs = nullptr;
};

class Interpreter {
 public:
  explicit Interpreter(InterpreterOptions options = {});
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // Runs a file's source with the given predeclared names. On success returns its globals as a
  // frozen struct (type "module", fields in definition order). Objects the file created are
  // frozen afterwards, as are values made before the outermost ExecFile started.
  Result<Value> ExecFile(const std::string& filename, std::string source,
                         const Predeclared& predeclared);

  // What a load statement calls: the loader's result for `module`, cached, with cycles reported.
  Result<Value> Load(const std::string& module);

  // Calls a function value (from native code, e.g. a key= callback).
  Result<Value> Call(Value fn, std::vector<Value> args, NamedValues kwargs = {});

  // Values owned by this interpreter.
  Value NewString(std::string s);
  Value NewBytes(std::string s);
  // An int: inline when it fits in 64 bits, else a big int.
  Value NewInt(BigInt v);
  Value NewList(std::vector<Value> items);
  Value NewTuple(std::vector<Value> items);
  DictObj* NewDict();
  // A struct with named fields; `name` is how messages refer to it (e.g. "param"). A settable
  // one (a native type with assignable attributes) takes `x.f = v` until it is frozen.
  Value NewStruct(std::string type_name, std::string name, NamedValues fields,
                  bool settable = false);
  Value NewBuiltin(std::string name, NativeFn fn, Value self = Value());
  template <typename T, typename... A>
  T* New(A&&... args) {
    auto obj = std::make_unique<T>(std::forward<A>(args)...);
    T* raw = obj.get();
    heap_.push_back(std::move(obj));
    return raw;
  }

  // Counts `n` steps of work; fails once the budget of max_steps is spent.
  Status Charge(int64_t n);
  int64_t steps() const { return steps_; }
  const InterpreterOptions& options() const { return options_; }
  void Print(const std::string& line) const {
    if (options_.print) options_.print(line);
  }

  // The universal builtin `name` (len, str, ...; `set` only with allow_set), or null. Each is
  // made the first time a file of this interpreter names it: a file uses few of the thirty,
  // and an app server makes an interpreter for each app it resolves.
  const Value* Universal(const std::string& name);
  // The names of the universal builtins this interpreter offers, sorted.
  std::vector<std::string> UniversalNames() const;

 private:
  friend class Evaluator;
  void FreezeFrom(size_t first);

  InterpreterOptions options_;
  std::vector<std::unique_ptr<Object>> heap_;
  int64_t steps_ = 0;
  std::map<std::string, Value> universe_;  // the universal builtins made so far
  std::map<std::string, Value> loaded_;    // module name -> struct
  int running_ = 0;                        // ExecFile calls in progress
  std::vector<std::string> loading_;       // modules being loaded, outermost first
  std::unique_ptr<Evaluator> eval_;
};

}  // namespace berth::starlark
