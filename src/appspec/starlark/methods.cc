// Methods of strings, lists and dicts, and attribute lookup.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "appspec/starlark/args.h"
#include "appspec/starlark/builtins.h"
#include "appspec/starlark/interpreter.h"
#include "appspec/starlark/operators.h"
#include "appspec/starlark/suggest.h"
#include "appspec/starlark/utf8.h"

namespace berth::starlark {
namespace {

using MethodFn = Result<Value> (*)(Interpreter&, const Args&);
struct Method {
  const char* name;
  MethodFn fn;
};

Result<std::string> StringArg(const Args& args, std::string_view param, Value v) {
  if (!v.is(Type::kString)) {
    return args.Error(
        param, fmt::format("{}: {} must be a string, not {}", args.fn_name(), param, TypeName(v)));
  }
  return v.str();
}

// Optional [start, end) bounds of find/count, clamped like slices.
Status Bounds(const Args& args, Value start_v, Value end_v, size_t len, size_t* start,
              size_t* end) {
  auto resolve = [&](Value v, std::string_view name, size_t dflt, size_t* out) -> Status {
    if (v.is_none()) {
      *out = dflt;
      return Status::Ok();
    }
    if (!v.is(Type::kInt))
      return args.Error(name, fmt::format("{}: {} must be an int", args.fn_name(), name));
    int64_t i = v.int_value();
    int64_t n = static_cast<int64_t>(len);
    if (i < 0) i = std::max<int64_t>(0, i + n);
    *out = static_cast<size_t>(std::min(i, n));
    return Status::Ok();
  };
  BERTH_RETURN_IF_ERROR(resolve(start_v, "start", 0, start));
  return resolve(end_v, "end", len, end);
}

// ---- string ----

Result<Value> StrFormat(Interpreter& interp, const Args& args) {
  const std::string& f = args.self().str();
  std::string out;
  size_t auto_index = 0;
  bool used_auto = false, used_manual = false;
  BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(f.size() / 16)));
  for (size_t i = 0; i < f.size(); ++i) {
    char c = f[i];
    if (c == '}') {
      if (i + 1 < f.size() && f[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      return Status::InvalidArgument("format: single '}' in format string");
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < f.size() && f[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    size_t close = f.find('}', i);
    if (close == std::string::npos)
      return Status::InvalidArgument("format: unmatched '{' in format string");
    std::string field = f.substr(i + 1, close - i - 1);
    i = close;
    bool repr = false;
    if (size_t bang = field.find('!'); bang != std::string::npos) {
      std::string conv = field.substr(bang + 1);
      if (conv != "s" && conv != "r")
        return Status::InvalidArgument(fmt::format("format: unknown conversion !{}", conv));
      repr = conv == "r";
      field = field.substr(0, bang);
    }
    if (field.find(':') != std::string::npos) {
      return Status::InvalidArgument("format: format specs ({:...}) are not supported");
    }
    Value v;
    if (field.empty()) {
      if (used_manual) {
        return Status::InvalidArgument(
            "format: cannot switch from manual field specification to automatic field numbering");
      }
      used_auto = true;
      if (auto_index >= args.positional().size()) {
        return Status::InvalidArgument("format: tuple index out of range");
      }
      v = args.positional()[auto_index++];
    } else if (std::all_of(field.begin(), field.end(),
                           [](char d) { return std::isdigit(static_cast<unsigned char>(d)); })) {
      if (used_auto) {
        return Status::InvalidArgument(
            "format: cannot switch from automatic field numbering to manual field specification");
      }
      used_manual = true;
      size_t digits = field.find_first_not_of('0');
      if (digits == std::string::npos) digits = field.size() - 1;
      if (field.size() - digits > 9)
        return Status::InvalidArgument("format: tuple index out of range");
      size_t n = std::stoul(field.substr(digits));
      if (n >= args.positional().size()) {
        return Status::InvalidArgument("format: tuple index out of range");
      }
      v = args.positional()[n];
    } else {
      if (field.find('.') != std::string::npos) {
        return Status::InvalidArgument("format: syntax x.y is not supported in replacement fields");
      }
      if (field.find('[') != std::string::npos) {
        return Status::InvalidArgument(
            "format: syntax a[i] is not supported in replacement fields");
      }
      if (field.find('{') != std::string::npos) {
        return Status::InvalidArgument("format: nested replacement fields not supported");
      }
      auto it = std::find_if(args.named().begin(), args.named().end(),
                             [&](const auto& kv) { return kv.first == field; });
      if (it == args.named().end()) {
        std::vector<std::string> names;
        for (const auto& kv : args.named()) names.push_back(kv.first);
        return Status::InvalidArgument(
            fmt::format("format: keyword {} not found{}", field, DidYouMean(field, names)));
      }
      v = it->second;
    }
    BERTH_ASSIGN_OR_RETURN(std::string s, repr ? Repr(interp, v) : Str(interp, v));
    BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(s.size() / 16)));
    out += s;
  }
  return interp.NewString(std::move(out));
}

Result<Value> StrAffix(Interpreter& interp, const Args& args, bool prefix) {
  Value x, start_v, end_v;
  BERTH_RETURN_IF_ERROR(
      args.Unpack({{prefix ? "prefix" : "suffix", &x}, {"start?", &start_v}, {"end?", &end_v}}));
  const std::string& whole = args.self().str();
  size_t start, end;
  BERTH_RETURN_IF_ERROR(Bounds(args, start_v, end_v, whole.size(), &start, &end));
  std::string s = end >= start ? whole.substr(start, end - start) : std::string();
  std::vector<Value> options;
  if (x.is(Type::kTuple)) {
    options = x.tuple()->items;
  } else if (x.is(Type::kString)) {
    options.push_back(x);
  } else {
    return args.ErrorAt(
        0, fmt::format("{}: got {}, want string or tuple of string", args.fn_name(), TypeName(x)));
  }
  for (size_t i = 0; i < options.size(); ++i) {
    Value o = options[i];
    if (!o.is(Type::kString)) {
      return args.ErrorAt(0, fmt::format("{}: want string, got {}, for element {}", args.fn_name(),
                                         TypeName(o), i));
    }
    const std::string& a = o.str();
    if (a.size() <= s.size() && (prefix ? s.compare(0, a.size(), a) == 0
                                        : s.compare(s.size() - a.size(), a.size(), a) == 0)) {
      return Value::Bool(true);
    }
  }
  return Value::Bool(false);
}
Result<Value> StrStartswith(Interpreter& i, const Args& a) { return StrAffix(i, a, true); }
Result<Value> StrEndswith(Interpreter& i, const Args& a) { return StrAffix(i, a, false); }

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

Result<Value> StrSplit(Interpreter& interp, const Args& args) {
  Value sep_v, max_v = Value::Int(-1);
  BERTH_RETURN_IF_ERROR(args.Unpack({{"sep?", &sep_v}, {"maxsplit?", &max_v}}));
  if (!max_v.is(Type::kInt)) return args.Error("maxsplit", "split: maxsplit must be an int");
  int64_t maxsplit = max_v.int_value();
  const std::string& s = args.self().str();
  BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(s.size() / 8)));
  std::vector<Value> parts;
  if (sep_v.is_none()) {
    size_t i = 0;
    while (true) {
      while (i < s.size() && IsSpace(s[i])) ++i;
      if (i >= s.size()) break;
      if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
        parts.push_back(interp.NewString(s.substr(i)));
        break;
      }
      size_t j = i;
      while (j < s.size() && !IsSpace(s[j])) ++j;
      parts.push_back(interp.NewString(s.substr(i, j - i)));
      i = j;
    }
    return interp.NewList(std::move(parts));
  }
  BERTH_ASSIGN_OR_RETURN(std::string sep, StringArg(args, "sep", sep_v));
  if (sep.empty()) return args.Error("sep", "split: empty separator");
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    if (at == std::string::npos ||
        (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit)) {
      parts.push_back(interp.NewString(s.substr(start)));
      break;
    }
    parts.push_back(interp.NewString(s.substr(start, at - start)));
    start = at + sep.size();
  }
  return interp.NewList(std::move(parts));
}

