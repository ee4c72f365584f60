#include "appspec/starlark/value.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "appspec/starlark/ast.h"
#include "appspec/starlark/interpreter.h"
#include "appspec/starlark/utf8.h"

namespace berth::starlark {
namespace {

// Recursive operations on values (==, <, hash, repr) stop at this depth.
constexpr int kMaxValueDepth = 200;

Status TooDeep() { return Status::InvalidArgument("value is nested too deeply"); }
Status TooDeepToCompare() {
  return Status::InvalidArgument("comparison exceeded maximum recursion depth");
}

uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

Result<bool> EqualDepth(Interpreter& interp, Value a, Value b, int depth);

Result<bool> SequenceEqual(Interpreter& interp, const std::vector<Value>& x,
                           const std::vector<Value>& y, int depth) {
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    BERTH_ASSIGN_OR_RETURN(bool eq, EqualDepth(interp, x[i], y[i], depth + 1));
    if (!eq) return false;
  }
  return true;
}

Result<bool> EqualDepth(Interpreter& interp, Value a, Value b, int depth) {
  if (depth > kMaxValueDepth) return TooDeepToCompare();
  BERTH_RETURN_IF_ERROR(interp.Charge(1));
  if (a.type() != b.type()) {
    if (a.is(Type::kFloat) && b.is_int())
      return !std::isnan(a.float_value()) && CompareIntFloat(b, a.float_value()) == 0;
    if (b.is(Type::kFloat) && a.is_int())
      return !std::isnan(b.float_value()) && CompareIntFloat(a, b.float_value()) == 0;
    return false;
  }
  switch (a.type()) {
    case Type::kNone:
      return true;
    case Type::kBool:
    case Type::kInt:
      return a.int_value() == b.int_value();
    case Type::kFloat:
      // Floats are totally ordered: NaN equals NaN (unlike IEEE), as in starlark-go.
      return a.float_value() == b.float_value() ||
             (std::isnan(a.float_value()) && std::isnan(b.float_value()));
    default:
      break;
  }
  // A value that may contain itself is compared element by element even against itself, so a
  // cyclic one fails (as in starlark-go) rather than comparing equal.
  bool container =
      a.is(Type::kList) || a.is(Type::kTuple) || a.is(Type::kDict) || a.is(Type::kStruct);
  if (!container && a.object() == b.object()) return true;
  switch (a.type()) {
    case Type::kString:
      BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(a.str().size() / 64)));
      return a.str() == b.str();
    case Type::kBytes:
      return a.bytes() == b.bytes();
    case Type::kBigInt:
      return BigInt::Compare(a.bigint(), b.bigint()) == 0;
    case Type::kRange: {
      RangeObj* x = static_cast<RangeObj*>(a.object());
      RangeObj* y = static_cast<RangeObj*>(b.object());
      int64_t n = x->Length();
      if (n != y->Length()) return false;
      if (n == 0) return true;
      return x->start == y->start && (n == 1 || x->step == y->step);
    }
    case Type::kList:
      return SequenceEqual(interp, a.list()->items, b.list()->items, depth);
    case Type::kTuple:
      return SequenceEqual(interp, a.tuple()->items, b.tuple()->items, depth);
    case Type::kDict: {
      DictObj* x = a.dict();
      DictObj* y = b.dict();
      if (x->size() != y->size()) return false;
      for (const auto& [k, v] : x->Items()) {
        BERTH_ASSIGN_OR_RETURN(std::optional<Value> w, y->Get(interp, k));
        if (!w) return false;
        BERTH_ASSIGN_OR_RETURN(bool eq, EqualDepth(interp, v, *w, depth + 1));
        if (!eq) return false;
      }
      return true;
    }
    case Type::kSet: {
      SetObj* x = a.set();
      SetObj* y = b.set();
      if (x->size() != y->size()) return false;
      for (Value e : x->Elems()) {
        BERTH_ASSIGN_OR_RETURN(bool has, y->Has(interp, e));
        if (!has) return false;
      }
      return true;
    }
    case Type::kStruct: {
      StructObj* x = a.struct_value();
      StructObj* y = b.struct_value();
      if (x->type_name != y->type_name || x->fields().size() != y->fields().size()) return false;
      for (size_t i = 0; i < x->fields().size(); ++i) {
        if (x->fields()[i].first != y->fields()[i].first) return false;
        BERTH_ASSIGN_OR_RETURN(
            bool eq, EqualDepth(interp, x->fields()[i].second, y->fields()[i].second, depth + 1));
        if (!eq) return false;
      }
      return true;
    }
    default:
      return false;  // functions compare by identity
  }
}

