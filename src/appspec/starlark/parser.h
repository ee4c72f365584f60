// The Starlark parser: tokens to a syntax tree.
#pragma once

#include <memory>

#include "appspec/starlark/ast.h"
#include "base/status.h"

namespace berth::starlark {

// Limits that keep a hostile file from exhausting the stack: brackets, unary operators and
// blocks may nest this deep, and no expression tree may be taller than kMaxExprDepth.
constexpr int kMaxNesting = 100;
constexpr int kMaxExprDepth = 200;

// Language options that change what parses (as starlark-go's syntax.FileOptions do).
struct ParseOptions {
  bool allow_while = false;  // `while` loops; without, `while` is a syntax error
};

// Lexes and parses a file. Syntax errors carry "file:line:col: message", the line and a caret.
Result<std::unique_ptr<Program>> Parse(SourceFile file, ParseOptions options = {});

}  // namespace berth::starlark
