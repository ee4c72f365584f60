// Small string helpers used across modules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace berth {

std::vector<std::string> Split(std::string_view s, char sep);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
std::string_view Trim(std::string_view s);
std::string ToLower(std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// The last `n` lines of `text` (fewer if it has fewer).
std::string LastLines(std::string_view text, size_t n);
// The value of a hexadecimal digit (0-9, a-f, A-F), or -1.
int HexDigitValue(char c);
// Parses a base-10 integer that must fill the whole string.
bool ParseInt(std::string_view s, long long* out);
// The edit distance of "did you mean" suggestions (the CLI's, the config's, Starlark's): optimal
// string alignment, so a swap of two adjacent letters is one edit; letters compare
// case-insensitively.
size_t EditDistance(std::string_view a, std::string_view b);
// The candidate closest to `word` within `max_distance` edits (the first of equally close
// ones), or "". A candidate equal to `word` is never suggested.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates,
                         size_t max_distance);
// As above, within max(2, |word| / 3) edits.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace berth