Result<int> CompareDepth(Interpreter& interp, Value a, Value b, int depth) {
  if (depth > kMaxValueDepth) return TooDeepToCompare();
  BERTH_RETURN_IF_ERROR(interp.Charge(1));
  if ((a.is_int() || a.is(Type::kFloat)) && (b.is_int() || b.is(Type::kFloat)) &&
      a.type() != b.type()) {
    if (a.is(Type::kFloat) && b.is(Type::kFloat)) {
    } else if (a.is(Type::kFloat)) {
      return -CompareIntFloat(b, a.float_value());
    } else if (b.is(Type::kFloat)) {
      return CompareIntFloat(a, b.float_value());
    } else {
      BigInt x = a.is(Type::kInt) ? BigInt(a.int_value()) : a.bigint();
      BigInt y = b.is(Type::kInt) ? BigInt(b.int_value()) : b.bigint();
      return BigInt::Compare(x, y);
    }
  }
  if (a.type() == b.type()) {
    switch (a.type()) {
      case Type::kBool:
      case Type::kInt:
        return a.int_value() < b.int_value() ? -1 : a.int_value() > b.int_value() ? 1 : 0;
      case Type::kBigInt:
        return BigInt::Compare(a.bigint(), b.bigint());
      case Type::kFloat: {
        double x = a.float_value(), y = b.float_value();
        // NaN sorts after every other value and equals itself here, as in starlark-go.
        if (std::isnan(x) || std::isnan(y)) return std::isnan(x) ? (std::isnan(y) ? 0 : 1) : -1;
        return x < y ? -1 : x > y ? 1 : 0;
      }
      case Type::kBytes: {
        int c = a.bytes().compare(b.bytes());
        return c < 0 ? -1 : c > 0 ? 1 : 0;
      }
      case Type::kString: {
        int c = a.str().compare(b.str());
        return c < 0 ? -1 : c > 0 ? 1 : 0;
      }
      case Type::kList:
      case Type::kTuple: {
        const auto& x = a.is(Type::kList) ? a.list()->items : a.tuple()->items;
        const auto& y = b.is(Type::kList) ? b.list()->items : b.tuple()->items;
        for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
          BERTH_ASSIGN_OR_RETURN(bool eq, EqualDepth(interp, x[i], y[i], depth + 1));
          if (!eq) return CompareDepth(interp, x[i], y[i], depth + 1);
        }
        return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
      }
      default:
        break;
    }
  }
  return Status::InvalidArgument(fmt::format("{} < {} not implemented", TypeName(a), TypeName(b)));
}

