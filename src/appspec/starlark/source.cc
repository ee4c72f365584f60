#include "appspec/starlark/source.h"

#include <fmt/format.h>

namespace berth::starlark {

std::string FormatError(const SourceFile& file, Pos pos, std::string_view message) {
  std::string out = fmt::format("{}:{}:{}: {}", file.name, pos.line, pos.col, message);
  if (pos.line <= 0) return out;
  // Find the start of the line.
  size_t start = 0;
  for (int line = 1; line < pos.line; ++line) {
    size_t nl = file.text.find('\n', start);
    if (nl == std::string::npos) return out;
    start = nl + 1;
  }
  size_t end = file.text.find('\n', start);
  if (end == std::string::npos) end = file.text.size();
  std::string_view text(file.text.data() + start, end - start);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  out += '\n';
  out += text;
  out += '\n';
  // Reproduce tabs so the caret lines up whatever the tab width.
  for (int i = 0; i + 1 < pos.col && i < static_cast<int>(text.size()); ++i) {
    out += text[i] == '\t' ? '\t' : ' ';
  }
  out += '^';
  return out;
}

}  // namespace berth::starlark