Result<Value> StrJoin(Interpreter& interp, const Args& args) {
  Value it;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"iterable", &it}}));
  Result<std::vector<Value>> items = Elements(interp, args, 0, it);
  if (!items.ok()) return items.status();
  std::string out;
  const std::string& sep = args.self().str();
  for (size_t i = 0; i < items->size(); ++i) {
    Value v = (*items)[i];
    if (!v.is(Type::kString)) {
      return args.ErrorAt(0, fmt::format("join: in list, want string, got {}", TypeName(v)));
    }
    if (i > 0) out += sep;
    out += v.str();
    BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>((sep.size() + v.str().size()) / 16)));
  }
  return interp.NewString(std::move(out));
}

Result<Value> StrReplace(Interpreter& interp, const Args& args) {
  Value old_v, new_v, count_v = Value::Int(-1);
  BERTH_RETURN_IF_ERROR(args.Unpack({{"old", &old_v}, {"new", &new_v}, {"count?", &count_v}}));
  BERTH_ASSIGN_OR_RETURN(std::string from, StringArg(args, "old", old_v));
  BERTH_ASSIGN_OR_RETURN(std::string to, StringArg(args, "new", new_v));
  if (!count_v.is(Type::kInt)) return args.Error("count", "replace: count must be an int");
  int64_t count = count_v.int_value();
  const std::string& s = args.self().str();
  std::string out;
  size_t start = 0;
  int64_t done = 0;
  while (count < 0 || done < count) {
    size_t at =
        from.empty() ? (start <= s.size() ? start : std::string::npos) : s.find(from, start);
    if (at == std::string::npos) break;
    out.append(s, start, at - start);
    out += to;
    BERTH_RETURN_IF_ERROR(interp.Charge(1 + static_cast<int64_t>(to.size() / 16)));
    ++done;
    if (from.empty()) {
      if (at < s.size()) out += s[at];
      start = at + 1;
    } else {
      start = at + from.size();
    }
  }
  if (start < s.size()) out.append(s, start, std::string::npos);
  return interp.NewString(std::move(out));
}

Result<Value> StrStripImpl(Interpreter& interp, const Args& args, bool left, bool right) {
  Value chars_v;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"chars?", &chars_v}}));
  std::string chars;
  bool ws = chars_v.is_none() || (chars_v.is(Type::kString) && chars_v.str().empty());
  if (!ws) {
    BERTH_ASSIGN_OR_RETURN(chars, StringArg(args, "chars", chars_v));
  }
  auto strip = [&](char c) { return ws ? IsSpace(c) : chars.find(c) != std::string::npos; };
  const std::string& s = args.self().str();
  size_t b = 0, e = s.size();
  if (left) {
    while (b < e && strip(s[b])) ++b;
  }
  if (right) {
    while (e > b && strip(s[e - 1])) --e;
  }
  return interp.NewString(s.substr(b, e - b));
}
Result<Value> StrStrip(Interpreter& i, const Args& a) { return StrStripImpl(i, a, true, true); }
Result<Value> StrLstrip(Interpreter& i, const Args& a) { return StrStripImpl(i, a, true, false); }
Result<Value> StrRstrip(Interpreter& i, const Args& a) { return StrStripImpl(i, a, false, true); }

