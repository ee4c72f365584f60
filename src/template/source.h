// Source positions and ninja-style error messages for templates (the same format as the
// Starlark subset's, src/appspec/starlark/source.h, which this layer may not include).
#pragma once

#include <string>
#include <string_view>

namespace berth::tmpl {

// A 1-based line and column (columns count bytes).
struct Pos {
  int line = 0;
  int col = 0;
};

// Formats "name:line:col: message", then the source line, then a caret under the column:
//   secrets.tmpl:2:12: function "secrte" not defined
//   password = {{secrte "db" "PASSWORD"}}
//                ^
// A position outside the text gives only the first line.
std::string FormatError(std::string_view name, std::string_view text, Pos pos,
                        std::string_view message);

}  // namespace berth::tmpl
