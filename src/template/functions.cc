#include "template/functions.h"

#include <fmt/format.h>

#include <cmath>

namespace berth::tmpl {
namespace {

enum class Kind { kInvalid, kBool, kInt, kFloat, kString, kOther };

Kind KindOf(const Value& v) {
  if (v.is_null() || IsNoValue(v)) return Kind::kInvalid;
  if (v.is_boolean()) return Kind::kBool;
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX) return Kind::kFloat;
    return Kind::kInt;
  }
  if (v.is_number_float()) return Kind::kFloat;
  if (v.is_string()) return Kind::kString;
  return Kind::kOther;
}

Status Error(std::string msg) { return Status::InvalidArgument(std::move(msg)); }

Status WantArgs(const char* name, const std::vector<Value>& args, size_t n) {
  if (args.size() != n) {
    return Error(fmt::format("wrong number of args for {}: want {} got {}", name, n, args.size()));
  }
  return Status::Ok();
}
Status WantAtLeast(const char* name, const std::vector<Value>& args, size_t n) {
  if (args.size() < n) {
    return Error(
        fmt::format("wrong number of args for {}: want at least {} got {}", name, n, args.size()));
  }
  return Status::Ok();
}

// A string parameter, as Go checks a function's argument types.
Result<std::string> Str(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null() || IsNoValue(v)) return Error("invalid value; expected string");
  return Error(fmt::format("wrong type for value; expected string; got {}", TypeName(v)));
}

// sprig's strval: a string as is, anything else as %v.
std::string StrVal(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  return FormatValue(v);
}

// The single string argument, or fmt.Sprint of them all (Go's evalArgs for html, js, urlquery).
// A nil argument reads "<no value>" there.
std::string JoinArgs(std::vector<Value> args) {
  if (args.size() == 1 && args[0].is_string()) return args[0].get<std::string>();
  for (auto& a : args) {
    if (KindOf(a) == Kind::kInvalid) a = "<no value>";
  }
  return Sprint(args);
}

// Comparison (Go's eq and lt on basic kinds).
Result<bool> Eq(const Value& a, const Value& b) {
  Kind ka = KindOf(a), kb = KindOf(b);
  if (ka != kb) {
    if (ka != Kind::kInvalid && kb != Kind::kInvalid) {
      return Error("incompatible types for comparison");
    }
    return false;
  }
  switch (ka) {
    case Kind::kBool:
      return a.get<bool>() == b.get<bool>();
    case Kind::kInt:
      return a.get<int64_t>() == b.get<int64_t>();
    case Kind::kFloat:
      return a.get<double>() == b.get<double>();
    case Kind::kString:
      return a.get_ref<const std::string&>() == b.get_ref<const std::string&>();
    case Kind::kInvalid:
      return true;
    default:
      return Error(fmt::format("non-comparable type {}: {}", FormatValue(a), TypeName(a)));
  }
}

Result<bool> Lt(const Value& a, const Value& b) {
  Kind ka = KindOf(a), kb = KindOf(b);
  if (ka == Kind::kInvalid || ka == Kind::kOther || kb == Kind::kInvalid || kb == Kind::kOther) {
    return Error("invalid type for comparison");
  }
  if (ka != kb) return Error("incompatible types for comparison");
  switch (ka) {
    case Kind::kInt:
      return a.get<int64_t>() < b.get<int64_t>();
    case Kind::kFloat:
      return a.get<double>() < b.get<double>();
    case Kind::kString:
      return a.get_ref<const std::string&>() < b.get_ref<const std::string&>();
    default:
      return Error("invalid type for comparison");
  }
}

// An index of `what` into something of length `len` (Go's indexArg); `end_ok` allows len.
Result<int64_t> IndexArg(const Value& v, size_t len, bool end_ok) {
  if (v.is_null() || IsNoValue(v)) return Error("cannot index slice/array with nil");
  if (KindOf(v) != Kind::kInt) {
    return Error(fmt::format("cannot index slice/array with type {}", TypeName(v)));
  }
  int64_t x = v.get<int64_t>();
  if (x < 0 || static_cast<uint64_t>(x) > len || (!end_ok && static_cast<uint64_t>(x) == len)) {
    return Error(fmt::format("index out of range: {}", x));
  }
  return x;
}

