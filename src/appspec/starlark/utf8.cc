#include "appspec/starlark/utf8.h"

namespace berth::starlark {

std::string EncodeUtf8(uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return out;
}

namespace {

// The length of the valid sequence starting at s[0], or 0.
size_t SeqLen(std::string_view s) {
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  if (s.empty()) return 0;
  unsigned char c = b(0);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || n > s.size()) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((b(i) & 0xC0) != 0x80) return 0;
  }
  return n;
}

}  // namespace

std::vector<std::string> SplitUtf8(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t n = SeqLen(s);
    if (n == 0) n = 1;
    out.emplace_back(s.substr(0, n));
    s.remove_prefix(n);
  }
  return out;
}

uint32_t DecodeUtf8(std::string_view s) {
  size_t n = SeqLen(s);
  if (n == 0) return 0xFFFD;
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i])); };
  switch (n) {
    case 1:
      return b(0);
    case 2:
      return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3:
      return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default:
      return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

namespace {

// Latin Extended-A: pairs (upper even, lower odd) except the runs where upper is odd.
bool OddUpperRun(uint32_t cp) {
  return (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
}

// The Latin digraphs DŽ Dž dž, LJ Lj lj, NJ Nj nj, DZ Dz dz come in threes: upper case, title
// case, lower case. Returns the upper-case one of cp's three, or 0.
uint32_t DigraphBase(uint32_t cp) {
  if (cp >= 0x1C4 && cp <= 0x1CC) return 0x1C4 + (cp - 0x1C4) / 3 * 3;
  if (cp >= 0x1F1 && cp <= 0x1F3) return 0x1F1;
  return 0;
}

}  // namespace

bool IsTitleCp(uint32_t cp) { return DigraphBase(cp) != 0 && cp == DigraphBase(cp) + 1; }

uint32_t ToTitle(uint32_t cp) {
  if (uint32_t base = DigraphBase(cp)) return base + 1;
  return ToUpper(cp);
}

bool IsUpperCp(uint32_t cp) {
  if (cp < 0x80) return cp >= 'A' && cp <= 'Z';
  if (uint32_t base = DigraphBase(cp)) return cp == base;
  if (cp >= 0xC0 && cp <= 0xDE) return cp != 0xD7;
  if (cp >= 0x100 && cp <= 0x17F) {
    if (cp == 0x130 || cp == 0x178) return true;
    if (cp == 0x131 || cp == 0x138 || cp == 0x149 || cp == 0x17F) return false;
    return OddUpperRun(cp) ? (cp % 2 == 1) : (cp % 2 == 0);
  }
  if (cp >= 0x391 && cp <= 0x3A9) return cp != 0x3A2;
  if (cp >= 0x400 && cp <= 0x42F) return true;
  return false;
}

bool IsLowerCp(uint32_t cp) {
  if (cp < 0x80) return cp >= 'a' && cp <= 'z';
  if (cp == 0xB5 || cp == 0xAA || cp == 0xBA) return true;
  if (uint32_t base = DigraphBase(cp)) return cp == base + 2;
  if (cp >= 0xDF && cp <= 0xFF) return cp != 0xF7;
  if (cp >= 0x100 && cp <= 0x17F) return !IsUpperCp(cp);
  if (cp >= 0x3AC && cp <= 0x3CE) return true;
  if (cp >= 0x430 && cp <= 0x45F) return true;
  return false;
}

uint32_t ToUpper(uint32_t cp) {
  if (cp < 0x80) return cp >= 'a' && cp <= 'z' ? cp - 32 : cp;
  if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) return cp - 32;
  if (cp == 0xFF) return 0x178;
  if (cp == 0xB5) return 0x39C;
  if (uint32_t base = DigraphBase(cp)) return base;
  if (cp >= 0x100 && cp <= 0x17F && IsLowerCp(cp)) {
    if (cp == 0x131) return 'I';
    if (cp == 0x17F) return 'S';
    if (cp == 0x138 || cp == 0x149) return cp;
    return cp - 1;
  }
  if (cp >= 0x3B1 && cp <= 0x3C9 && cp != 0x3C2) return cp - 32;
  if (cp == 0x3C2) return 0x3A3;
  if (cp >= 0x430 && cp <= 0x44F) return cp - 32;
  if (cp >= 0x450 && cp <= 0x45F) return cp - 80;
  return cp;
}

uint32_t ToLower(uint32_t cp) {
  if (cp < 0x80) return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;
  if (cp == 0x178) return 0xFF;
  if (uint32_t base = DigraphBase(cp)) return base + 2;
  if (cp >= 0x100 && cp <= 0x17F && IsUpperCp(cp)) {
    if (cp == 0x130) return 'i';
    return cp + 1;
  }
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 32;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
  return cp;
}

bool IsLetterCp(uint32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  if (IsUpperCp(cp) || IsLowerCp(cp) || IsTitleCp(cp)) return true;
  // Other scripts' letters: treat the big letter blocks (CJK, Hangul, kana, ...) as letters.
  return (cp >= 0x370 && cp <= 0x52F) || (cp >= 0x590 && cp <= 0x6FF) ||
         (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xAC00 && cp <= 0xD7A3);
}

bool IsDigitCp(uint32_t cp) { return cp >= '0' && cp <= '9'; }

bool IsSpaceCp(uint32_t cp) {
  return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000 || cp == 0x1C || cp == 0x1D || cp == 0x1E || cp == 0x1F;
}

std::string MapUtf8(std::string_view s, uint32_t (*f)(uint32_t)) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    size_t n = SeqLen(s);
    if (n == 0) {
      out.push_back(s[0]);
      s.remove_prefix(1);
      continue;
    }
    out += EncodeUtf8(f(DecodeUtf8(s.substr(0, n))));
    s.remove_prefix(n);
  }
  return out;
}

}  // namespace berth::starlark
