// The universal builtin functions.
#include "appspec/starlark/builtins.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "appspec/starlark/args.h"
#include "appspec/starlark/interpreter.h"
#include "appspec/starlark/operators.h"
#include "appspec/starlark/suggest.h"
#include "appspec/starlark/utf8.h"

namespace berth::starlark {
namespace {

Result<Value> Len(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x", &x}}));
  Result<int64_t> n = Length(x);
  if (!n.ok()) return args.ErrorAt(0, "len: " + n.status().message());
  return Value::Int(*n);
}

Result<Value> StrFn(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x", &x}}));
  if (x.is(Type::kString)) return x;
  BERTH_ASSIGN_OR_RETURN(std::string s, Str(interp, x));
  return interp.NewString(std::move(s));
}

Result<Value> ReprFn(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x", &x}}));
  BERTH_ASSIGN_OR_RETURN(std::string s, Repr(interp, x));
  return interp.NewString(std::move(s));
}

// Parses an int literal as int(s, base) does: optional sign, a 0x/0o/0b prefix (required to
// match a base of 16/8/2 if given; base 0 infers the base from it), digits.
Result<Value> ParseInt(Interpreter& interp, std::string_view s, int64_t base) {
  std::string_view orig = s;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  int64_t b = base;
  auto prefixed = [&](char lower) {
    return s.size() >= 2 && s[0] == '0' && (s[1] == lower || s[1] == lower - 32);
  };
  if ((b == 0 || b == 16) && prefixed('x')) {
    b = 16;
    s.remove_prefix(2);
  } else if ((b == 0 || b == 8) && prefixed('o')) {
    b = 8;
    s.remove_prefix(2);
  } else if ((b == 0 || b == 2) && prefixed('b')) {
    b = 2;
    s.remove_prefix(2);
  } else if (b == 0) {
    // Base 0 without a prefix is decimal, and then a leading zero is ambiguous.
    if (s.size() > 1 && s[0] == '0') {
      bool zeros = s.find_first_not_of('0') == std::string_view::npos;
      if (!zeros) {
        return Status::InvalidArgument(fmt::format("int: invalid literal with base 0: {}", orig));
      }
    }
    b = 10;
  }
  std::optional<BigInt> v = BigInt::Parse(s, static_cast<int>(b));
  if (!v) {
    return Status::InvalidArgument(
        fmt::format("int: invalid literal with base {}: {}", base, orig));
  }
  BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(s.size() / 16)));
  return interp.NewInt(neg ? BigInt::Neg(*v) : *v);
}

Result<Value> IntFn(Interpreter& interp, const Args& args) {
  Value x, base_v;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x", &x}, {"base?", &base_v}}));
  if (!base_v.is_none()) {
    if (!x.is(Type::kString))
      return args.Error("base", "int: can't convert non-string with explicit base");
    if (!base_v.is(Type::kInt) ||
        (base_v.int_value() != 0 && (base_v.int_value() < 2 || base_v.int_value() > 36))) {
      return args.Error("base", "int: base must be an integer >= 2 && <= 36");
    }
  }
  switch (x.type()) {
    case Type::kInt:
    case Type::kBigInt:
      return x;
    case Type::kBool:
      return Value::Int(x.bool_value() ? 1 : 0);
    case Type::kFloat: {
      double d = x.float_value();
      if (std::isnan(d)) return args.ErrorAt(0, "int: cannot convert float NaN to integer");
      if (std::isinf(d)) return args.ErrorAt(0, "int: cannot convert float infinity to integer");
      return interp.NewInt(BigInt::FromDouble(d));
    }
    case Type::kString: {
      Result<Value> v = ParseInt(interp, x.str(), base_v.is_none() ? 10 : base_v.int_value());
      if (!v.ok()) return args.ErrorAt(0, v.status().message());
      return *v;
    }
    default:
      return args.ErrorAt(0, fmt::format("int: cannot convert {} to int", TypeName(x)));
  }
}

// Parses a float as float(s) does: decimal or exponent form, or inf/infinity/nan in any case.
std::optional<double> ParseFloat(std::string_view s) {
  std::string t(s);
  std::string lower;
  for (char c : t) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view body = lower;
  bool neg = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == "inf" || body == "infinity") return neg ? -HUGE_VAL : HUGE_VAL;
  if (body == "nan") return std::nan("");
  if (body.empty()) return std::nullopt;
  bool digit = false;
  for (char c : body) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c != '.' && c != 'e' && c != '+' && c != '-') {
      return std::nullopt;
    }
  }
  if (!digit) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size()) return std::nullopt;
  return d;
}