Result<Value> StrCase(Interpreter& interp, const Args& args, bool upper) {
  BERTH_RETURN_IF_ERROR(args.Unpack({}));
  BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(args.self().str().size() / 16)));
  return interp.NewString(MapUtf8(args.self().str(), upper ? ToUpper : ToLower));
}
Result<Value> StrLower(Interpreter& i, const Args& a) { return StrCase(i, a, false); }
Result<Value> StrUpper(Interpreter& i, const Args& a) { return StrCase(i, a, true); }

Result<Value> StrFindImpl(Interpreter& interp, const Args& args, bool count) {
  Value sub_v, start_v, end_v;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"sub", &sub_v}, {"start?", &start_v}, {"end?", &end_v}}));
  BERTH_ASSIGN_OR_RETURN(std::string sub, StringArg(args, "sub", sub_v));
  const std::string& s = args.self().str();
  size_t start, end;
  BERTH_RETURN_IF_ERROR(Bounds(args, start_v, end_v, s.size(), &start, &end));
  BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(s.size() / 16)));
  if (end < start) return Value::Int(count ? 0 : -1);
  std::string_view window(s.data() + start, end - start);
  if (!count) {
    size_t at = window.find(sub);
    return Value::Int(at == std::string_view::npos ? -1 : static_cast<int64_t>(at + start));
  }
  if (sub.empty()) return Value::Int(static_cast<int64_t>(window.size() + 1));
  int64_t n = 0;
  for (size_t at = window.find(sub); at != std::string_view::npos;
       at = window.find(sub, at + sub.size()))
    ++n;
  return Value::Int(n);
}
Result<Value> StrFind(Interpreter& i, const Args& a) { return StrFindImpl(i, a, false); }

// rfind/index/rindex: find from the left or right; index variants fail when absent.
Result<Value> StrSearch(Interpreter& interp, const Args& args, bool right, bool must) {
  Value sub_v, start_v, end_v;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"sub", &sub_v}, {"start?", &start_v}, {"end?", &end_v}}));
  BERTH_ASSIGN_OR_RETURN(std::string sub, StringArg(args, "sub", sub_v));
  const std::string& s = args.self().str();
  size_t start, end;
  BERTH_RETURN_IF_ERROR(Bounds(args, start_v, end_v, s.size(), &start, &end));
  BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(s.size() / 16)));
  size_t at = std::string_view::npos;
  if (end >= start) {
    std::string_view window(s.data() + start, end - start);
    at = right ? window.rfind(sub) : window.find(sub);
  }
  if (at == std::string_view::npos) {
    if (must)
      return Status::InvalidArgument(fmt::format("{}: substring not found", args.fn_name()));
    return Value::Int(-1);
  }
  return Value::Int(static_cast<int64_t>(at + start));
}
Result<Value> StrRfind(Interpreter& i, const Args& a) { return StrSearch(i, a, true, false); }
Result<Value> StrIndex(Interpreter& i, const Args& a) { return StrSearch(i, a, false, true); }
Result<Value> StrRindex(Interpreter& i, const Args& a) { return StrSearch(i, a, true, true); }

// isalnum, isalpha, isspace: every code point passes and there is at least one.
Result<Value> StrAll(Interpreter& interp, const Args& args, bool (*pred)(uint32_t)) {
  BERTH_RETURN_IF_ERROR(args.Unpack({}));
  std::vector<std::string> cps = SplitUtf8(args.self().str());
  if (cps.empty()) return Value::Bool(false);
  for (const std::string& c : cps) {
    if (!pred(DecodeUtf8(c))) return Value::Bool(false);
  }
  return Value::Bool(true);
}
bool IsAlnumCp(uint32_t c) { return IsLetterCp(c) || IsDigitCp(c); }
Result<Value> StrIsalnum(Interpreter& i, const Args& a) { return StrAll(i, a, IsAlnumCp); }
Result<Value> StrIsalpha(Interpreter& i, const Args& a) { return StrAll(i, a, IsLetterCp); }
Result<Value> StrIsspace(Interpreter& i, const Args& a) { return StrAll(i, a, IsSpaceCp); }

// islower/isupper: at least one cased letter and none of the other case.
Result<Value> StrIsCase(Interpreter& interp, const Args& args, bool upper) {
  BERTH_RETURN_IF_ERROR(args.Unpack({}));
  bool cased = false;
  for (const std::string& c : SplitUtf8(args.self().str())) {
    uint32_t cp = DecodeUtf8(c);
    if (upper ? IsLowerCp(cp) : IsUpperCp(cp)) return Value::Bool(false);
    if (upper ? IsUpperCp(cp) : IsLowerCp(cp)) cased = true;
  }
  return Value::Bool(cased);
}
Result<Value> StrIslower(Interpreter& i, const Args& a) { return StrIsCase(i, a, false); }
Result<Value> StrIsupper(Interpreter& i, const Args& a) { return StrIsCase(i, a, true); }

