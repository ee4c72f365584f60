// The universal builtin functions.
#include "appspec/starlark/builtins.h"

#include <fmt/format.h>

#include <algorithm>

#include "appspec/starlark/args.h"
#include "appspec/starlark/interpreter.h"
#include "appspec/starlark/operators.h"

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

Result<int64_t> ParseInt(std::string_view s, int64_t base) {
  std::string_view orig = s;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
    s.remove_suffix(1);
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  auto prefixed = [&](char lower) {
    return s.size() > 2 && s[0] == '0' && (s[1] == lower || s[1] == lower - 32);
  };
  if ((base == 0 || base == 16) && prefixed('x')) {
    base = 16;
    s.remove_prefix(2);
  } else if ((base == 0 || base == 8) && prefixed('o')) {
    base = 8;
    s.remove_prefix(2);
  } else if ((base == 0 || base == 2) && prefixed('b')) {
    base = 2;
    s.remove_prefix(2);
  } else if (base == 0) {
    base = 10;
  }
  auto invalid = [&] {
    return Status::InvalidArgument(
        fmt::format("int: invalid literal with base {}: {}", base, Quote(orig)));
  };
  if (s.empty()) return invalid();
  uint64_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'z' ? c - 'a' + 10
            : c >= 'A' && c <= 'Z' ? c - 'A' + 10
                                   : 99;
    if (d >= base) return invalid();
    if (v > (UINT64_MAX - d) / static_cast<uint64_t>(base))
      return Status::InvalidArgument("int: value out of range (ints are 64-bit)");
    v = v * base + d;
  }
  if (neg ? v > static_cast<uint64_t>(INT64_MAX) + 1 : v > static_cast<uint64_t>(INT64_MAX)) {
    return Status::InvalidArgument("int: value out of range (ints are 64-bit)");
  }
  return neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
}

Result<Value> IntFn(Interpreter& interp, const Args& args) {
  Value x = Value::Int(0), base_v;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x?", &x}, {"base?", &base_v}}));
  if (!base_v.is_none()) {
    if (!x.is(Type::kString)) return args.Error("base", "int: base is only allowed for a string");
    if (!base_v.is(Type::kInt) ||
        (base_v.int_value() != 0 && (base_v.int_value() < 2 || base_v.int_value() > 36))) {
      return args.Error("base", "int: base must be 0 or an int in 2..36");
    }
  }
  switch (x.type()) {
    case Type::kInt:
      return x;
    case Type::kBool:
      return Value::Int(x.bool_value() ? 1 : 0);
    case Type::kString: {
      Result<int64_t> v = ParseInt(x.str(), base_v.is_none() ? 10 : base_v.int_value());
      if (!v.ok()) return args.ErrorAt(0, v.status().message());
      return Value::Int(*v);
    }
    default:
      return args.ErrorAt(0, fmt::format("int: cannot convert {} to int", TypeName(x)));
  }
}

Result<Value> BoolFn(Interpreter& interp, const Args& args) {
  Value x = Value::Bool(false);
  BERTH_RETURN_IF_ERROR(args.Unpack({{"x?", &x}}));
  return Value::Bool(Truth(x));
}

Result<std::vector<Value>> Elements(Interpreter& interp, const Args& args, int index, Value x) {
  Result<std::vector<Value>> items = Iterate(interp, x);
  if (!items.ok())
    return args.ErrorAt(index, fmt::format("{}: {}", args.fn_name(), items.status().message()));
  return items;
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
      BERTH_ASSIGN_OR_RETURN(auto items, Elements(interp, args, 0, src));
      for (Value pair : items) {
        Result<std::vector<Value>> kv = Iterate(interp, pair);
        if (!kv.ok() || kv->size() != 2)
          return args.ErrorAt(0, "dict: each element must be a (key, value) pair");
        Status st = d->Set(interp, (*kv)[0], (*kv)[1]);
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
    if (!p[i].is(Type::kInt))
      return args.ErrorAt(static_cast<int>(i),
                          fmt::format("range: arguments must be ints, not {}", TypeName(p[i])));
  }
  int64_t start = 0, stop, step = 1;
  if (p.size() == 1) {
    stop = p[0].int_value();
  } else {
    start = p[0].int_value();
    stop = p[1].int_value();
    if (p.size() == 3) step = p[2].int_value();
  }
  if (step == 0) return args.ErrorAt(2, "range: step cannot be zero");
  __int128 n = 0;
  if (step > 0 && stop > start) n = ((__int128)stop - start - 1) / step + 1;
  if (step < 0 && stop < start) n = ((__int128)start - stop - 1) / -(__int128)step + 1;
  BERTH_RETURN_IF_ERROR(interp.Charge(n > INT64_MAX / 2 ? INT64_MAX / 2 : static_cast<int64_t>(n)));
  std::vector<Value> out;
  out.reserve(static_cast<size_t>(n));
  __int128 v = start;
  for (__int128 i = 0; i < n; ++i, v += step) out.push_back(Value::Int(static_cast<int64_t>(v)));
  return interp.NewList(std::move(out));
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
  BERTH_ASSIGN_OR_RETURN(auto items, Elements(interp, args, 0, x));
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
  return Status::InvalidArgument(msg);
}

Result<Value> MinMax(Interpreter& interp, const Args& args, bool want_max) {
  Value key;
  for (const auto& [k, v] : args.named()) {
    if (k != "key")
      return args.ErrorAt(static_cast<int>(args.positional().size()),
                          fmt::format("{}: unknown keyword argument \"{}\"", args.fn_name(), k));
    key = v;
  }
  const auto& p = args.positional();
  if (p.empty())
    return Status::InvalidArgument(fmt::format("{}: needs at least one argument", args.fn_name()));
  std::vector<Value> items;
  if (p.size() == 1) {
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
    BERTH_ASSIGN_OR_RETURN(auto items,
                           Elements(interp, args, static_cast<int>(i), args.positional()[i]));
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

constexpr Builtin kBuiltins[] = {
    {"all", All},
    {"any", Any},
    {"bool", BoolFn},
    {"dict", DictFn},
    {"enumerate", Enumerate},
    {"fail", Fail},
    {"getattr", GetAttrFn},
    {"hasattr", HasAttr},
    {"int", IntFn},
    {"len", Len},
    {"list", ListFn},
    {"max", Max},
    {"min", Min},
    {"print", Print},
    {"range", Range},
    {"repr", ReprFn},
    {"reversed", Reversed},
    {"sorted", Sorted},
    {"str", StrFn},
    {"tuple", TupleFn},
    {"type", TypeFn},
    {"zip", Zip},
};

}  // namespace

std::map<std::string, Value> MakeUniverse(Interpreter& interp) {
  std::map<std::string, Value> out;
  for (const Builtin& b : kBuiltins) {
    auto fn = b.fn;
    Value v = interp.NewBuiltin(b.name, [fn](Interpreter& i, const Args& a) { return fn(i, a); });
    v.object()->Freeze();
    out.emplace(b.name, v);
  }
  return out;
}

}  // namespace berth::starlark