Result<uint64_t> HashDepth(Interpreter& interp, Value v, int depth) {
  if (depth > kMaxValueDepth) return TooDeep();
  BERTH_RETURN_IF_ERROR(interp.Charge(1));
  switch (v.type()) {
    case Type::kNone:
      return 0x4e6f6e65ULL;
    case Type::kBool:
      return v.bool_value() ? 0x54ULL : 0x46ULL;
    case Type::kInt:
      return Mix(0x696e74ULL, static_cast<uint64_t>(v.int_value()));
    case Type::kBigInt:
      return v.bigint().Hash();
    case Type::kFloat: {
      double d = v.float_value();
      // An integral float hashes as the equal int does.
      if (std::isfinite(d) && d == std::trunc(d)) {
        BigInt b = BigInt::FromDouble(d);
        if (std::optional<int64_t> i = b.ToInt64()) {
          return Mix(0x696e74ULL, static_cast<uint64_t>(*i));
        }
        return b.Hash();
      }
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      return Mix(0x666c74ULL, bits);
    }
    case Type::kBytes: {
      uint32_t h = 2166136261u;  // FNV-1a, as starlark-go hashes bytes
      for (unsigned char c : v.bytes()) h = (h ^ c) * 16777619u;
      return h;
    }
    case Type::kString:
      BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(v.str().size() / 64)));
      return std::hash<std::string>{}(v.str());
    case Type::kTuple: {
      TupleObj* t = v.tuple();
      if (t->hash) return *t->hash;
      uint64_t h = 0x7475706cULL;
      for (Value x : t->items) {
        BERTH_ASSIGN_OR_RETURN(uint64_t xh, HashDepth(interp, x, depth + 1));
        h = Mix(h, xh);
      }
      t->hash = h;
      return h;
    }
    case Type::kFunction:
    case Type::kBuiltin:
      return std::hash<const void*>{}(v.object());
    case Type::kList:
    case Type::kDict:
    case Type::kSet:
      return Status::InvalidArgument(fmt::format("unhashable type: {}", TypeName(v)));
    default:  // starlark-go words the other types' errors so
      return Status::InvalidArgument(fmt::format("unhashable: {}", TypeName(v)));
  }
}

class Printer {
 public:
  explicit Printer(Interpreter& interp) : interp_(interp) {}

  Status Print(Value v, int depth) {
    if (depth > kMaxValueDepth) return TooDeep();
    switch (v.type()) {
      case Type::kNone:
        return Put("None");
      case Type::kBool:
        return Put(v.bool_value() ? "True" : "False");
      case Type::kInt:
        return Put(std::to_string(v.int_value()));
      case Type::kBigInt:
        return Put(v.bigint().ToString());
      case Type::kFloat:
        return Put(FormatFloat(v.float_value()));
      case Type::kString:
        return Put(Quote(v.str()));
      case Type::kBytes:
        return Put(QuoteBytes(v.bytes()));
      case Type::kRange: {
        RangeObj* r = static_cast<RangeObj*>(v.object());
        if (r->step != 1) return Put(fmt::format("range({}, {}, {})", r->start, r->stop, r->step));
        if (r->start != 0) return Put(fmt::format("range({}, {})", r->start, r->stop));
        return Put(fmt::format("range({})", r->stop));
      }
      case Type::kPieces: {
        auto* p = static_cast<PiecesObj*>(v.object());
        BERTH_RETURN_IF_ERROR(Print(p->source, depth + 1));
        return Put("." + p->method + "()");
      }
      case Type::kFunction:
        return Put(fmt::format("<function {}>", v.function()->name()));
      case Type::kBuiltin:
        if (!v.builtin()->self.is_none()) {
          return Put(fmt::format("<built-in method {} of {} value>", v.builtin()->name,
                                 TypeName(v.builtin()->self)));
        }
        return Put(fmt::format("<built-in function {}>", v.builtin()->name));
      default:
        break;
    }
    Object* obj = v.object();
    if (std::find(path_.begin(), path_.end(), obj) != path_.end()) {
      return Put(v.is(Type::kList) ? "[...]" : v.is(Type::kDict) ? "{...}" : "...");
    }
    path_.push_back(obj);
    Status st = PrintObject(v, depth);
    path_.pop_back();
    return st;
  }

  std::string Take() { return std::move(out_); }

 private:
  Status Put(std::string_view s) {
    BERTH_RETURN_IF_ERROR(interp_.Charge(1 + static_cast<int64_t>(s.size() / 16)));
    out_ += s;
    return Status::Ok();
  }

