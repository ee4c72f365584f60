// "Did you mean" suggestions: the closest known name by edit distance (base/strings.h),
// within Starlark's threshold.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace berth::starlark {

// Returns the candidate closest to `name` (optimal string alignment distance, so a swap of two
// adjacent letters counts as one edit), or "" when none is close enough to be a likely typo.
std::string Suggest(std::string_view name, const std::vector<std::string>& candidates);

// " (did you mean \"x\"?)" for the closest candidate, or "" when there is none.
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace berth::starlark
