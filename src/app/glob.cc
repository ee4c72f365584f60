#include "app/glob.h"

#include "base/strings.h"

namespace berth::app {

bool WildcardMatch(std::string_view pattern, std::string_view text, char sep) {
  // Iterative backtracking over the two kinds of star; patterns are short.
  if (pattern.empty()) return text.empty();
  if (pattern.starts_with("**")) {
    std::string_view rest = pattern.substr(2);
    // "/**" at a segment boundary may also match nothing, including its separator:
    // "/a/**" matches "/a".
    for (size_t i = 0; i <= text.size(); ++i) {
      if (WildcardMatch(rest, text.substr(i), sep)) return true;
    }
    return false;
  }
  if (pattern.front() == '*') {
    std::string_view rest = pattern.substr(1);
    for (size_t i = 0; i <= text.size(); ++i) {
      if (WildcardMatch(rest, text.substr(i), sep)) return true;
      if (i < text.size() && text[i] == sep) break;
    }
    return false;
  }
  if (pattern.size() >= 3 && pattern[0] == sep && pattern.substr(1, 2) == "**" &&
      (pattern.size() == 3 || pattern[3] == sep)) {
    // "/**" matches "" as well as "/anything".
    if (WildcardMatch(pattern.substr(3), text, sep)) return true;
  }
  if (text.empty() || pattern.front() != text.front()) return false;
  return WildcardMatch(pattern.substr(1), text.substr(1), sep);
}

Result<AppGlob> AppGlob::Parse(std::string_view text, std::string_view default_domain) {
  AppGlob g;
  std::string_view t = Trim(text);
  g.text_ = std::string(t);
  if (t.empty()) return Status::InvalidArgument("app glob is empty");
  if (t == "all") {
    g.all_ = true;
    return g;
  }
  size_t colon = t.find(':');
  std::string_view path = t;
  if (colon != std::string_view::npos) {
    g.domain_ = ToLower(t.substr(0, colon));
    if (g.domain_.empty()) g.domain_ = std::string(default_domain);
    else if (g.domain_.back() == '.') g.domain_ += std::string(default_domain);
    path = t.substr(colon + 1);
  } else {
    g.domain_ = std::string(default_domain);
  }
  if (path.empty()) path = "/";
  if (path != "**" && path.front() != '/') {
    return Status::InvalidArgument("app glob \"" + g.text_ +
                                   "\" must be all or [domain:]/path, with * and ** wildcards");
  }
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  g.path_ = std::string(path);
  return g;
}

bool AppGlob::IsExact() const {
  return !all_ && domain_.find('*') == std::string::npos && path_.find('*') == std::string::npos;
}

bool AppGlob::Matches(const AppPath& p) const {
  if (all_) return true;
  // A lone "*" is any domain; otherwise "*" stays within one label.
  if (domain_ != "*" && !WildcardMatch(domain_, p.domain, '.')) return false;
  if (path_ == "**") return true;
  return WildcardMatch(path_, p.path, '/');
}

}  // namespace berth::app
