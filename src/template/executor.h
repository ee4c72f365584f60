// Runs a parsed template (ast.h) on data: the executor of Berth's text/template subset.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "template/ast.h"
#include "template/functions.h"

namespace berth::tmpl {

struct ExecConfig {
  std::string_view name;  // the template's name, for messages
  std::string_view text;  // its source, for the caret in messages
  const TreeSet* trees = nullptr;
  const FuncMap* extra_funcs = nullptr;  // looked up before the builtins
  bool missing_key_error = false;
  int64_t max_steps = 1'000'000;
  size_t max_output_bytes = 1 << 20;
  int max_template_depth = 100;
};

// Executes the tree named `config.name` with `data` as dot and $.
Result<std::string> Execute(const ExecConfig& config, const Value& data);

}  // namespace berth::tmpl