Result<Value> StrIstitle(Interpreter& interp, const Args& args) {
  BERTH_RETURN_IF_ERROR(args.Unpack({}));
  bool cased = false, prev_cased = false;
  for (const std::string& c : SplitUtf8(args.self().str())) {
    uint32_t cp = DecodeUtf8(c);
    // As starlark-go decides it: only ASCII capitals and title-case letters may start a word;
    // another upper-case letter makes the string not a title.
    if ((cp >= 'A' && cp <= 'Z') || IsTitleCp(cp)) {
      if (prev_cased) return Value::Bool(false);
      prev_cased = cased = true;
    } else if (IsLowerCp(cp)) {
      if (!prev_cased) return Value::Bool(false);
      prev_cased = cased = true;
    } else if (IsUpperCp(cp)) {
      return Value::Bool(false);
    } else {
      prev_cased = false;
    }
  }
  return Value::Bool(cased);
}

Result<Value> StrTitle(Interpreter& interp, const Args& args) {
  BERTH_RETURN_IF_ERROR(args.Unpack({}));
  std::string out;
  bool prev_letter = false;
  for (const std::string& c : SplitUtf8(args.self().str())) {
    uint32_t cp = DecodeUtf8(c);
    bool letter = IsUpperCp(cp) || IsLowerCp(cp) || IsLetterCp(cp);
    out += c.size() == 1 && cp == 0xFFFD ? c : EncodeUtf8(prev_letter ? ToLower(cp) : ToTitle(cp));
    prev_letter = letter;
  }
  return interp.NewString(std::move(out));
}

Result<Value> StrCapitalize(Interpreter& interp, const Args& args) {
  BERTH_RETURN_IF_ERROR(args.Unpack({}));
  std::string out;
  bool first = true;
  for (const std::string& c : SplitUtf8(args.self().str())) {
    uint32_t cp = DecodeUtf8(c);
    out += EncodeUtf8(first ? ToUpper(cp) : ToLower(cp));
    first = false;
  }
  return interp.NewString(std::move(out));
}

Result<Value> StrAffixRemove(Interpreter& interp, const Args& args, bool prefix) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{prefix ? "prefix" : "suffix", &x}}));
  BERTH_ASSIGN_OR_RETURN(std::string a, StringArg(args, prefix ? "prefix" : "suffix", x));
  const std::string& s = args.self().str();
  if (a.size() <= s.size() && (prefix ? s.compare(0, a.size(), a) == 0
                                      : s.compare(s.size() - a.size(), a.size(), a) == 0)) {
    return interp.NewString(prefix ? s.substr(a.size()) : s.substr(0, s.size() - a.size()));
  }
  return args.self();
}
Result<Value> StrRemoveprefix(Interpreter& i, const Args& a) { return StrAffixRemove(i, a, true); }
Result<Value> StrRemovesuffix(Interpreter& i, const Args& a) { return StrAffixRemove(i, a, false); }

Result<Value> StrPartitionImpl(Interpreter& interp, const Args& args, bool right) {
  Value sep_v;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"sep", &sep_v}}));
  BERTH_ASSIGN_OR_RETURN(std::string sep, StringArg(args, "sep", sep_v));
  if (sep.empty()) return args.ErrorAt(0, fmt::format("{}: empty separator", args.fn_name()));
  const std::string& s = args.self().str();
  size_t at = right ? s.rfind(sep) : s.find(sep);
  Value empty = interp.NewString("");
  if (at == std::string::npos) {
    return right ? interp.NewTuple({empty, empty, args.self()})
                 : interp.NewTuple({args.self(), empty, empty});
  }
  return interp.NewTuple(
      {interp.NewString(s.substr(0, at)), sep_v, interp.NewString(s.substr(at + sep.size()))});
}
Result<Value> StrPartition(Interpreter& i, const Args& a) { return StrPartitionImpl(i, a, false); }
Result<Value> StrRpartition(Interpreter& i, const Args& a) { return StrPartitionImpl(i, a, true); }

Result<Value> StrRsplit(Interpreter& interp, const Args& args) {
  Value sep_v, max_v = Value::Int(-1);
  BERTH_RETURN_IF_ERROR(args.Unpack({{"sep?", &sep_v}, {"maxsplit?", &max_v}}));
  if (!max_v.is(Type::kInt)) return args.Error("maxsplit", "rsplit: maxsplit must be an int");
  int64_t maxsplit = max_v.int_value();
  const std::string& s = args.self().str();
  BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(s.size() / 8)));
  std::vector<Value> parts;
  if (sep_v.is_none()) {
    size_t i = s.size();
    while (true) {
      while (i > 0 && IsSpace(s[i - 1])) --i;
      if (i == 0) break;
      if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
        parts.push_back(interp.NewString(s.substr(0, i)));
        break;
      }
      size_t j = i;
      while (j > 0 && !IsSpace(s[j - 1])) --j;
      parts.push_back(interp.NewString(s.substr(j, i - j)));
      i = j;
    }
  } else {
    BERTH_ASSIGN_OR_RETURN(std::string sep, StringArg(args, "sep", sep_v));
    if (sep.empty()) return args.Error("sep", "rsplit: empty separator");
    size_t end = s.size();
    while (true) {
      size_t at = end >= sep.size() ? s.rfind(sep, end - sep.size()) : std::string::npos;
      if (at == std::string::npos ||
          (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit)) {
        parts.push_back(interp.NewString(s.substr(0, end)));
        break;
      }
      parts.push_back(interp.NewString(s.substr(at + sep.size(), end - at - sep.size())));
      end = at;
    }
  }
  std::reverse(parts.begin(), parts.end());
  return interp.NewList(std::move(parts));
}