Result<Value> FloatFn(Interpreter& interp, const Args& args) {
  Value x = Value::Float(0);
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x?", &x}}));
  switch (x.type()) {
    case Type::kFloat:
      return x;
    case Type::kBool:
      return Value::Float(x.bool_value() ? 1 : 0);
    case Type::kInt:
    case Type::kBigInt: {
      Result<double> d = ToFloat(x);
      if (!d.ok()) return args.ErrorAt(0, "float: " + d.status().message());
      return Value::Float(*d);
    }
    case Type::kString: {
      std::optional<double> d = ParseFloat(x.str());
      if (!d) return args.ErrorAt(0, fmt::format("float: invalid float literal: {}", x.str()));
      if (std::isinf(*d)) {
        std::string lower;
        for (char c : x.str())
          lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower.find("inf") == std::string::npos) {
          return args.ErrorAt(0, "float: floating-point number too large");
        }
      }
      return Value::Float(*d);
    }
    default:
      return args.ErrorAt(0, fmt::format("float: got {}, want number or string", TypeName(x)));
  }
}

Result<Value> Abs(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x", &x}}));
  if (x.is(Type::kFloat)) return Value::Float(std::fabs(x.float_value()));
  if (x.is_int()) {
    if (x.is(Type::kInt) && x.int_value() >= 0) return x;
    if (x.is(Type::kBigInt) && !x.bigint().negative()) return x;
    return Unary(interp, UnaryOp::kMinus, x);
  }
  return args.ErrorAt(0, fmt::format("abs: got {}, want int or float", TypeName(x)));
}

Result<Value> HashFn(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x", &x}}));
  if (!x.is(Type::kString) && !x.is(Type::kBytes)) {
    return args.ErrorAt(0, fmt::format("hash: got {}, want string or bytes", TypeName(x)));
  }
  // The hash Java's String.hashCode gives, over the bytes, as starlark-go documents it.
  // Over UTF-16 code units for a string, as Java does; FNV-1a over the bytes for bytes.
  uint32_t h = 0;
  if (x.is(Type::kBytes)) {
    BERTH_ASSIGN_OR_RETURN(uint64_t fnv, Hash(interp, x));
    return Value::Int(static_cast<int64_t>(fnv));
  } else {
    for (const std::string& c : SplitUtf8(x.str())) {
      uint32_t cp = DecodeUtf8(c);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        h = 31 * h + (0xD800 + (cp >> 10));
        h = 31 * h + (0xDC00 + (cp & 0x3FF));
      } else {
        h = 31 * h + cp;
      }
    }
  }
  return Value::Int(static_cast<int32_t>(h));
}

Result<Value> Dir(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x", &x}}));
  std::vector<std::string> names = AttrNames(x);
  std::sort(names.begin(), names.end());
  std::vector<Value> out;
  for (const std::string& n : names) out.push_back(interp.NewString(n));
  return interp.NewList(std::move(out));
}

Result<Value> Chr(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"i", &x}}));
  if (!x.is(Type::kInt)) return args.ErrorAt(0, fmt::format("chr: got {}, want int", TypeName(x)));
  int64_t cp = x.int_value();
  if (cp < 0)
    return args.ErrorAt(0, fmt::format("chr: Unicode code point {} out of range (<0)", cp));
  if (cp > 0x10FFFF) {
    return args.ErrorAt(0,
                        fmt::format("chr: Unicode code point U+{:X} out of range (>0x10FFFF)", cp));
  }
  return interp.NewString(EncodeUtf8(static_cast<uint32_t>(cp)));
}

Result<Value> Ord(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"s", &x}}));
  if (x.is(Type::kBytes)) {
    if (x.bytes().size() != 1) {
      return args.ErrorAt(0, fmt::format("ord: bytes has length {}, want 1", x.bytes().size()));
    }
    return Value::Int(static_cast<unsigned char>(x.bytes()[0]));
  }
  if (!x.is(Type::kString)) {
    return args.ErrorAt(0, fmt::format("ord: got {}, want string", TypeName(x)));
  }
  std::vector<std::string> chars = SplitUtf8(x.str());
  if (chars.size() != 1) {
    return args.ErrorAt(
        0, fmt::format("ord: string encodes {} Unicode code points, want 1", chars.size()));
  }
  return Value::Int(DecodeUtf8(chars[0]));
}

