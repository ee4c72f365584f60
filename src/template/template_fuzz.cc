// libFuzzer target for templates: parse any input and execute it on fixed data with a small
// budget and a caller function. It must end in output or an error, never a crash, a hang or a
// sanitizer report; the output never exceeds the budget.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "template/template.h"

using berth::Result;
using berth::Status;
using namespace berth::tmpl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Value kData = Value::parse(R"({
    "name": "berth", "n": 3, "f": 1.5, "t": true, "nil": null, "s": "a&b<c>",
    "list": [1, "two", null, 2.5, [3]], "m": {"b": 2, "a": {"x": "y"}},
    "params": {"pw": "p&<>\"'w", "host": "db.local"}
  })");
  ParseOptions options;
  options.functions = {"secret"};
  options.max_nesting = 50;
  std::string text(reinterpret_cast<const char*>(data), size);
  Result<Template> t = Template::Parse("fuzz.tmpl", text, options);
  if (!t.ok()) return 0;
  FuncMap funcs;
  funcs["secret"] = [](const std::vector<Value>& args) -> Result<Value> {
    if (args.empty()) return Status::InvalidArgument("secret needs a key");
    if (args.back() == "fail") return Status::NotFound("no such secret");
    return Value("s3cr&t");
  };
  Budget budget;
  budget.max_steps = 20000;
  budget.max_output_bytes = 1 << 16;
  budget.max_template_depth = 20;
  Result<std::string> out = t->Execute(kData, funcs, budget);
  if (out.ok() && out->size() > budget.max_output_bytes) std::abort();
  return 0;
}
