// UTF-8 and the little of Unicode the string methods need: code points, and case mapping and
// classification for Latin, Greek and Cyrillic letters (ASCII rules elsewhere).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace berth::starlark {

std::string EncodeUtf8(uint32_t cp);
// The code points of s, each as its bytes; an invalid byte is a code point of its own.
std::vector<std::string> SplitUtf8(std::string_view s);
// The code point at the start of s; U+FFFD for an invalid sequence.
uint32_t DecodeUtf8(std::string_view s);

uint32_t ToUpper(uint32_t cp);
// The title case of cp: upper case, except for the Latin digraphs (dž -> Dž).
uint32_t ToTitle(uint32_t cp);
// Title-case letters (the digraphs Dž, Lj, Nj, Dz) are neither upper nor lower case.
bool IsTitleCp(uint32_t cp);
uint32_t ToLower(uint32_t cp);
bool IsUpperCp(uint32_t cp);
bool IsLowerCp(uint32_t cp);
bool IsLetterCp(uint32_t cp);
bool IsDigitCp(uint32_t cp);
bool IsSpaceCp(uint32_t cp);

// s with every code point mapped.
std::string MapUtf8(std::string_view s, uint32_t (*f)(uint32_t));

}  // namespace berth::starlark