Result<Value> BytesFn(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x", &x}}));
  if (x.is(Type::kBytes)) return x;
  if (x.is(Type::kString)) return interp.NewBytes(ValidUtf8(x.str()));
  Result<std::vector<Value>> items = Iterate(interp, x);
  if (!items.ok()) {
    return args.ErrorAt(
        0, fmt::format("bytes: got {}, want string, bytes, or iterable of ints", TypeName(x)));
  }
  std::string out;
  for (size_t i = 0; i < items->size(); ++i) {
    Value v = (*items)[i];
    if (!v.is_int()) {
      return args.ErrorAt(0, fmt::format("bytes: at index {}, got {}, want int", i, TypeName(v)));
    }
    if (!v.is(Type::kInt) || v.int_value() < 0 || v.int_value() > 255) {
      BERTH_ASSIGN_OR_RETURN(std::string r, Repr(interp, v));
      return args.ErrorAt(
          0, fmt::format("bytes: at index {}, {} out of range (want value in unsigned 8-bit range)",
                         i, r));
    }
    out.push_back(static_cast<char>(v.int_value()));
  }
  return interp.NewBytes(std::move(out));
}

Result<Value> BoolFn(Interpreter& interp, const Args& args) {
  Value x = Value::Bool(false);
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x?", &x}}));
  return Value::Bool(Truth(x));
}

Result<Value> ListFn(Interpreter& interp, const Args& args) {
  Value x = interp.NewList({});
  BERTH_RETURN_IF_ERROR(args.Unpack({{"iterable?", &x}}));
  BERTH_ASSIGN_OR_RETURN(auto items, Elements(interp, args, 0, x));
  return interp.NewList(std::move(items));
}

Result<Value> TupleFn(Interpreter& interp, const Args& args) {
  Value x = interp.NewTuple({});
  BERTH_RETURN_IF_ERROR(args.Unpack({{"iterable?", &x}}));
  BERTH_ASSIGN_OR_RETURN(auto items, Elements(interp, args, 0, x));
  return interp.NewTuple(std::move(items));
}

Result<Value> DictFn(Interpreter& interp, const Args& args) {
  if (args.positional().size() > 1) return args.ErrorAt(1, "dict: at most one positional argument");
  DictObj* d = interp.NewDict();
  if (!args.positional().empty()) {
    Value src = args.positional()[0];
    if (src.is(Type::kDict)) {
      for (const auto& [k, v] : src.dict()->Items()) BERTH_RETURN_IF_ERROR(d->Set(interp, k, v));
    } else {
      BERTH_ASSIGN_OR_RETURN(auto pairs, UpdatePairs(interp, args, src));
      for (const auto& [k, v] : pairs) {
        Status st = d->Set(interp, k, v);
        if (!st.ok()) return args.ErrorAt(0, "dict: " + st.message());
      }
    }
  }
  for (const auto& [k, v] : args.named())
    BERTH_RETURN_IF_ERROR(d->Set(interp, interp.NewString(k), v));
  return Value(d);
}

Result<Value> Range(Interpreter& interp, const Args& args) {
  BERTH_RETURN_IF_ERROR(args.NoKeywords());
  const auto& p = args.positional();
  if (p.empty() || p.size() > 3)
    return Status::InvalidArgument("range: takes 1 to 3 int arguments");
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i].is(Type::kBigInt)) {
      return args.ErrorAt(static_cast<int>(i),
                          fmt::format("range: {} out of range (want value in signed 64-bit range)",
                                      p[i].bigint().ToString()));
    }
    if (!p[i].is(Type::kInt))
      return args.ErrorAt(
          static_cast<int>(i),
          fmt::format("range: got {} for parameter {}, want int", TypeName(p[i]),
                      i == 0 ? (p.size() == 1 ? "stop" : "start") : (i == 1 ? "stop" : "step")));
  }
  int64_t start = 0, stop, step = 1;
  if (p.size() == 1) {
    stop = p[0].int_value();
  } else {
    start = p[0].int_value();
    stop = p[1].int_value();
    if (p.size() == 3) step = p[2].int_value();
  }
  if (step == 0) return args.ErrorAt(2, "range: step argument must not be zero");
  return Value(interp.New<RangeObj>(start, stop, step));
}