  Status Items(const std::vector<Value>& items, int depth) {
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) BERTH_RETURN_IF_ERROR(Put(", "));
      BERTH_RETURN_IF_ERROR(Print(items[i], depth + 1));
    }
    return Status::Ok();
  }

  Status PrintObject(Value v, int depth) {
    switch (v.type()) {
      case Type::kList:
        BERTH_RETURN_IF_ERROR(Put("["));
        BERTH_RETURN_IF_ERROR(Items(v.list()->items, depth));
        return Put("]");
      case Type::kTuple:
        BERTH_RETURN_IF_ERROR(Put("("));
        BERTH_RETURN_IF_ERROR(Items(v.tuple()->items, depth));
        return Put(v.tuple()->items.size() == 1 ? ",)" : ")");
      case Type::kDict: {
        BERTH_RETURN_IF_ERROR(Put("{"));
        bool first = true;
        for (const auto& [k, x] : v.dict()->Items()) {
          if (!first) BERTH_RETURN_IF_ERROR(Put(", "));
          first = false;
          BERTH_RETURN_IF_ERROR(Print(k, depth + 1));
          BERTH_RETURN_IF_ERROR(Put(": "));
          BERTH_RETURN_IF_ERROR(Print(x, depth + 1));
        }
        return Put("}");
      }
      case Type::kSet:
        BERTH_RETURN_IF_ERROR(Put("set(["));
        BERTH_RETURN_IF_ERROR(Items(v.set()->Elems(), depth));
        return Put("])");
      case Type::kStruct: {
        StructObj* s = v.struct_value();
        if (s->type_name == "module") return Put(fmt::format("<module {}>", Quote(s->name)));
        BERTH_RETURN_IF_ERROR(Put(s->type_name + "("));
        bool first = true;
        for (const auto& [name, x] : s->fields()) {
          if (!first) BERTH_RETURN_IF_ERROR(Put(", "));
          first = false;
          BERTH_RETURN_IF_ERROR(Put(name + " = "));
          BERTH_RETURN_IF_ERROR(Print(x, depth + 1));
        }
        return Put(")");
      }
      default:
        return Put("?");
    }
  }

  Interpreter& interp_;
  std::string out_;
  std::vector<const Object*> path_;
};

}  // namespace

const std::string& Value::str() const { return static_cast<StringObj*>(obj_)->value; }
const BigInt& Value::bigint() const { return static_cast<BigIntObj*>(obj_)->value; }
const std::string& Value::bytes() const { return static_cast<BytesObj*>(obj_)->value; }

int64_t RangeObj::Length() const {
  // Computed in 128 bits so no range overflows.
  __int128 n;
  if (step > 0) {
    n = stop > start ? (static_cast<__int128>(stop) - start + step - 1) / step : 0;
  } else {
    n = start > stop
            ? (static_cast<__int128>(start) - stop - step - 1) / -static_cast<__int128>(step)
            : 0;
  }
  return n > INT64_MAX ? INT64_MAX : static_cast<int64_t>(n);
}
ListObj* Value::list() const { return static_cast<ListObj*>(obj_); }
TupleObj* Value::tuple() const { return static_cast<TupleObj*>(obj_); }
DictObj* Value::dict() const { return static_cast<DictObj*>(obj_); }
SetObj* Value::set() const { return static_cast<SetObj*>(obj_); }
FunctionObj* Value::function() const { return static_cast<FunctionObj*>(obj_); }
BuiltinObj* Value::builtin() const { return static_cast<BuiltinObj*>(obj_); }
StructObj* Value::struct_value() const { return static_cast<StructObj*>(obj_); }

Status ListObj::CheckMutable(std::string_view op) const {
  if (frozen()) return Status::InvalidArgument(fmt::format("cannot {} frozen list", op));
  if (iterating > 0) {
    return Status::InvalidArgument(fmt::format("cannot {} list during iteration", op));
  }
  return Status::Ok();
}

Status DictObj::CheckMutable(std::string_view op) const {
  if (frozen()) return Status::InvalidArgument(fmt::format("cannot {} frozen hash table", op));
  if (iterating > 0) {
    return Status::InvalidArgument(fmt::format("cannot {} hash table during iteration", op));
  }
  return Status::Ok();
}