Result<Value> StrSplitlines(Interpreter& interp, const Args& args) {
  Value keep = Value::Bool(false);
  BERTH_RETURN_IF_ERROR(args.Unpack({{"keepends?", &keep}}));
  if (!keep.is(Type::kBool)) {
    return args.ErrorAt(0, fmt::format("splitlines: got {}, want bool", TypeName(keep)));
  }
  const std::string& s = args.self().str();
  std::vector<Value> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && s[j] != '\n' && s[j] != '\r') ++j;
    size_t eol = j;
    if (j < s.size()) j += (s[j] == '\r' && j + 1 < s.size() && s[j + 1] == '\n') ? 2 : 1;
    out.push_back(interp.NewString(s.substr(i, (Truth(keep) ? j : eol) - i)));
    i = j;
  }
  return interp.NewList(std::move(out));
}

// elems, elem_ords, codepoints, codepoint_ords: the string's pieces as a list.
Result<Value> StrPieces(Interpreter& interp, const Args& args, bool bytes, bool ords) {
  BERTH_RETURN_IF_ERROR(args.Unpack({}));
  const std::string& s = args.self().str();
  BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(s.size())));
  std::vector<Value> out;
  if (bytes) {
    for (char c : s) {
      out.push_back(ords ? Value::Int(static_cast<unsigned char>(c))
                         : interp.NewString(std::string(1, c)));
    }
  } else {
    for (const std::string& c : SplitUtf8(s)) {
      uint32_t cp = DecodeUtf8(c);
      if ((cp == 0xFFFD && c != "\xef\xbf\xbd") || (cp >= 0xD800 && cp < 0xE000)) {
        // Each byte of an invalid sequence is a U+FFFD of its own, as Go decodes.
        for (size_t k = 0; k < c.size(); ++k) {
          out.push_back(ords ? Value::Int(0xFFFD) : interp.NewString(EncodeUtf8(0xFFFD)));
        }
        continue;
      }
      out.push_back(ords ? Value::Int(cp) : interp.NewString(c));
    }
  }
  std::string method = std::string(bytes ? "elem" : "codepoint") + (ords ? "_ords" : "s");
  return Value(interp.New<PiecesObj>(args.self(), std::move(method),
                                     bytes ? "string.elems" : "string.codepoints", std::move(out)));
}
Result<Value> StrElems(Interpreter& i, const Args& a) { return StrPieces(i, a, true, false); }
Result<Value> StrElemOrds(Interpreter& i, const Args& a) { return StrPieces(i, a, true, true); }
Result<Value> StrCodepoints(Interpreter& i, const Args& a) { return StrPieces(i, a, false, false); }
Result<Value> StrCodepointOrds(Interpreter& i, const Args& a) {
  return StrPieces(i, a, false, true);
}
Result<Value> StrCount(Interpreter& i, const Args& a) { return StrFindImpl(i, a, true); }

Result<Value> StrIsdigit(Interpreter& interp, const Args& args) {
  BERTH_RETURN_IF_ERROR(args.Unpack({}));
  const std::string& s = args.self().str();
  return Value::Bool(!s.empty() &&
                     std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }));
}

constexpr Method kStringMethods[] = {
    {"capitalize", StrCapitalize},
    {"codepoint_ords", StrCodepointOrds},
    {"codepoints", StrCodepoints},
    {"count", StrCount},
    {"elem_ords", StrElemOrds},
    {"elems", StrElems},
    {"endswith", StrEndswith},
    {"find", StrFind},
    {"format", StrFormat},
    {"index", StrIndex},
    {"isalnum", StrIsalnum},
    {"isalpha", StrIsalpha},
    {"isdigit", StrIsdigit},
    {"islower", StrIslower},
    {"isspace", StrIsspace},
    {"istitle", StrIstitle},
    {"isupper", StrIsupper},
    {"join", StrJoin},
    {"lower", StrLower},
    {"lstrip", StrLstrip},
    {"partition", StrPartition},
    {"removeprefix", StrRemoveprefix},
    {"removesuffix", StrRemovesuffix},
    {"replace", StrReplace},
    {"rfind", StrRfind},
    {"rindex", StrRindex},
    {"rpartition", StrRpartition},
    {"rsplit", StrRsplit},
    {"rstrip", StrRstrip},
    {"split", StrSplit},
    {"splitlines", StrSplitlines},
    {"startswith", StrStartswith},
    {"strip", StrStrip},
    {"title", StrTitle},
    {"upper", StrUpper},
};

// ---- bytes ----

Result<Value> BytesElems(Interpreter& interp, const Args& args) {
  BERTH_RETURN_IF_ERROR(args.Unpack({}));
  std::vector<Value> out;
  for (char c : args.self().bytes()) out.push_back(Value::Int(static_cast<unsigned char>(c)));
  return Value(interp.New<PiecesObj>(args.self(), "elems", "bytes.elems", std::move(out)));
}

constexpr Method kBytesMethods[] = {
    {"elems", BytesElems},
};

// ---- list ----

Result<Value> ListAppend(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x", &x}}));
  ListObj* l = args.self().list();
  BERTH_RETURN_IF_ERROR(l->CheckMutable("append to"));
  l->items.push_back(x);
  return Value::None();
}