Result<Value> Enumerate(Interpreter& interp, const Args& args) {
  Value x, start_v = Value::Int(0);
  BERTH_RETURN_IF_ERROR(args.Unpack({{"iterable", &x}, {"start?", &start_v}}));
  if (!start_v.is(Type::kInt)) return args.Error("start", "enumerate: start must be an int");
  BERTH_ASSIGN_OR_RETURN(auto items, Elements(interp, args, 0, x));
  std::vector<Value> out;
  int64_t i = start_v.int_value();
  for (Value v : items) {
    out.push_back(interp.NewTuple({Value::Int(i), v}));
    BERTH_ASSIGN_OR_RETURN(i, AddInt(i, 1));
  }
  return interp.NewList(std::move(out));
}

// A stable merge sort whose comparison may fail; unlike std::sort it stays in bounds whatever
// the comparison answers.
Status MergeSort(std::vector<std::pair<Value, Value>>* v,
                 const std::function<Result<bool>(Value, Value)>& less) {
  std::vector<std::pair<Value, Value>> tmp(v->size());
  for (size_t width = 1; width < v->size(); width *= 2) {
    for (size_t lo = 0; lo < v->size(); lo += 2 * width) {
      size_t mid = std::min(lo + width, v->size()), hi = std::min(lo + 2 * width, v->size());
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        BERTH_ASSIGN_OR_RETURN(bool b_less, less((*v)[j].first, (*v)[i].first));
        tmp[k++] = b_less ? (*v)[j++] : (*v)[i++];
      }
      while (i < mid) tmp[k++] = (*v)[i++];
      while (j < hi) tmp[k++] = (*v)[j++];
    }
    v->swap(tmp);
  }
  return Status::Ok();
}

// Pairs of (sort key, element), the key computed by `key` when it isn't None.
bool IsCallable(Value v) { return v.is(Type::kFunction) || v.is(Type::kBuiltin); }

Result<std::vector<std::pair<Value, Value>>> Keyed(Interpreter& interp,
                                                   const std::vector<Value>& items, Value key) {
  std::vector<std::pair<Value, Value>> out;
  for (Value v : items) {
    Value k = v;
    if (!key.is_none()) {
      BERTH_ASSIGN_OR_RETURN(k, interp.Call(key, {v}));
    }
    out.emplace_back(k, v);
  }
  return out;
}

Result<Value> Sorted(Interpreter& interp, const Args& args) {
  Value x, key, reverse = Value::Bool(false);
  BERTH_RETURN_IF_ERROR(args.Unpack({{"iterable", &x}, {"key?", &key}, {"reverse?", &reverse}}));
  for (const auto& [k, v] : args.named()) {
    if (k == "key" && !IsCallable(v)) {
      return args.Error(
          "key", fmt::format("sorted: for parameter key: got {}, want callable", TypeName(v)));
    }
  }
  BERTH_ASSIGN_OR_RETURN(auto items, Elements(interp, args, 0, x, "iterable"));
  BERTH_ASSIGN_OR_RETURN(auto keyed, Keyed(interp, items, key));
  bool rev = Truth(reverse);
  BERTH_RETURN_IF_ERROR(MergeSort(&keyed, [&](Value a, Value b) -> Result<bool> {
    Result<int> c = Compare(interp, a, b);
    if (!c.ok()) return Status::InvalidArgument("sorted: " + c.status().message());
    return rev ? *c > 0 : *c < 0;
  }));
  std::vector<Value> out;
  for (const auto& kv : keyed) out.push_back(kv.second);
  return interp.NewList(std::move(out));
}

Result<Value> Reversed(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"sequence", &x}}));
  BERTH_ASSIGN_OR_RETURN(auto items, Elements(interp, args, 0, x));
  std::reverse(items.begin(), items.end());
  return interp.NewList(std::move(items));
}

Result<Value> TypeFn(Interpreter& interp, const Args& args) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x", &x}}));
  return interp.NewString(TypeName(x));
}

Result<Value> HasAttr(Interpreter& interp, const Args& args) {
  Value x, name;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x", &x}, {"name", &name}}));
  if (!name.is(Type::kString)) return args.Error("name", "hasattr: name must be a string");
  std::vector<std::string> names = AttrNames(x);
  return Value::Bool(std::find(names.begin(), names.end(), name.str()) != names.end());
}

Result<Value> GetAttrFn(Interpreter& interp, const Args& args) {
  Value x, name, dflt;
  bool has_default = args.positional().size() + args.named().size() > 2;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x", &x}, {"name", &name}, {"default?", &dflt}}));
  if (!name.is(Type::kString)) return args.Error("name", "getattr: name must be a string");
  Result<Value> r = GetAttr(interp, x, name.str());
  if (!r.ok() && has_default) return dflt;
  return r;
}

