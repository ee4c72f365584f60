#include "template/format.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace berth::tmpl {
namespace {

constexpr int kMaxWidth = 1'000'000;  // as Go's fmt: larger is %!(BADWIDTH)

// The shortest digits of |d| and the exponent of its first digit (d = 0.d1d2... x 10^dp).
void ShortestDigits(double d, std::string* digits, int* dp) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, std::fabs(d), std::chars_format::scientific);
  std::string_view s(buf, r.ptr - buf);
  size_t e = s.find('e');
  digits->clear();
  for (char c : s.substr(0, e)) {
    if (c != '.') *digits += c;
  }
  while (digits->size() > 1 && digits->back() == '0') digits->pop_back();
  *dp = std::stoi(std::string(s.substr(e + 1))) + 1;
}

std::string Exponent(int exp) {
  std::string out = exp < 0 ? "-" : "+";
  int a = std::abs(exp);
  if (a < 10) out += '0';
  out += std::to_string(a);
  return out;
}

std::string ShortestFloat(double d, char verb) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  std::string digits;
  int dp = 0;
  ShortestDigits(d, &digits, &dp);
  std::string out = std::signbit(d) ? "-" : "";
  if (d == 0) {
    digits = "0";
    dp = 1;
  }
  int exp = dp - 1;
  int nd = static_cast<int>(digits.size());
  // Go's shortest %g switches to an exponent below 1e-4 and from 1e+06 up.
  bool use_exp =
      verb == 'e' || verb == 'E' || ((verb == 'g' || verb == 'G') && (exp < -4 || exp >= 6));
  if (use_exp) {
    out += digits[0];
    if (nd > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += verb == 'E' || verb == 'G' ? 'E' : 'e';
    out += Exponent(exp);
    return out;
  }
  if (dp <= 0) {
    out += "0.";
    out.append(-dp, '0');
    out += digits;
  } else if (dp >= nd) {
    out += digits;
    out.append(dp - nd, '0');
  } else {
    out += digits.substr(0, dp);
    out += '.';
    out += digits.substr(dp);
  }
  return out;
}

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Decodes one UTF-8 rune at s[i]; returns its length (1 and 0xFFFD for a bad byte).
size_t DecodeRune(std::string_view s, size_t i, uint32_t* r) {
  unsigned char c = s[i];
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) {
    *r = 0xFFFD;
    return 1;
  }
  uint32_t v = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = s[i + k];
    if ((cc & 0xC0) != 0x80) {
      *r = 0xFFFD;
      return 1;
    }
    v = (v << 6) | (cc & 0x3F);
  }
  uint32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : n == 4 ? 0x10000 : 0;
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
    *r = 0xFFFD;
    return 1;
  }
  *r = v;
  return n;
}