Result<std::optional<size_t>> DictObj::Find(Interpreter& interp, Value key, uint64_t hash) const {
  auto [lo, hi] = index_.equal_range(hash);
  for (auto it = lo; it != hi; ++it) {
    BERTH_ASSIGN_OR_RETURN(bool eq, Equal(interp, entries_[it->second].key, key));
    if (eq) return std::optional<size_t>(it->second);
  }
  return std::optional<size_t>();
}

Result<std::optional<Value>> DictObj::Get(Interpreter& interp, Value key) const {
  BERTH_ASSIGN_OR_RETURN(uint64_t h, Hash(interp, key));
  BERTH_ASSIGN_OR_RETURN(std::optional<size_t> i, Find(interp, key, h));
  if (!i) return std::optional<Value>();
  return std::optional<Value>(entries_[*i].value);
}

Status DictObj::Set(Interpreter& interp, Value key, Value value) {
  BERTH_RETURN_IF_ERROR(CheckMutable("insert into"));
  BERTH_ASSIGN_OR_RETURN(uint64_t h, Hash(interp, key));
  BERTH_ASSIGN_OR_RETURN(std::optional<size_t> i, Find(interp, key, h));
  if (i) {
    entries_[*i].value = value;
    return Status::Ok();
  }
  index_.emplace(h, entries_.size());
  entries_.push_back(Entry{key, value, h, true});
  ++live_;
  return Status::Ok();
}

Result<std::optional<Value>> DictObj::Pop(Interpreter& interp, Value key) {
  BERTH_RETURN_IF_ERROR(CheckMutable("delete from"));
  BERTH_ASSIGN_OR_RETURN(uint64_t h, Hash(interp, key));
  BERTH_ASSIGN_OR_RETURN(std::optional<size_t> i, Find(interp, key, h));
  if (!i) return std::optional<Value>();
  Value v = entries_[*i].value;
  auto [lo, hi] = index_.equal_range(h);
  for (auto it = lo; it != hi; ++it) {
    if (it->second == *i) {
      index_.erase(it);
      break;
    }
  }
  entries_[*i].live = false;
  --live_;
  if (entries_.size() > 16 && live_ < entries_.size() / 2) Compact();
  return std::optional<Value>(v);
}

Status SetObj::CheckMutable(std::string_view op) const {
  if (frozen()) return Status::InvalidArgument(fmt::format("cannot {} frozen hash table", op));
  if (iterating > 0) {
    return Status::InvalidArgument(fmt::format("cannot {} hash table during iteration", op));
  }
  return Status::Ok();
}

Result<bool> SetObj::Has(Interpreter& interp, Value x) const {
  BERTH_ASSIGN_OR_RETURN(std::optional<Value> v, table_.Get(interp, x));
  return v.has_value();
}

Status SetObj::Insert(Interpreter& interp, Value x) {
  BERTH_RETURN_IF_ERROR(CheckMutable("insert into"));
  return table_.Set(interp, x, Value());
}

Result<bool> SetObj::Remove(Interpreter& interp, Value x) {
  BERTH_RETURN_IF_ERROR(CheckMutable("delete from"));
  BERTH_ASSIGN_OR_RETURN(std::optional<Value> v, table_.Pop(interp, x));
  return v.has_value();
}

Status SetObj::Clear() {
  BERTH_RETURN_IF_ERROR(CheckMutable("clear"));
  return table_.Clear();
}

Status DictObj::Clear() {
  BERTH_RETURN_IF_ERROR(CheckMutable("clear"));
  entries_.clear();
  index_.clear();
  live_ = 0;
  return Status::Ok();
}

void DictObj::Compact() {
  std::vector<Entry> live;
  live.reserve(live_);
  index_.clear();
  for (Entry& e : entries_) {
    if (!e.live) continue;
    index_.emplace(e.hash, live.size());
    live.push_back(e);
  }
  entries_ = std::move(live);
}

