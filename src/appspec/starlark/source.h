// Source positions and ninja-style error messages for the Starlark subset.
#pragma once

#include <string>
#include <string_view>

namespace berth::starlark {

// A 1-based line and column (columns count bytes).
struct Pos {
  int line = 0;
  int col = 0;
};

// One file of source: its name as shown in messages and its full text.
struct SourceFile {
  std::string name;
  std::string text;
};

// Formats "file:line:col: message", then the source line, then a caret under the column:
//   app.star:3:14: unknown keyword argument "prot" (did you mean "port"?)
//       container=container.config(src, prot=8080),
//                                        ^
// A position outside the text gives only the first line.
std::string FormatError(const SourceFile& file, Pos pos, std::string_view message);

}  // namespace berth::starlark
