#include "template/source.h"

#include <fmt/format.h>

namespace berth::tmpl {

std::string FormatError(std::string_view name, std::string_view text, Pos pos,
                        std::string_view message) {
  std::string out = fmt::format("{}:{}:{}: {}", name, pos.line, pos.col, message);
  if (pos.line <= 0) return out;
  size_t start = 0;
  for (int line = 1; line < pos.line; ++line) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return out;
    start = nl + 1;
  }
  size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  std::string_view src = text.substr(start, end - start);
  if (!src.empty() && src.back() == '\r') src.remove_suffix(1);
  out += '\n';
  out += src;
  out += '\n';
  // Reproduce tabs so the caret lines up whatever the tab width.
  for (int i = 0; i + 1 < pos.col && i < static_cast<int>(src.size()); ++i) {
    out += src[i] == '\t' ? '\t' : ' ';
  }
  out += '^';
  return out;
}

}  // namespace berth::tmpl
