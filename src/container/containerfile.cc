#include "container/containerfile.h"

#include <cctype>

#include "base/strings.h"

namespace berth::container {

namespace {

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// VOLUME ["/a", "/b"] (JSON form) or VOLUME /a /b.
std::vector<std::string> VolumeArgs(std::string_view rest) {
  rest = Trim(rest);
  std::vector<std::string> out;
  if (rest.starts_with("[")) {
    std::string cur;
    bool in = false;
    for (char c : rest) {
      if (c == '"') {
        if (in && !cur.empty()) out.push_back(cur);
        cur.clear();
        in = !in;
      } else if (in) {
        cur.push_back(c);
      }
    }
    return out;
  }
  return Words(rest);
}

}  // namespace

ContainerfileInfo ParseContainerfile(std::string_view text) {
  ContainerfileInfo info;
  std::vector<std::string> logical;
  std::string cur;
  for (const auto& raw : Split(text, '\n')) {
    std::string_view line = Trim(raw);
    if (cur.empty() && (line.empty() || line.starts_with("#"))) continue;
    if (!cur.empty() && line.starts_with("#")) continue;  // comments inside continuations
    if (line.ends_with("\\")) {
      cur += std::string(line.substr(0, line.size() - 1)) + " ";
      continue;
    }
    cur += std::string(line);
    logical.push_back(cur);
    cur.clear();
  }
  if (!cur.empty()) logical.push_back(cur);
  for (const auto& l : logical) {
    size_t sp = l.find_first_of(" \t");
    std::string instr = ToLower(l.substr(0, sp));
    std::string_view rest = sp == std::string::npos ? "" : std::string_view(l).substr(sp + 1);
    if (instr == "expose") {
      for (const auto& w : Words(rest)) {
        std::string port = w.substr(0, w.find('/'));
        long long p = 0;
        if (ParseInt(port, &p) && p > 0 && p < 65536) info.exposed_ports.push_back(static_cast<int>(p));
      }
    } else if (instr == "volume") {
      for (auto& v : VolumeArgs(rest)) info.volumes.push_back(std::move(v));
    } else if (instr == "arg") {
      std::vector<std::string> words;
      if (rest.find_first_of("\"'") != std::string_view::npos) words.emplace_back(Trim(rest));
      else words = Words(rest);
      for (const auto& w : words) {
        size_t eq = w.find('=');
        std::string value = eq == std::string::npos ? "" : w.substr(eq + 1);
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
            value.back() == value.front()) {
          value = value.substr(1, value.size() - 2);
        }
        info.args[w.substr(0, eq)] = value;
      }
    }
  }
  return info;
}

}  // namespace berth::container