Result<Value> ListExtend(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"iterable", &x}}));
  ListObj* l = args.self().list();
  BERTH_RETURN_IF_ERROR(l->CheckMutable("extend"));
  Result<std::vector<Value>> items = Elements(interp, args, 0, x);
  if (!items.ok()) return items.status();
  l->items.insert(l->items.end(), items->begin(), items->end());
  return Value::None();
}

Result<Value> ListIndex(Interpreter& interp, const Args& args) {
  Value x, start_v, end_v;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x", &x}, {"start?", &start_v}, {"end?", &end_v}}));
  const auto& items = args.self().list()->items;
  size_t start, end;
  BERTH_RETURN_IF_ERROR(Bounds(args, start_v, end_v, items.size(), &start, &end));
  for (size_t i = start; i < end && i < items.size(); ++i) {
    BERTH_ASSIGN_OR_RETURN(bool eq, Equal(interp, items[i], x));
    if (eq) return Value::Int(static_cast<int64_t>(i));
  }
  return Status::InvalidArgument("index: value not in list");
}

Result<Value> ListInsert(Interpreter& interp, const Args& args) {
  Value i_v, x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"index", &i_v}, {"x", &x}}));
  if (!i_v.is(Type::kInt))
    return args.Error("index",
                      fmt::format("insert: for parameter 1: got {}, want int", TypeName(i_v)));
  ListObj* l = args.self().list();
  BERTH_RETURN_IF_ERROR(l->CheckMutable("insert into"));
  int64_t n = static_cast<int64_t>(l->items.size());
  int64_t i = i_v.int_value();
  if (i < 0) i = std::max<int64_t>(0, i + n);
  i = std::min(i, n);
  BERTH_RETURN_IF_ERROR(interp.Charge(n / 16));
  l->items.insert(l->items.begin() + i, x);
  return Value::None();
}

Result<Value> ListPop(Interpreter& interp, const Args& args) {
  Value i_v = Value::Int(-1);
  BERTH_RETURN_IF_ERROR(args.Unpack({{"index?", &i_v}}));
  ListObj* l = args.self().list();
  BERTH_RETURN_IF_ERROR(l->CheckMutable("pop from"));
  if (!i_v.is(Type::kInt)) return args.Error("index", "pop: index must be an int");
  int64_t n = static_cast<int64_t>(l->items.size());
  int64_t i = i_v.int_value();
  if (i < 0) i += n;
  if (i < 0 || i >= n)
    return Status::InvalidArgument(
        fmt::format("pop: index {} out of range [{}:{}]", i_v.int_value(), -n, n - 1));
  BERTH_RETURN_IF_ERROR(interp.Charge(n / 16));
  Value v = l->items[i];
  l->items.erase(l->items.begin() + i);
  return v;
}

Result<Value> ListRemove(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x", &x}}));
  ListObj* l = args.self().list();
  BERTH_RETURN_IF_ERROR(l->CheckMutable("remove from"));
  for (size_t i = 0; i < l->items.size(); ++i) {
    BERTH_ASSIGN_OR_RETURN(bool eq, Equal(interp, l->items[i], x));
    if (eq) {
      l->items.erase(l->items.begin() + static_cast<int64_t>(i));
      return Value::None();
    }
  }
  return Status::InvalidArgument("remove: element not found");
}

Result<Value> ListClear(Interpreter& interp, const Args& args) {
  BERTH_RETURN_IF_ERROR(args.Unpack({}));
  ListObj* l = args.self().list();
  BERTH_RETURN_IF_ERROR(l->CheckMutable("clear"));
  l->items.clear();
  return Value::None();
}

constexpr Method kListMethods[] = {
    {"append", ListAppend}, {"clear", ListClear}, {"extend", ListExtend}, {"index", ListIndex},
    {"insert", ListInsert}, {"pop", ListPop},     {"remove", ListRemove},
};

// ---- dict ----

Result<Value> DictGet(Interpreter& interp, const Args& args) {
  Value key, dflt;
  BERTH_RETURN_IF_ERROR(args.NoKeywords());  // positional only, as in starlark-go
  BERTH_RETURN_IF_ERROR(args.Unpack({{"key", &key}, {"default?", &dflt}}));
  BERTH_ASSIGN_OR_RETURN(std::optional<Value> v, args.self().dict()->Get(interp, key));
  return v ? *v : dflt;
}

Result<Value> DictKeys(Interpreter& interp, const Args& args) {
  BERTH_RETURN_IF_ERROR(args.Unpack({}));
  BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(args.self().dict()->size())));
  return interp.NewList(args.self().dict()->Keys());
}

Result<Value> DictValues(Interpreter& interp, const Args& args) {
  BERTH_RETURN_IF_ERROR(args.Unpack({}));
  BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(args.self().dict()->size())));
  std::vector<Value> out;
  for (const auto& [k, v] : args.self().dict()->Items()) out.push_back(v);
  return interp.NewList(std::move(out));
}

Result<Value> DictItems(Interpreter& interp, const Args& args) {
  BERTH_RETURN_IF_ERROR(args.Unpack({}));
  BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(args.self().dict()->size())));
  std::vector<Value> out;
  for (const auto& [k, v] : args.self().dict()->Items()) out.push_back(interp.NewTuple({k, v}));
  return interp.NewList(std::move(out));
}