Result<Value> Index(const std::vector<Value>& args) {
  BERTH_RETURN_IF_ERROR(WantAtLeast("index", args, 1));
  Value item = args[0];
  if (KindOf(item) == Kind::kInvalid) return Error("index of untyped nil");
  for (size_t i = 1; i < args.size(); ++i) {
    if (item.is_null()) return Error("index of nil pointer");
    if (item.is_array() || item.is_string()) {
      size_t len = item.is_array() ? item.size() : item.get_ref<const std::string&>().size();
      BERTH_ASSIGN_OR_RETURN(int64_t x, IndexArg(args[i], len, false));
      if (item.is_array()) {
        Value next = item[x];
        item = std::move(next);
      } else {
        item =
            static_cast<int64_t>(static_cast<unsigned char>(item.get_ref<const std::string&>()[x]));
      }
    } else if (item.is_object()) {
      if (!args[i].is_string()) {
        if (KindOf(args[i]) == Kind::kInvalid)
          return Error("value is nil; should be of type string");
        return Error(fmt::format("value has type {}; should be string", TypeName(args[i])));
      }
      auto it = item.find(args[i].get<std::string>());
      if (it == item.end()) {
        item = nullptr;
      } else {
        Value next = *it;
        item = std::move(next);
      }
    } else {
      return Error(fmt::format("can't index item of type {}", TypeName(item)));
    }
  }
  return item;
}

Result<Value> Slice(const std::vector<Value>& args) {
  BERTH_RETURN_IF_ERROR(WantAtLeast("slice", args, 1));
  const Value& item = args[0];
  if (KindOf(item) == Kind::kInvalid) return Error("slice of untyped nil");
  size_t n = args.size() - 1;
  if (n > 3) return Error(fmt::format("too many slice indexes: {}", n));
  size_t len;
  if (item.is_string()) {
    if (n == 3) return Error("cannot 3-index slice a string");
    len = item.get_ref<const std::string&>().size();
  } else if (item.is_array()) {
    len = item.size();
  } else {
    return Error(fmt::format("can't slice item of type {}", TypeName(item)));
  }
  int64_t idx[3] = {0, static_cast<int64_t>(len), static_cast<int64_t>(len)};
  for (size_t i = 0; i < n; ++i) {
    BERTH_ASSIGN_OR_RETURN(idx[i], IndexArg(args[i + 1], len, true));
  }
  if (idx[0] > idx[1]) return Error(fmt::format("invalid slice index: {} > {}", idx[0], idx[1]));
  if (n == 3 && idx[1] > idx[2]) {
    return Error(fmt::format("invalid slice index: {} > {}", idx[1], idx[2]));
  }
  if (item.is_string())
    return Value(item.get_ref<const std::string&>().substr(idx[0], idx[1] - idx[0]));
  Value out = Value::array();
  for (int64_t i = idx[0]; i < idx[1]; ++i) out.push_back(item[i]);
  return out;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out += c;
    }
  }
  return out;
}

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