std::vector<std::pair<Value, Value>> DictObj::Items() const {
  std::vector<std::pair<Value, Value>> out;
  out.reserve(live_);
  for (const Entry& e : entries_) {
    if (e.live) out.emplace_back(e.key, e.value);
  }
  return out;
}

std::vector<Value> DictObj::Keys() const {
  std::vector<Value> out;
  out.reserve(live_);
  for (const Entry& e : entries_) {
    if (e.live) out.push_back(e.key);
  }
  return out;
}

const std::string& FunctionObj::name() const { return def->name; }

const Value* StructObj::Get(std::string_view field) const {
  for (const auto& [name, v] : fields_) {
    if (name == field) return &v;
  }
  return nullptr;
}

std::vector<std::string> StructObj::FieldNames() const {
  std::vector<std::string> out;
  for (const auto& f : fields_) out.push_back(f.first);
  return out;
}

Status StructObj::SetField(const std::string& field, Value v) {
  if (!settable) {
    return Status::InvalidArgument(
        fmt::format("can't assign to .{} field of {}", field, type_name));
  }
  if (frozen()) {
    return Status::InvalidArgument(fmt::format("cannot set field on a frozen {}", type_name));
  }
  for (auto& [name, x] : fields_) {
    if (name == field) {
      x = v;
      return Status::Ok();
    }
  }
  fields_.emplace_back(field, v);
  return Status::Ok();
}

std::string TypeName(Value v) {
  switch (v.type()) {
    case Type::kNone:
      return "NoneType";
    case Type::kBool:
      return "bool";
    case Type::kInt:
    case Type::kBigInt:
      return "int";
    case Type::kFloat:
      return "float";
    case Type::kString:
      return "string";
    case Type::kBytes:
      return "bytes";
    case Type::kRange:
      return "range";
    case Type::kPieces:
      return static_cast<PiecesObj*>(v.object())->type_name;
    case Type::kList:
      return "list";
    case Type::kTuple:
      return "tuple";
    case Type::kDict:
      return "dict";
    case Type::kSet:
      return "set";
    case Type::kFunction:
      return "function";
    case Type::kBuiltin:
      return "builtin_function_or_method";
    case Type::kStruct:
      return v.struct_value()->type_name;
  }
  return "unknown";
}

bool Truth(Value v) {
  switch (v.type()) {
    case Type::kNone:
      return false;
    case Type::kBool:
    case Type::kInt:
      return v.int_value() != 0;
    case Type::kBigInt:
      return true;
    case Type::kFloat:
      return v.float_value() != 0;
    case Type::kString:
      return !v.str().empty();
    case Type::kBytes:
      return !v.bytes().empty();
    case Type::kRange:
      return static_cast<RangeObj*>(v.object())->Length() != 0;
    case Type::kList:
      return !v.list()->items.empty();
    case Type::kTuple:
      return !v.tuple()->items.empty();
    case Type::kDict:
      return v.dict()->size() != 0;
    case Type::kSet:
      return v.set()->size() != 0;
    default:
      return true;
  }
}

Result<bool> Equal(Interpreter& interp, Value a, Value b) { return EqualDepth(interp, a, b, 0); }
Result<int> Compare(Interpreter& interp, Value a, Value b) { return CompareDepth(interp, a, b, 0); }
Result<uint64_t> Hash(Interpreter& interp, Value v) { return HashDepth(interp, v, 0); }

Result<std::string> Repr(Interpreter& interp, Value v) {
  Printer p(interp);
  BERTH_RETURN_IF_ERROR(p.Print(v, 0));
  return p.Take();
}

Result<std::string> Str(Interpreter& interp, Value v) {
  if (v.is(Type::kString)) return v.str();
  if (v.is(Type::kBytes)) return ValidUtf8(v.bytes());
  return Repr(interp, v);
}

std::string Quote(std::string_view s) {
  // The rules of bytes: printable text as it is, other code points as \u, invalid UTF-8 as \x.
  return QuoteBytes(s).substr(1);
}