Result<Value> DictUpdate(Interpreter& interp, const Args& args) {
  if (args.positional().size() > 1)
    return args.ErrorAt(1, "update: at most one positional argument");
  DictObj* d = args.self().dict();
  BERTH_RETURN_IF_ERROR(d->CheckMutable("insert into"));
  if (!args.positional().empty()) {
    Value src = args.positional()[0];
    if (src.is(Type::kDict)) {
      for (const auto& [k, v] : src.dict()->Items()) BERTH_RETURN_IF_ERROR(d->Set(interp, k, v));
    } else {
      BERTH_ASSIGN_OR_RETURN(auto pairs, UpdatePairs(interp, args, src));
      for (const auto& [k, v] : pairs) BERTH_RETURN_IF_ERROR(d->Set(interp, k, v));
    }
  }
  for (const auto& [k, v] : args.named())
    BERTH_RETURN_IF_ERROR(d->Set(interp, interp.NewString(k), v));
  return Value::None();
}

Result<Value> DictPop(Interpreter& interp, const Args& args) {
  Value key, dflt;
  bool has_default = args.positional().size() + args.named().size() > 1;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"key", &key}, {"default?", &dflt}}));
  BERTH_ASSIGN_OR_RETURN(std::optional<Value> v, args.self().dict()->Pop(interp, key));
  if (v) return *v;
  if (has_default) return dflt;
  return Status::InvalidArgument("pop: missing key");
}

Result<Value> DictPopitem(Interpreter& interp, const Args& args) {
  BERTH_RETURN_IF_ERROR(args.Unpack({}));
  DictObj* d = args.self().dict();
  BERTH_RETURN_IF_ERROR(d->CheckMutable("delete from"));
  if (d->size() == 0) return Status::InvalidArgument("popitem: empty dict");
  Value key = d->Keys().front();
  BERTH_ASSIGN_OR_RETURN(std::optional<Value> v, d->Pop(interp, key));
  return interp.NewTuple({key, *v});
}

Result<Value> DictSetdefault(Interpreter& interp, const Args& args) {
  Value key, dflt;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"key", &key}, {"default?", &dflt}}));
  DictObj* d = args.self().dict();
  BERTH_ASSIGN_OR_RETURN(std::optional<Value> v, d->Get(interp, key));
  if (v) return *v;
  BERTH_RETURN_IF_ERROR(d->Set(interp, key, dflt));
  return dflt;
}

Result<Value> DictClear(Interpreter& interp, const Args& args) {
  BERTH_RETURN_IF_ERROR(args.Unpack({}));
  BERTH_RETURN_IF_ERROR(args.self().dict()->Clear());
  return Value::None();
}

constexpr Method kDictMethods[] = {
    {"clear", DictClear},
    {"get", DictGet},
    {"items", DictItems},
    {"keys", DictKeys},
    {"pop", DictPop},
    {"popitem", DictPopitem},
    {"setdefault", DictSetdefault},
    {"update", DictUpdate},
    {"values", DictValues},
};

// ---- set ----

// The elements of every positional argument (each an iterable), as set.union and update take.
Result<std::vector<Value>> AllElements(Interpreter& interp, const Args& args) {
  BERTH_RETURN_IF_ERROR(args.NoKeywords());
  std::vector<Value> out;
  for (size_t i = 0; i < args.positional().size(); ++i) {
    Value x = args.positional()[i];
    if (!IsIterable(x)) {
      return args.ErrorAt(static_cast<int>(i), fmt::format("{}: argument #{} is not iterable: {}",
                                                           args.fn_name(), i + 1, TypeName(x)));
    }
    BERTH_ASSIGN_OR_RETURN(auto items, Iterate(interp, x));
    out.insert(out.end(), items.begin(), items.end());
  }
  return out;
}

// The one iterable argument of difference, intersection, issubset and the like, as a set.
Result<SetObj*> OtherSet(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"other", &x}}));
  BERTH_ASSIGN_OR_RETURN(auto items, Elements(interp, args, 0, x));
  auto* other = interp.New<SetObj>();
  for (Value e : items) {
    Status st = other->Insert(interp, e);
    if (!st.ok()) return args.ErrorAt(0, fmt::format("{}: {}", args.fn_name(), st.message()));
  }
  return other;
}

Status Named(const Args& args, Status st) {
  if (st.ok()) return st;
  return Status::InvalidArgument(fmt::format("{}: {}", args.fn_name(), st.message()));
}

Result<Value> SetAdd(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"elem", &x}}));
  BERTH_RETURN_IF_ERROR(Named(args, args.self().set()->Insert(interp, x)));
  return Value::None();
}

Result<Value> SetClear(Interpreter& interp, const Args& args) {
  BERTH_RETURN_IF_ERROR(args.Unpack({}));
  SetObj* s = args.self().set();
  if (s->size() > 0) BERTH_RETURN_IF_ERROR(Named(args, s->Clear()));
  return Value::None();
}

Result<Value> SetDiscard(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"elem", &x}}));
  SetObj* s = args.self().set();
  BERTH_RETURN_IF_ERROR(Named(args, s->CheckMutable("delete from")));
  Result<bool> removed = s->Remove(interp, x);
  if (!removed.ok()) return Named(args, removed.status());
  return Value::None();
}

Result<Value> SetRemove(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"elem", &x}}));
  Result<bool> removed = args.self().set()->Remove(interp, x);
  if (!removed.ok()) return Named(args, removed.status());
  if (!*removed) return Status::InvalidArgument("remove: missing key");
  return Value::None();
}

