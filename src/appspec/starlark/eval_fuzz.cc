// libFuzzer target for the whole interpreter: parse and run any input with a small step budget.
// It must end in a value or an error, never a crash, a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string>

#include "appspec/starlark/interpreter.h"

using berth::Result;
using berth::Status;
using namespace berth::starlark;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  InterpreterOptions options;
  options.max_steps = 20000;
  options.allow_set = true;
  options.allow_while = true;
  options.allow_recursion = true;
  options.loader = [](Interpreter& interp, const std::string& name) -> Result<Value> {
    if (name == "lib.star") {
      return interp.ExecFile("lib.star", "def twice(x):\n  return x + x\nitems = [1, 2]\n", {});
    }
    if (name == "mod.in") return interp.NewStruct("module", "mod", {{"k", Value::Int(1)}});
    return Status::NotFound("no such module");
  };
  Interpreter interp(options);
  Predeclared env;
  env["native"] =
      interp.NewBuiltin("native", [](Interpreter& i, const Args& args) -> Result<Value> {
        Value a, b;
        BERTH_RETURN_IF_ERROR(args.Unpack({{"a", &a}, {"b?", &b}}));
        if (!a.is(Type::kInt)) return args.Error("a", "a must be an int");
        return i.NewStruct("thing", "", {{"a", a}, {"b", b}}, /*settable=*/true);
      });
  std::string source(reinterpret_cast<const char*>(data), size);
  Result<Value> module = interp.ExecFile("fuzz.star", std::move(source), env);
  if (module.ok()) {
    for (const auto& [name, v] : module->struct_value()->fields()) {
      auto text = Repr(interp, v);
      (void)text;
    }
  }
  return 0;
}
