// Berth's Go text/template subset: parse once, execute with data, caller functions and a
// budget. A pure library: no I/O. Output is NOT HTML-escaped (text/template semantics): the
// bytes &<>"' of a value come out as they are.
//
//   BERTH_ASSIGN_OR_RETURN(auto t, Template::Parse("secrets.tmpl", text, {.functions =
//   {"secret"}})); BERTH_ASSIGN_OR_RETURN(std::string out, t.Execute(data, {{"secret", SecretFn}},
//   Budget{}));
//
// The language: text and {{actions}} with {{- -}} trimming, comments {{/* */}}, pipelines with
// |, variables ($x := ..., $x = ..., $), .field chains and ., if/else if/else, range over lists
// and maps (sorted keys) with one or two variables and else, break/continue, with/else with,
// define/template/block, and the functions of functions.h. A missing map key prints
// "<no value>", as Go's does.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "base/status.h"
#include "template/format.h"
#include "template/functions.h"

namespace berth::tmpl {

struct TemplateSource;

struct ParseOptions {
  // The names of the functions the caller will pass to Execute; any other name that is not a
  // builtin is a parse error.
  std::set<std::string, std::less<>> functions;
  // Control structures and parentheses nest at most this deep.
  int max_nesting = 100;
  // A missing map key is an error instead of "<no value>" (Go's missingkey=error).
  bool missing_key_error = false;
};

// Limits of one execution; each is a clear error when exceeded.
struct Budget {
  int64_t max_steps = 1'000'000;      // actions, commands and loop iterations
  size_t max_output_bytes = 1 << 20;  // the output, and any one string value
  int max_template_depth = 100;       // nested {{template}} calls
};

class Template {
 public:
  // Parses `text`; errors name `name`, the line and column, with the source line and a caret.
  static Result<Template> Parse(std::string_view name, std::string_view text,
                                const ParseOptions& options = {});

  // Runs the template on `data` (null data is Go's nil). `extra_funcs` supply the functions
  // declared in ParseOptions::functions (and may override builtins). An error, including one
  // a function returns (its status code kept), names the template, line and column.
  Result<std::string> Execute(const Value& data, const FuncMap& extra_funcs = {},
                              const Budget& budget = {}) const;

  const std::string& name() const;

 private:
  explicit Template(std::shared_ptr<const TemplateSource> source) : source_(std::move(source)) {}
  std::shared_ptr<const TemplateSource> source_;  // immutable, shared by copies
};

// True when `text` holds both "{{" and "}}": only such values are templates; callers pass
// anything else through byte for byte.
bool LooksLikeTemplate(std::string_view text);

}  // namespace berth::tmpl