Result<Value> SetPop(Interpreter& interp, const Args& args) {
  BERTH_RETURN_IF_ERROR(args.Unpack({}));
  SetObj* s = args.self().set();
  if (s->size() == 0) return Status::InvalidArgument("pop: empty set");
  Value first = s->Elems().front();
  Result<bool> removed = s->Remove(interp, first);
  if (!removed.ok()) return Named(args, removed.status());
  return first;
}

Result<Value> SetUnion(Interpreter& interp, const Args& args) {
  BERTH_ASSIGN_OR_RETURN(auto items, AllElements(interp, args));
  auto* out = interp.New<SetObj>();
  for (Value e : args.self().set()->Elems()) BERTH_RETURN_IF_ERROR(out->Insert(interp, e));
  for (Value e : items) BERTH_RETURN_IF_ERROR(Named(args, out->Insert(interp, e)));
  return Value(out);
}

Result<Value> SetUpdate(Interpreter& interp, const Args& args) {
  BERTH_ASSIGN_OR_RETURN(auto items, AllElements(interp, args));
  SetObj* s = args.self().set();
  BERTH_RETURN_IF_ERROR(Named(args, s->CheckMutable("insert into")));
  for (Value e : items) BERTH_RETURN_IF_ERROR(Named(args, s->Insert(interp, e)));
  return Value::None();
}

Result<Value> SetBinaryMethod(Interpreter& interp, const Args& args, BinaryOp op) {
  BERTH_ASSIGN_OR_RETURN(SetObj * other, OtherSet(interp, args));
  return Binary(interp, op, args.self(), Value(other));
}
Result<Value> SetDifference(Interpreter& i, const Args& a) {
  return SetBinaryMethod(i, a, BinaryOp::kMinus);
}
Result<Value> SetIntersection(Interpreter& i, const Args& a) {
  return SetBinaryMethod(i, a, BinaryOp::kBitAnd);
}
Result<Value> SetSymmetricDifference(Interpreter& i, const Args& a) {
  return SetBinaryMethod(i, a, BinaryOp::kBitXor);
}
Result<Value> SetIssubset(Interpreter& i, const Args& a) {
  return SetBinaryMethod(i, a, BinaryOp::kLe);
}
Result<Value> SetIssuperset(Interpreter& i, const Args& a) {
  return SetBinaryMethod(i, a, BinaryOp::kGe);
}

constexpr Method kSetMethods[] = {
    {"add", SetAdd},
    {"clear", SetClear},
    {"difference", SetDifference},
    {"discard", SetDiscard},
    {"intersection", SetIntersection},
    {"issubset", SetIssubset},
    {"issuperset", SetIssuperset},
    {"pop", SetPop},
    {"remove", SetRemove},
    {"symmetric_difference", SetSymmetricDifference},
    {"union", SetUnion},
    {"update", SetUpdate},
};

template <size_t N>
const Method* FindMethod(const Method (&table)[N], std::string_view name) {
  for (const Method& m : table) {
    if (name == m.name) return &m;
  }
  return nullptr;
}

template <size_t N>
std::vector<std::string> Names(const Method (&table)[N]) {
  std::vector<std::string> out;
  for (const Method& m : table) out.push_back(m.name);
  return out;
}

}  // namespace

std::vector<std::string> AttrNames(Value x) {
  switch (x.type()) {
    case Type::kString:
      return Names(kStringMethods);
    case Type::kList:
      return Names(kListMethods);
    case Type::kDict:
      return Names(kDictMethods);
    case Type::kSet:
      return Names(kSetMethods);
    case Type::kBytes:
      return Names(kBytesMethods);
    case Type::kStruct:
      return x.struct_value()->FieldNames();
    default:
      return {};
  }
}

// starlark-go's wording: "string has no .fin field or method (did you mean .find?)".
std::string NoSuchAttr(std::string_view type, std::string_view name,
                       const std::vector<std::string>& names) {
  std::string msg = fmt::format("{} has no .{} field or method", type, name);
  std::string near = Suggest(name, names);
  if (!near.empty()) msg += fmt::format(" (did you mean .{}?)", near);
  return msg;
}

Status SetAttr(Value x, const std::string& name, Value v) {
  if (x.is(Type::kStruct)) return x.struct_value()->SetField(name, v);
  return Status::InvalidArgument(fmt::format("can't assign to .{} field of {}", name, TypeName(x)));
}

Result<Value> GetAttr(Interpreter& interp, Value x, const std::string& name) {
  const Method* m = nullptr;
  switch (x.type()) {
    case Type::kString:
      m = FindMethod(kStringMethods, name);
      break;
    case Type::kList:
      m = FindMethod(kListMethods, name);
      break;
    case Type::kDict:
      m = FindMethod(kDictMethods, name);
      break;
    case Type::kSet:
      m = FindMethod(kSetMethods, name);
      break;
    case Type::kBytes:
      m = FindMethod(kBytesMethods, name);
      break;
    case Type::kStruct: {
      StructObj* s = x.struct_value();
      if (const Value* v = s->Get(name)) return *v;
      return Status::InvalidArgument(NoSuchAttr(s->type_name, name, s->FieldNames()));
    }
    default:
      break;
  }
  if (m == nullptr) return Status::InvalidArgument(NoSuchAttr(TypeName(x), name, AttrNames(x)));
  MethodFn fn = m->fn;
  return interp.NewBuiltin(
      m->name, [fn](Interpreter& i, const Args& a) { return fn(i, a); }, x);
}

}  // namespace berth::starlark
