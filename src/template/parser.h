// The parser of Berth's Go text/template subset: tokens (lexer.h) to syntax trees (ast.h),
// with Go's parse-time checks: undefined functions and variables, {{break}} outside {{range}},
// {{define}} only at the top level, a pipeline after the first stage that is not a function.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "base/status.h"
#include "template/ast.h"

namespace berth::tmpl {

// Control structures and parentheses may nest this deep by default.
constexpr int kDefaultMaxNesting = 100;

struct ParserConfig {
  // The function names a template may call: the builtins plus the caller's.
  const std::set<std::string, std::less<>>* functions = nullptr;
  int max_nesting = kDefaultMaxNesting;
};

// Parses `text` (named `name` in messages) into `trees`: the main template under `name`, plus
// one tree per {{define}}/{{block}}. Errors are formatted with FormatError.
Status Parse(std::string_view name, std::string_view text, const ParserConfig& config,
             TreeSet* trees);

// The value of a number literal's text: an int64 when it is an integer that fits, else a
// double. Errors for bad syntax.
Result<nlohmann::json> ParseNumber(std::string_view text);

}  // namespace berth::tmpl