void AppendRune(std::string& out, uint32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

bool IsPrintRune(uint32_t r) {
  if (r < 0x20 || r == 0x7F) return false;
  if (r >= 0x80 && r <= 0xA0) return false;
  if (r == 0xAD || r == 0x2028 || r == 0x2029 || r == 0xFEFF || r == 0xFFFD + 0x100000) {
    return false;
  }
  return true;
}

void QuoteRune(std::string& out, uint32_t r, char quote) {
  if (r == static_cast<uint32_t>(quote) || r == '\\') {
    out += '\\';
    out += static_cast<char>(r);
    return;
  }
  if (IsPrintRune(r)) {
    AppendRune(out, r);
    return;
  }
  switch (r) {
    case '\a':
      out += "\\a";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\v':
      out += "\\v";
      return;
  }
  if (r < 0x20 || r == 0x7F) {
    out += fmt::format("\\x{:02x}", r);
  } else if (r < 0x10000) {
    out += fmt::format("\\u{:04x}", r);
  } else {
    out += fmt::format("\\U{:08x}", r);
  }
}

struct Spec {
  bool minus = false, plus = false, sharp = false, space = false, zero = false;
  int width = -1;
  int prec = -1;
  char verb = 'v';
};

std::string Pad(std::string s, const Spec& spec, bool numeric = false) {
  if (spec.width < 0) return s;
  size_t n = RuneCount(s);
  if (n >= static_cast<size_t>(spec.width)) return s;
  size_t fill = spec.width - n;
  if (spec.minus) return s + std::string(fill, ' ');
  if (spec.zero) {
    // Zeros go after the sign.
    size_t at = numeric && !s.empty() && (s[0] == '-' || s[0] == '+' || s[0] == ' ') ? 1 : 0;
    s.insert(at, fill, '0');
    return s;
  }
  return std::string(fill, ' ') + s;
}

std::string BadVerb(const Spec& spec, const Value& v) {
  if (v.is_null() || IsNoValue(v)) return fmt::format("%!{}(<nil>)", spec.verb);
  return fmt::format("%!{}({}={})", spec.verb, TypeName(v), FormatValue(v));
}

std::string FormatInt(int64_t i, const Spec& spec) {
  bool neg = i < 0;
  uint64_t u = neg ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
  std::string digits;
  switch (spec.verb) {
    case 'd':
    case 'v':
      digits = fmt::format("{}", u);
      break;
    case 'x':
      digits = fmt::format("{:x}", u);
      break;
    case 'X':
      digits = fmt::format("{:X}", u);
      break;
    case 'o':
      digits = fmt::format("{:o}", u);
      break;
    case 'b':
      digits = fmt::format("{:b}", u);
      break;
  }
  if (spec.prec >= 0) {
    if (spec.prec == 0 && u == 0) digits.clear();
    if (static_cast<int>(digits.size()) < spec.prec) {
      digits.insert(0, spec.prec - digits.size(), '0');
    }
  }
  if (spec.sharp) {
    if (spec.verb == 'x') digits.insert(0, "0x");
    if (spec.verb == 'X') digits.insert(0, "0X");
    if (spec.verb == 'o' && (digits.empty() || digits[0] != '0')) digits.insert(0, "0");
    if (spec.verb == 'b') digits.insert(0, "0b");
  }
  std::string sign = neg ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  Spec pad = spec;
  if (spec.prec >= 0) pad.zero = false;
  return Pad(sign + digits, pad, true);
}

std::string FormatDouble(double d, const Spec& spec) {
  char verb = spec.verb == 'v' ? 'g' : spec.verb;
  std::string s;
  if (std::isnan(d) || std::isinf(d)) {
    s = std::isnan(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf";
    if (std::isinf(d) && d > 0 && !spec.plus) s = spec.space ? " Inf" : "Inf";
    Spec pad = spec;
    pad.zero = false;
    return Pad(s, pad);
  }
  if ((verb == 'g' || verb == 'G') && spec.prec < 0) {
    s = ShortestFloat(d, verb);
  } else if ((verb == 'e' || verb == 'E') && spec.prec < 0) {
    s = verb == 'e' ? fmt::format("{:.6e}", d) : fmt::format("{:.6E}", d);
  } else {
    int prec = spec.prec < 0 ? 6 : spec.prec;
    char cfmt[16];
    std::snprintf(cfmt, sizeof cfmt, "%%%s.%d%c", spec.sharp ? "#" : "", prec,
                  verb == 'F' ? 'f' : verb);
    char buf[512];
    int n = std::snprintf(buf, sizeof buf, cfmt, d);
    if (n >= static_cast<int>(sizeof buf)) {
      std::string big(n + 1, '\0');
      std::snprintf(big.data(), big.size(), cfmt, d);
      big.resize(n);
      s = big;
    } else {
      s.assign(buf, n);
    }
  }
  if (s[0] != '-') {
    if (spec.plus) {
      s.insert(0, "+");
    } else if (spec.space) {
      s.insert(0, " ");
    }
  }
  return Pad(s, spec, true);
}

std::string FormatString(std::string_view str, const Spec& spec) {
  std::string s;
  switch (spec.verb) {
    case 'v':
    case 's':
      s = std::string(str);
      if (spec.prec >= 0) {
        // Precision counts runes.
        size_t i = 0;
        int runes = 0;
        while (i < s.size() && runes < spec.prec) {
          uint32_t r;
          i += DecodeRune(s, i, &r);
          ++runes;
        }
        s.resize(i);
      }
      break;
    case 'q':
      s = GoQuote(str);
      if (spec.sharp && str.find('`') == std::string_view::npos) {
        bool ok = true;
        for (size_t i = 0; i < str.size();) {
          uint32_t r;
          i += DecodeRune(str, i, &r);
          if (r == 0xFFFD || (!IsPrintRune(r) && r != '\t')) ok = false;
        }
        if (ok) s = "`" + std::string(str) + "`";
      }
      break;
    case 'x':
    case 'X': {
      const char* digits = spec.verb == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
      size_t n = str.size();
      if (spec.prec >= 0 && static_cast<size_t>(spec.prec) < n) n = spec.prec;
      for (size_t i = 0; i < n; ++i) {
        if (i > 0 && spec.space) s += ' ';
        if (spec.sharp && (i == 0 || spec.space)) s += spec.verb == 'x' ? "0x" : "0X";
        unsigned char c = str[i];
        s += digits[c >> 4];
        s += digits[c & 15];
      }
      break;
    }
    default:
      return BadVerb(spec, Value(std::string(str)));
  }
  return Pad(s, spec);
}

// One operand under one verb; lists and maps apply the verb to their elements.
std::string FormatOne(const Value& v, const Spec& spec) {
  if (spec.verb == 'T') {
    Spec pad = spec;
    return Pad(v.is_null() || IsNoValue(v) ? "<nil>" : TypeName(v), pad);
  }
  if (v.is_null() || IsNoValue(v)) {
    if (spec.verb == 'v') return Pad("<nil>", spec);
    return BadVerb(spec, v);
  }
  if (v.is_boolean()) {
    if (spec.verb == 'v' || spec.verb == 't') return Pad(v.get<bool>() ? "true" : "false", spec);
    return BadVerb(spec, v);
  }
  if (v.is_number_float() || (v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX)) {
    double d = v.get<double>();
    switch (spec.verb) {
      case 'v':
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G':
        return FormatDouble(d, spec);
      default:
        return BadVerb(spec, v);
    }
  }
  if (v.is_number()) {
    int64_t i = v.get<int64_t>();
    switch (spec.verb) {
      case 'v':
      case 'd':
      case 'x':
      case 'X':
      case 'o':
      case 'b':
        return FormatInt(i, spec);
      case 'c': {
        std::string s;
        AppendRune(s, i < 0 || i > 0x10FFFF ? 0xFFFD : static_cast<uint32_t>(i));
        return Pad(s, spec);
      }
      case 'q': {
        std::string s = "'";
        uint32_t r = i < 0 || i > 0x10FFFF ? 0xFFFD : static_cast<uint32_t>(i);
        QuoteRune(s, r, '\'');
        s += '\'';
        return Pad(s, spec);
      }
      default:
        return BadVerb(spec, v);
    }
  }
  if (v.is_string()) return FormatString(v.get_ref<const std::string&>(), spec);
  if (v.is_array()) {
    std::string s = "[";
    bool first = true;
    for (const auto& e : v) {
      if (!first) s += ' ';
      first = false;
      // A nil element prints as <nil> whatever the verb.
      s += e.is_null() ? "<nil>" : FormatOne(e, spec);
    }
    return s + "]";
  }
  if (v.is_object()) {
    std::string s = "map[";
    bool first = true;
    for (const auto& [k, e] : v.items()) {
      if (!first) s += ' ';
      first = false;
      s += FormatOne(Value(k), spec);
      s += ':';
      // A nil element prints as <nil> whatever the verb.
      s += e.is_null() ? "<nil>" : FormatOne(e, spec);
    }
    return s + "]";
  }
  return BadVerb(spec, v);
}

}  // namespace

std::string FormatFloatShortest(double d, char verb) { return ShortestFloat(d, verb); }

Value NoValue() { return Value(Value::value_t::discarded); }
bool IsNoValue(const Value& v) { return v.is_discarded(); }

std::string TypeName(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      return "<nil>";
    case Value::value_t::boolean:
      return "bool";
    case Value::value_t::number_integer:
      return "int";
    case Value::value_t::number_unsigned:
      return v.get<uint64_t>() > INT64_MAX ? "float64" : "int";
    case Value::value_t::number_float:
      return "float64";
    case Value::value_t::string:
      return "string";
    case Value::value_t::array:
      return "[]interface {}";
    case Value::value_t::object:
      return "map[string]interface {}";
    default:
      return "<nil>";
  }
}

