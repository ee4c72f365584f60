#include "admin/json_text.h"

namespace berth::admin::internal {

void AppendJsonString(std::string* out, std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      out->append(Dump(nlohmann::json(std::string(s))));
      return;
    }
  }
  out->push_back('"');
  out->append(s);
  out->push_back('"');
}

}  // namespace berth::admin::internal

namespace berth::admin {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The index just past the string literal that starts at text[i] (a '"').
size_t SkipString(std::string_view text, size_t i) {
  for (++i; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return text.size();
}

// The index just past the value that starts at text[i] (no leading space).
size_t SkipValue(std::string_view text, size_t i) {
  int depth = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"') {
      i = SkipString(text, i);
      if (depth == 0) return i;
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
      if (depth < 0) return i;
    } else if (depth == 0 && (c == ',' || IsSpace(c))) {
      return i;
    }
    ++i;
  }
  return i;
}

size_t SkipSpace(std::string_view text, size_t i) {
  while (i < text.size() && IsSpace(text[i])) ++i;
  return i;
}

}  // namespace

std::string IndentJson(std::string_view text, int indent) {
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  int depth = 0;
  auto newline = [&] {
    out.push_back('\n');
    out.append(static_cast<size_t>(depth * indent), ' ');
  };
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '"') {
      size_t end = SkipString(text, i);
      out.append(text.substr(i, end - i));
      i = end;
      continue;
    }
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    if (c == '{' || c == '[') {
      size_t next = SkipSpace(text, i + 1);
      if (next < text.size() && text[next] == (c == '{' ? '}' : ']')) {
        out.push_back(c);
        out.push_back(text[next]);
        i = next + 1;
        continue;
      }
      out.push_back(c);
      ++depth;
      newline();
    } else if (c == '}' || c == ']') {
      --depth;
      newline();
      out.push_back(c);
    } else if (c == ',') {
      out.push_back(',');
      newline();
    } else if (c == ':') {
      out.append(": ");
    } else {
      out.push_back(c);
    }
    ++i;
  }
  return out;
}

std::optional<std::string_view> JsonMemberText(std::string_view text, std::string_view key) {
  size_t i = SkipSpace(text, 0);
  if (i >= text.size() || text[i] != '{') return std::nullopt;
  ++i;
  while (true) {
    i = SkipSpace(text, i);
    if (i >= text.size() || text[i] != '"') return std::nullopt;
    size_t key_end = SkipString(text, i);
    std::string_view name = text.substr(i + 1, key_end - i - 2);
    i = SkipSpace(text, key_end);
    if (i >= text.size() || text[i] != ':') return std::nullopt;
    i = SkipSpace(text, i + 1);
    size_t value_end = SkipValue(text, i);
    if (name == key) return text.substr(i, value_end - i);
    i = SkipSpace(text, value_end);
    if (i >= text.size() || text[i] != ',') return std::nullopt;
    ++i;
  }
}

}  // namespace berth::admin
