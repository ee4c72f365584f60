#include "appspec/starlark/suggest.h"

#include <algorithm>

#include "base/strings.h"

namespace berth::starlark {

std::string Suggest(std::string_view name, const std::vector<std::string>& candidates) {
  return ClosestMatch(name, candidates, std::max<size_t>(1, name.size() / 3));
}

std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates) {
  std::string s = Suggest(name, candidates);
  return s.empty() ? "" : " (did you mean \"" + s + "\"?)";
}

}  // namespace berth::starlark