std::string FormatValue(const Value& v) {
  Spec spec;
  return FormatOne(v, spec);
}

std::string Sprint(const std::vector<Value>& args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0 && !args[i].is_string() && !args[i - 1].is_string()) out += ' ';
    out += FormatValue(args[i]);
  }
  return out;
}

std::string Sprintln(const std::vector<Value>& args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ' ';
    out += FormatValue(args[i]);
  }
  out += '\n';
  return out;
}

std::string Sprintf(std::string_view f, const std::vector<Value>& args) {
  std::string out;
  size_t arg = 0;
  size_t i = 0;
  while (i < f.size()) {
    size_t pct = f.find('%', i);
    if (pct == std::string_view::npos) {
      out += f.substr(i);
      break;
    }
    out += f.substr(i, pct - i);
    i = pct + 1;
    Spec spec;
    for (; i < f.size(); ++i) {
      char c = f[i];
      if (c == '-') {
        spec.minus = true;
        spec.zero = false;
      } else if (c == '+') {
        spec.plus = true;
      } else if (c == '#') {
        spec.sharp = true;
      } else if (c == ' ') {
        spec.space = true;
      } else if (c == '0') {
        spec.zero = !spec.minus;
      } else {
        break;
      }
    }
    // Width and precision: digits or '*' (an int operand).
    auto read_num = [&](int* out_num, bool* bad) {
      if (i < f.size() && f[i] == '*') {
        ++i;
        if (arg < args.size() && args[arg].is_number_integer()) {
          int64_t n = args[arg++].get<int64_t>();
          if (n > kMaxWidth || n < -kMaxWidth) {
            *bad = true;
          } else {
            *out_num = static_cast<int>(n);
          }
        } else {
          if (arg < args.size()) ++arg;
          *bad = true;
        }
        return;
      }
      if (i >= f.size() || f[i] < '0' || f[i] > '9') return;
      int64_t n = 0;
      while (i < f.size() && f[i] >= '0' && f[i] <= '9') {
        n = n * 10 + (f[i] - '0');
        if (n > kMaxWidth) {
          // As Go: a number too large swallows the rest of the format (then %!(NOVERB)).
          i = f.size();
          return;
        }
        ++i;
      }
      *out_num = static_cast<int>(n);
    };
    bool bad_width = false;
    read_num(&spec.width, &bad_width);
    if (spec.width < -1 || (spec.width < 0 && spec.width != -1)) {
      spec.minus = true;
      spec.width = -spec.width;
    }
    if (bad_width) {
      out += "%!(BADWIDTH)";
      spec.width = -1;
    }
    if (i < f.size() && f[i] == '.') {
      ++i;
      bool bad_prec = false;
      spec.prec = 0;
      read_num(&spec.prec, &bad_prec);
      if (spec.prec < 0) spec.prec = -1;
      if (bad_prec) {
        out += "%!(BADPREC)";
        spec.prec = -1;
      }
    }
    if (i >= f.size()) {
      out += "%!(NOVERB)";
      break;
    }
    uint32_t verb;
    size_t n = DecodeRune(f, i, &verb);
    i += n;
    if (verb == '%') {
      out += '%';
      continue;
    }
    spec.verb = static_cast<char>(verb < 0x80 ? verb : '?');
    if (spec.verb == 'v') {
      // %+v and %#v are Go's struct and Go-syntax forms, not a sign: plain %v here.
      spec.plus = false;
      spec.sharp = false;
    }
    if (arg >= args.size()) {
      out += "%!";
      AppendRune(out, verb);
      out += "(MISSING)";
      continue;
    }
    if (verb >= 0x80 || !std::strchr("vsdqxXobceEfFgGtT", static_cast<char>(verb))) {
      out += "%!";
      AppendRune(out, verb);
      const Value& v = args[arg++];
      out += v.is_null() ? "(<nil>)" : fmt::format("({}={})", TypeName(v), FormatValue(v));
      continue;
    }
    out += FormatOne(args[arg++], spec);
  }
  if (arg < args.size()) {
    out += "%!(EXTRA ";
    for (size_t k = arg; k < args.size(); ++k) {
      if (k > arg) out += ", ";
      out += args[k].is_null() ? "<nil>" : TypeName(args[k]) + "=" + FormatValue(args[k]);
    }
    out += ')';
  }
  return out;
}

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    uint32_t r;
    size_t n = DecodeRune(s, i, &r);
    if (r == 0xFFFD && n == 1 && static_cast<unsigned char>(s[i]) >= 0x80) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i]));
    } else {
      QuoteRune(out, r, '"');
    }
    i += n;
  }
  out += '"';
  return out;
}

}  // namespace berth::tmpl