std::string ValidUtf8(std::string_view s) {
  std::string out;
  for (const std::string& c : SplitUtf8(s)) {
    uint32_t cp = DecodeUtf8(c);
    if (cp >= 0xD800 && cp < 0xE000) {
      // An encoded surrogate: each byte is invalid on its own, as Go decodes it.
      for (size_t k = 0; k < c.size(); ++k) out += EncodeUtf8(0xFFFD);
      continue;
    }
    out += cp == 0xFFFD ? EncodeUtf8(0xFFFD) : c;
  }
  return out;
}

std::string QuoteBytes(std::string_view s) {
  std::string out = "b\"";
  for (const std::string& piece : SplitUtf8(s)) {
    uint32_t cp = DecodeUtf8(piece);
    if (piece.size() > 1) {
      // A valid multi-byte sequence: printable code points as they are, others as \u.
      bool bad = (cp == 0xFFFD && piece != "\xef\xbf\xbd") || (cp >= 0xD800 && cp < 0xE000);
      bool hidden = (cp >= 0x80 && cp < 0xA0) || (cp >= 0x200B && cp <= 0x200F) ||
                    (cp >= 0x2028 && cp <= 0x202E) || cp == 0xFEFF;
      if (!bad && !hidden) {
        out += piece;
        continue;
      }
      if (!bad) {
        out += cp > 0xFFFF ? fmt::format("\\U{:08x}", cp) : fmt::format("\\u{:04x}", cp);
        continue;
      }
    }
    for (char c : piece) {
      unsigned char u = static_cast<unsigned char>(c);
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
        case '\t':
          out += "\\t";
          break;
        case '\r':
          out += "\\r";
          break;
        default:
          if (u < 0x20 || u >= 0x7f) {
            out += fmt::format("\\x{:02x}", u);
          } else {
            out += c;
          }
      }
    }
  }
  out += '"';
  return out;
}

std::string FormatFloat(double d, char conv) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "+inf" : "-inf";
  switch (conv) {
    case 'e':
      return fmt::format("{:.6e}", d);
    case 'E':
      return fmt::format("{:.6E}", d);
    case 'f':
    case 'F':
      return fmt::format("{:.6f}", d);
    default:
      break;
  }
  // The shortest round-tripping digits (fmt's default), then laid out as Go's %g does.
  std::string s = fmt::format("{}", d);
  std::string sign;
  if (s[0] == '-') {
    sign = "-";
    s.erase(0, 1);
  }
  size_t e = s.find_first_of("eE");
  std::string mant = s.substr(0, e);
  int exp = e == std::string::npos ? 0 : std::stoi(s.substr(e + 1));
  // mant is "ddd", "ddd.ddd" or "0.000ddd": collect the digits and where the point goes.
  size_t dot = mant.find('.');
  int point = static_cast<int>(dot == std::string::npos ? mant.size() : dot);
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits += c;
  }
  size_t lead = 0;
  while (lead + 1 < digits.size() && digits[lead] == '0') ++lead;
  digits.erase(0, lead);
  point -= static_cast<int>(lead);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  exp += point - 1;  // the exponent of the first digit
  std::string out = sign;
  if (exp < -4 || exp >= 6) {
    out += digits[0];
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += fmt::format("e{}{:02d}", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    return out;
  }
  if (exp < 0) {
    out += "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  } else if (static_cast<size_t>(exp) + 1 >= digits.size()) {
    out += digits + std::string(static_cast<size_t>(exp) + 1 - digits.size(), '0') + ".0";
  } else {
    out += digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
  }
  return out;
}

int CompareIntFloat(Value i, double f) {
  if (std::isnan(f)) return -1;
  if (std::isinf(f)) return f > 0 ? -1 : 1;
  BigInt x = i.is(Type::kInt) ? BigInt(i.int_value()) : i.bigint();
  double fl = std::floor(f);
  int c = BigInt::Compare(x, BigInt::FromDouble(fl));
  if (c != 0) return c;
  return fl == f ? 0 : -1;
}

}  // namespace berth::starlark