std::string JsEscape(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    if (c < 0x80) {
      switch (c) {
        case '\\':
          out += "\\\\";
          break;
        case '\'':
          out += "\\'";
          break;
        case '"':
          out += "\\\"";
          break;
        case '<':
          out += "\\u003C";
          break;
        case '>':
          out += "\\u003E";
          break;
        case '&':
          out += "\\u0026";
          break;
        case '=':
          out += "\\u003D";
          break;
        default:
          if (c < ' ') {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    uint32_t r;
    size_t n = DecodeRune(s, i, &r);
    bool print =
        !(r >= 0x80 && r <= 0xA0) && r != 0xAD && r != 0x2028 && r != 0x2029 && r != 0xFEFF;
    if (print) {
      out.append(s.substr(i, n));
    } else {
      out += fmt::format("\\u{:04X}", r);
    }
    i += n;
  }
  return out;
}

std::string QueryEscape(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// sprig's empty.
bool Empty(const Value& v) { return !Truth(v); }

std::string ReplaceAll(std::string_view src, std::string_view from, std::string_view to) {
  std::string out;
  if (from.empty()) {
    // Go inserts `to` before every rune and at the end.
    for (size_t i = 0; i < src.size();) {
      uint32_t r;
      size_t n = DecodeRune(src, i, &r);
      out += to;
      out.append(src.substr(i, n));
      i += n;
    }
    out += to;
    return out;
  }
  size_t i = 0;
  while (true) {
    size_t at = src.find(from, i);
    if (at == std::string_view::npos) break;
    out.append(src.substr(i, at - i));
    out += to;
    i = at + from.size();
  }
  out.append(src.substr(i));
  return out;
}

std::vector<std::string> SplitAll(std::string_view s, std::string_view sep) {
  std::vector<std::string> out;
  if (sep.empty()) {
    for (size_t i = 0; i < s.size();) {
      uint32_t r;
      size_t n = DecodeRune(s, i, &r);
      out.emplace_back(s.substr(i, n));
      i += n;
    }
    return out;
  }
  size_t i = 0;
  while (true) {
    size_t at = s.find(sep, i);
    if (at == std::string_view::npos) break;
    out.emplace_back(s.substr(i, at - i));
    i = at + sep.size();
  }
  out.emplace_back(s.substr(i));
  return out;
}

bool IsTrimSpace(std::string_view s, size_t i, size_t* n) {
  unsigned char c = s[i];
  if (c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r') {
    *n = 1;
    return true;
  }
  if (c == 0xC2 && i + 1 < s.size() &&
      (static_cast<unsigned char>(s[i + 1]) == 0x85 ||
       static_cast<unsigned char>(s[i + 1]) == 0xA0)) {
    *n = 2;
    return true;
  }
  return false;
}

std::string TrimSpace(std::string_view s) {
  size_t n;
  while (!s.empty() && IsTrimSpace(s, 0, &n)) s.remove_prefix(n);
  while (!s.empty()) {
    if (IsTrimSpace(s, s.size() - 1, &n)) {
      s.remove_suffix(1);
    } else if (s.size() >= 2 && IsTrimSpace(s, s.size() - 2, &n) && n == 2) {
      s.remove_suffix(2);
    } else {
      break;
    }
  }
  return std::string(s);
}

const std::string kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string B64Encode(std::string_view s) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(s[i]) << 16) |
                 (static_cast<unsigned char>(s[i + 1]) << 8) | static_cast<unsigned char>(s[i + 2]);
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i + 1 == s.size()) {
    uint32_t v = static_cast<unsigned char>(s[i]) << 16;
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == s.size()) {
    uint32_t v =
        (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8);
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// Go's base64.StdEncoding.DecodeString (newlines are ignored, padding is required).
Result<std::string> B64Decode(std::string_view in) {
  std::string s;
  for (char c : in) {
    if (c != '\n' && c != '\r') s += c;
  }
  std::string out;
  if (s.size() % 4 != 0) {
    return Error(fmt::format("illegal base64 data at input byte {}", s.size() / 4 * 4));
  }
  for (size_t i = 0; i < s.size(); i += 4) {
    uint32_t v = 0;
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s[i + k];
      if (c == '=' && k >= 2 && i + 4 == s.size()) {
        if (k == 2 && s[i + 3] != '=')
          return Error(fmt::format("illegal base64 data at input byte {}", i + k));
        ++pad;
        v <<= 6;
        continue;
      }
      size_t d = kB64.find(c);
      if (d == std::string::npos || pad > 0) {
        return Error(fmt::format("illegal base64 data at input byte {}", i + k));
      }
      v = (v << 6) | static_cast<uint32_t>(d);
    }
    out += static_cast<char>(v >> 16);
    if (pad < 2) out += static_cast<char>((v >> 8) & 255);
    if (pad < 1) out += static_cast<char>(v & 255);
  }
  return out;
}

void JsonString(std::string& out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '<':
        case '>':
        case '&':
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
          break;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    uint32_t r;
    size_t n = DecodeRune(s, i, &r);
    if (r == 0xFFFD && n == 1) {
      out += "\\ufffd";
    } else if (r == 0x2028 || r == 0x2029) {
      out += fmt::format("\\u{:04x}", r);
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  out += '"';
}

void AppendJson(std::string& out, const Value& v) {
  switch (KindOf(v)) {
    case Kind::kInvalid:
      out += "null";
      return;
    case Kind::kBool:
      out += v.get<bool>() ? "true" : "false";
      return;
    case Kind::kInt:
      out += std::to_string(v.get<int64_t>());
      return;
    case Kind::kFloat: {
      double d = v.get<double>();
      if (std::isnan(d) || std::isinf(d)) {
        out += "null";  // Go's json.Marshal fails; sprig's toJson then prints ""
        return;
      }
      double a = std::fabs(d);
      if (a != 0 && (a < 1e-6 || a >= 1e21)) {
        std::string s = FormatFloatShortest(d, 'e');
        // Go writes e-07 as e-7.
        size_t e = s.find('e');
        if (e != std::string::npos && e + 3 < s.size() + 1 && s[e + 2] == '0' &&
            s.size() - e == 4) {
          s.erase(e + 2, 1);
        }
        out += s;
      } else {
        out += FormatFloatShortest(d, 'f');
      }
      return;
    }
    case Kind::kString:
      JsonString(out, v.get_ref<const std::string&>());
      return;
    case Kind::kOther:
      break;
  }
  if (v.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& e : v) {
      if (!first) out += ',';
      first = false;
      AppendJson(out, e);
    }
    out += ']';
    return;
  }
  out += '{';
  bool first = true;
  for (const auto& [k, e] : v.items()) {
    if (!first) out += ',';
    first = false;
    JsonString(out, k);
    out += ':';
    AppendJson(out, e);
  }
  out += '}';
}

using StrFn1 = std::string (*)(std::string_view);

Func StringFunc1(const char* name, StrFn1 fn) {
  return [name, fn](const std::vector<Value>& args) -> Result<Value> {
    BERTH_RETURN_IF_ERROR(WantArgs(name, args, 1));
    BERTH_ASSIGN_OR_RETURN(std::string s, Str(args[0]));
    return Value(fn(s));
  };
}

// A two-string function (sprig order: the pattern first, the subject last).
Func StringFunc2(const char* name, Value (*fn)(const std::string&, const std::string&)) {
  return [name, fn](const std::vector<Value>& args) -> Result<Value> {
    BERTH_RETURN_IF_ERROR(WantArgs(name, args, 2));
    BERTH_ASSIGN_OR_RETURN(std::string a, Str(args[0]));
    BERTH_ASSIGN_OR_RETURN(std::string b, Str(args[1]));
    return fn(a, b);
  };
}

Func Compare(const char* name, int op) {
  // op: 0 ne, 1 lt, 2 le, 3 gt, 4 ge
  return [name, op](const std::vector<Value>& args) -> Result<Value> {
    BERTH_RETURN_IF_ERROR(WantArgs(name, args, 2));
    if (op == 0) {
      BERTH_ASSIGN_OR_RETURN(bool eq, Eq(args[0], args[1]));
      return Value(!eq);
    }
    BERTH_ASSIGN_OR_RETURN(bool lt, Lt(args[0], args[1]));
    if (op == 1) return Value(lt);
    if (op == 4) return Value(!lt);
    bool le = lt;
    if (!lt) {
      BERTH_ASSIGN_OR_RETURN(bool eq, Eq(args[0], args[1]));
      le = eq;
    }
    return Value(op == 2 ? le : !le);
  };
}

FuncMap MakeBuiltins() {
  FuncMap m;
  m["and"] = [](const std::vector<Value>& args) -> Result<Value> {
    BERTH_RETURN_IF_ERROR(WantAtLeast("and", args, 1));
    for (const auto& a : args) {
      if (!Truth(a)) return a;
    }
    return args.back();
  };
  m["or"] = [](const std::vector<Value>& args) -> Result<Value> {
    BERTH_RETURN_IF_ERROR(WantAtLeast("or", args, 1));
    for (const auto& a : args) {
      if (Truth(a)) return a;
    }
    return args.back();
  };
  m["not"] = [](const std::vector<Value>& args) -> Result<Value> {
    BERTH_RETURN_IF_ERROR(WantArgs("not", args, 1));
    return Value(!Truth(args[0]));
  };
  m["len"] = [](const std::vector<Value>& args) -> Result<Value> {
    BERTH_RETURN_IF_ERROR(WantArgs("len", args, 1));
    const Value& v = args[0];
    if (v.is_string()) return Value(static_cast<int64_t>(v.get_ref<const std::string&>().size()));
    if (v.is_array() || v.is_object()) return Value(static_cast<int64_t>(v.size()));
    if (KindOf(v) == Kind::kInvalid) return Error("len of nil pointer");
    return Error(fmt::format("len of type {}", TypeName(v)));
  };
  m["index"] = Index;
  m["slice"] = Slice;
  m["print"] = [](const std::vector<Value>& args) -> Result<Value> { return Value(Sprint(args)); };
  m["println"] = [](const std::vector<Value>& args) -> Result<Value> {
    return Value(Sprintln(args));
  };
  m["printf"] = [](const std::vector<Value>& args) -> Result<Value> {
    BERTH_RETURN_IF_ERROR(WantAtLeast("printf", args, 1));
    BERTH_ASSIGN_OR_RETURN(std::string f, Str(args[0]));
    return Value(Sprintf(f, std::vector<Value>(args.begin() + 1, args.end())));
  };
  m["html"] = [](const std::vector<Value>& args) -> Result<Value> {
    return Value(HtmlEscape(JoinArgs(args)));
  };
  m["js"] = [](const std::vector<Value>& args) -> Result<Value> {
    return Value(JsEscape(JoinArgs(args)));
  };
  m["urlquery"] = [](const std::vector<Value>& args) -> Result<Value> {
    return Value(QueryEscape(JoinArgs(args)));
  };
  m["eq"] = [](const std::vector<Value>& args) -> Result<Value> {
    BERTH_RETURN_IF_ERROR(WantAtLeast("eq", args, 1));
    if (args.size() == 1) return Error("missing argument for comparison");
    for (size_t i = 1; i < args.size(); ++i) {
      BERTH_ASSIGN_OR_RETURN(bool eq, Eq(args[0], args[i]));
      if (eq) return Value(true);
    }
    return Value(false);
  };
  m["ne"] = Compare("ne", 0);
  m["lt"] = Compare("lt", 1);
  m["le"] = Compare("le", 2);
  m["gt"] = Compare("gt", 3);
  m["ge"] = Compare("ge", 4);

  // sprig
  m["default"] = [](const std::vector<Value>& args) -> Result<Value> {
    BERTH_RETURN_IF_ERROR(WantAtLeast("default", args, 1));
    if (args.size() == 1 || Empty(args[1])) return args[0];
    return args[1];
  };
  m["empty"] = [](const std::vector<Value>& args) -> Result<Value> {
    BERTH_RETURN_IF_ERROR(WantArgs("empty", args, 1));
    return Value(Empty(args[0]));
  };
  m["quote"] = [](const std::vector<Value>& args) -> Result<Value> {
    std::string out;
    for (const auto& a : args) {
      if (KindOf(a) == Kind::kInvalid) continue;
      if (!out.empty()) out += ' ';
      out += GoQuote(StrVal(a));
    }
    return Value(out);
  };
  m["squote"] = [](const std::vector<Value>& args) -> Result<Value> {
    std::string out;
    for (const auto& a : args) {
      if (KindOf(a) == Kind::kInvalid) continue;
      if (!out.empty()) out += ' ';
      out += "'" + StrVal(a) + "'";
    }
    return Value(out);
  };
  m["upper"] = StringFunc1("upper", [](std::string_view s) {
    std::string out(s);
    for (char& c : out) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
  });
  m["lower"] = StringFunc1("lower", [](std::string_view s) {
    std::string out(s);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  });
  m["trim"] = StringFunc1("trim", [](std::string_view s) { return TrimSpace(s); });
  m["b64enc"] = StringFunc1("b64enc", [](std::string_view s) { return B64Encode(s); });
  m["b64dec"] = [](const std::vector<Value>& args) -> Result<Value> {
    BERTH_RETURN_IF_ERROR(WantArgs("b64dec", args, 1));
    BERTH_ASSIGN_OR_RETURN(std::string s, Str(args[0]));
    BERTH_ASSIGN_OR_RETURN(std::string out, B64Decode(s));
    return Value(std::move(out));
  };
  m["trimPrefix"] = StringFunc2("trimPrefix", [](const std::string& p, const std::string& s) {
    return Value(s.rfind(p, 0) == 0 ? s.substr(p.size()) : s);
  });
  m["trimSuffix"] = StringFunc2("trimSuffix", [](const std::string& p, const std::string& s) {
    bool has = s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
    return Value(has ? s.substr(0, s.size() - p.size()) : s);
  });
  m["contains"] = StringFunc2("contains", [](const std::string& sub, const std::string& s) {
    return Value(s.find(sub) != std::string::npos);
  });
  m["hasPrefix"] = StringFunc2("hasPrefix", [](const std::string& p, const std::string& s) {
    return Value(s.rfind(p, 0) == 0);
  });
  m["hasSuffix"] = StringFunc2("hasSuffix", [](const std::string& p, const std::string& s) {
    return Value(s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0);
  });
  m["replace"] = [](const std::vector<Value>& args) -> Result<Value> {
    BERTH_RETURN_IF_ERROR(WantArgs("replace", args, 3));
    BERTH_ASSIGN_OR_RETURN(std::string from, Str(args[0]));
    BERTH_ASSIGN_OR_RETURN(std::string to, Str(args[1]));
    BERTH_ASSIGN_OR_RETURN(std::string src, Str(args[2]));
    return Value(ReplaceAll(src, from, to));
  };
  m["toJson"] = [](const std::vector<Value>& args) -> Result<Value> {
    BERTH_RETURN_IF_ERROR(WantArgs("toJson", args, 1));
    return Value(ToJson(args[0]));
  };
  m["join"] = [](const std::vector<Value>& args) -> Result<Value> {
    BERTH_RETURN_IF_ERROR(WantArgs("join", args, 2));
    BERTH_ASSIGN_OR_RETURN(std::string sep, Str(args[0]));
    const Value& v = args[1];
    if (KindOf(v) == Kind::kInvalid) return Value("");
    if (!v.is_array()) return Value(StrVal(v));
    std::string out;
    bool first = true;
    for (const auto& e : v) {
      if (KindOf(e) == Kind::kInvalid) continue;
      if (!first) out += sep;
      first = false;
      out += StrVal(e);
    }
    return Value(out);
  };
  m["splitList"] = StringFunc2("splitList", [](const std::string& sep, const std::string& s) {
    Value out = Value::array();
    for (auto& part : SplitAll(s, sep)) out.push_back(std::move(part));
    return out;
  });
  m["split"] = StringFunc2("split", [](const std::string& sep, const std::string& s) {
    Value out = Value::object();
    auto parts = SplitAll(s, sep);
    for (size_t i = 0; i < parts.size(); ++i) out["_" + std::to_string(i)] = std::move(parts[i]);
    return out;
  });
  return m;
}

}  // namespace

bool Truth(const Value& v) {
  switch (v.type()) {
    case Value::value_t::boolean:
      return v.get<bool>();
    case Value::value_t::number_integer:
      return v.get<int64_t>() != 0;
    case Value::value_t::number_unsigned:
      return v.get<uint64_t>() != 0;
    case Value::value_t::number_float:
      return v.get<double>() != 0;
    case Value::value_t::string:
      return !v.get_ref<const std::string&>().empty();
    case Value::value_t::array:
    case Value::value_t::object:
      return !v.empty();
    default:
      return false;
  }
}

std::string ToJson(const Value& v) {
  std::string out;
  AppendJson(out, v);
  return out;
}

const FuncMap& Builtins() {
  static const FuncMap* builtins = new FuncMap(MakeBuiltins());
  return *builtins;
}

}  // namespace berth::tmpl