Result<std::string> JoinArgs(Interpreter& interp, const Args& args) {
  Value sep = interp.NewString(" ");
  for (const auto& [k, v] : args.named()) {
    if (k != "sep")
      return args.ErrorAt(static_cast<int>(args.positional().size()),
                          fmt::format("{}: unknown keyword argument \"{}\"", args.fn_name(), k));
    if (!v.is(Type::kString))
      return args.ErrorAt(static_cast<int>(args.positional().size()), "sep must be a string");
    sep = v;
  }
  std::string out;
  for (size_t i = 0; i < args.positional().size(); ++i) {
    if (i > 0) out += sep.str();
    BERTH_ASSIGN_OR_RETURN(std::string s, Str(interp, args.positional()[i]));
    out += s;
  }
  return out;
}

Result<Value> Print(Interpreter& interp, const Args& args) {
  BERTH_ASSIGN_OR_RETURN(std::string line, JoinArgs(interp, args));
  interp.Print(line);
  return Value::None();
}

Result<Value> Fail(Interpreter& interp, const Args& args) {
  BERTH_ASSIGN_OR_RETURN(std::string msg, JoinArgs(interp, args));
  return Status::InvalidArgument("fail: " + msg);
}

Result<Value> MinMax(Interpreter& interp, const Args& args, bool want_max) {
  Value key;
  for (const auto& [k, v] : args.named()) {
    if (k != "key") {
      std::string hint = Suggest(k, {"key"});
      return args.ErrorAt(static_cast<int>(args.positional().size()),
                          fmt::format("{}: unexpected keyword argument \"{}\"{}", args.fn_name(), k,
                                      hint.empty() ? "" : " (did you mean key?)"));
    }
    if (!IsCallable(v)) {
      return args.ErrorAt(
          static_cast<int>(args.positional().size()),
          fmt::format("{}: for parameter key: got {}, want callable", args.fn_name(), TypeName(v)));
    }
    key = v;
  }
  const auto& p = args.positional();
  if (p.empty())
    return Status::InvalidArgument(
        fmt::format("{} requires at least one positional argument", args.fn_name()));
  std::vector<Value> items;
  if (p.size() == 1) {
    if (!IsIterable(p[0])) {
      return args.ErrorAt(
          0, fmt::format("{}: {} value is not iterable", args.fn_name(), TypeName(p[0])));
    }
    BERTH_ASSIGN_OR_RETURN(items, Elements(interp, args, 0, p[0]));
  } else {
    items = p;
  }
  if (items.empty())
    return Status::InvalidArgument(fmt::format("{}: empty sequence", args.fn_name()));
  BERTH_ASSIGN_OR_RETURN(auto keyed, Keyed(interp, items, key));
  size_t best = 0;
  for (size_t i = 1; i < keyed.size(); ++i) {
    Result<int> c = Compare(interp, keyed[i].first, keyed[best].first);
    if (!c.ok())
      return Status::InvalidArgument(fmt::format("{}: {}", args.fn_name(), c.status().message()));
    if (want_max ? *c > 0 : *c < 0) best = i;
  }
  return keyed[best].second;
}
Result<Value> Min(Interpreter& i, const Args& a) { return MinMax(i, a, false); }
Result<Value> Max(Interpreter& i, const Args& a) { return MinMax(i, a, true); }

Result<Value> AnyAll(Interpreter& interp, const Args& args, bool all) {
  Value x;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"iterable", &x}}));
  BERTH_ASSIGN_OR_RETURN(auto items, Elements(interp, args, 0, x));
  for (Value v : items) {
    if (Truth(v) != all) return Value::Bool(!all);
  }
  return Value::Bool(all);
}
Result<Value> Any(Interpreter& i, const Args& a) { return AnyAll(i, a, false); }
Result<Value> All(Interpreter& i, const Args& a) { return AnyAll(i, a, true); }

Result<Value> Zip(Interpreter& interp, const Args& args) {
  BERTH_RETURN_IF_ERROR(args.NoKeywords());
  std::vector<std::vector<Value>> seqs;
  size_t n = SIZE_MAX;
  for (size_t i = 0; i < args.positional().size(); ++i) {
    Value x = args.positional()[i];
    if (!IsIterable(x)) {
      return args.ErrorAt(static_cast<int>(i),
                          fmt::format("zip: argument #{} is not iterable: {}", i + 1, TypeName(x)));
    }
    BERTH_ASSIGN_OR_RETURN(auto items, Elements(interp, args, static_cast<int>(i), x));
    n = std::min(n, items.size());
    seqs.push_back(std::move(items));
  }
  if (seqs.empty()) n = 0;
  std::vector<Value> out;
  for (size_t i = 0; i < n; ++i) {
    std::vector<Value> t;
    for (const auto& s : seqs) t.push_back(s[i]);
    out.push_back(interp.NewTuple(std::move(t)));
  }
  return interp.NewList(std::move(out));
}

struct Builtin {
  const char* name;
  Result<Value> (*fn)(Interpreter&, const Args&);
};

// set(iterable?): only visible with InterpreterOptions::allow_set.
Result<Value> SetFn(Interpreter& interp, const Args& args) {
  BERTH_RETURN_IF_ERROR(args.NoKeywords());
  if (args.positional().size() > 1) {
    return args.ErrorAt(
        1, fmt::format("set: got {} arguments, want at most 1", args.positional().size()));
  }
  auto* out = interp.New<SetObj>();
  if (!args.positional().empty()) {
    BERTH_ASSIGN_OR_RETURN(auto items, Elements(interp, args, 0, args.positional()[0]));
    for (Value x : items) {
      Status st = out->Insert(interp, x);
      if (!st.ok()) return args.ErrorAt(0, "set: " + st.message());
    }
  }
  return Value(out);
}

constexpr Builtin kBuiltins[] = {
    {"abs", Abs},         {"all", All},       {"any", Any},
    {"bool", BoolFn},     {"bytes", BytesFn}, {"chr", Chr},
    {"dict", DictFn},     {"dir", Dir},       {"enumerate", Enumerate},
    {"fail", Fail},       {"float", FloatFn}, {"getattr", GetAttrFn},
    {"hasattr", HasAttr}, {"hash", HashFn},   {"int", IntFn},
    {"len", Len},         {"list", ListFn},   {"max", Max},
    {"min", Min},         {"ord", Ord},       {"print", Print},
    {"range", Range},     {"repr", ReprFn},   {"reversed", Reversed},
    {"set", SetFn},       {"sorted", Sorted}, {"str", StrFn},
    {"tuple", TupleFn},   {"type", TypeFn},   {"zip", Zip},
};

}  // namespace

Result<std::vector<Value>> Elements(Interpreter& interp, const Args& args, int index, Value x,
                                    std::string_view param) {
  if (!IsIterable(x)) {
    std::string which = param.empty() ? std::to_string(index + 1) : std::string(param);
    return args.ErrorAt(index, fmt::format("{}: for parameter {}: got {}, want iterable",
                                           args.fn_name(), which, TypeName(x)));
  }
  Result<std::vector<Value>> items = Iterate(interp, x);
  if (!items.ok())
    return args.ErrorAt(index, fmt::format("{}: {}", args.fn_name(), items.status().message()));
  return items;
}

Result<std::vector<std::pair<Value, Value>>> UpdatePairs(Interpreter& interp, const Args& args,
                                                         Value x) {
  BERTH_ASSIGN_OR_RETURN(auto items, Elements(interp, args, 0, x));
  std::vector<std::pair<Value, Value>> out;
  for (size_t i = 0; i < items.size(); ++i) {
    Value pair = items[i];
    if (!IsIterable(pair)) {
      return args.ErrorAt(
          0, fmt::format("{}: dictionary update sequence element #{} is not iterable ({})",
                         args.fn_name(), i, TypeName(pair)));
    }
    BERTH_ASSIGN_OR_RETURN(auto kv, Iterate(interp, pair));
    if (kv.size() != 2) {
      return args.ErrorAt(
          0, fmt::format("{}: dictionary update sequence element #{} has length {}, want 2",
                         args.fn_name(), i, kv.size()));
    }
    out.emplace_back(kv[0], kv[1]);
  }
  return out;
}

UniversalFn FindUniversal(std::string_view name) {
  for (const Builtin& b : kBuiltins) {
    if (name == b.name) return b.fn;
  }
  return nullptr;
}

const std::vector<std::string>& UniversalNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const Builtin& b : kBuiltins) out.emplace_back(b.name);
    std::sort(out.begin(), out.end());
    return out;
  }();
  return names;
}

}  // namespace berth::starlark
