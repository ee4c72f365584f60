#include "appspec/starlark/operators.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "appspec/starlark/interpreter.h"
#include "appspec/starlark/utf8.h"

namespace berth::starlark {
namespace {

Status Overflow() { return Status::InvalidArgument("integer overflow"); }

// Shifts beyond this many bits are refused, as in starlark-go.
constexpr int64_t kMaxShift = 512;

Status Unsupported(BinaryOp op, Value x, Value y) {
  return Status::InvalidArgument(
      fmt::format("unknown binary op: {} {} {}", TypeName(x), BinaryOpName(op), TypeName(y)));
}

Result<int64_t> FloorDiv(int64_t a, int64_t b) {
  if (b == 0) return Status::InvalidArgument("integer division by zero");
  if (a == std::numeric_limits<int64_t>::min() && b == -1) return Overflow();
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

Result<int64_t> FloorMod(int64_t a, int64_t b) {
  if (b == 0) return Status::InvalidArgument("integer modulo by zero");
  if (b == -1) return 0;
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

// Repeats a sequence n times, charging the size of the result before building it.
Result<std::vector<Value>> Repeat(Interpreter& interp, const std::vector<Value>& items, int64_t n) {
  std::vector<Value> out;
  if (n <= 0 || items.empty()) return out;
  BERTH_ASSIGN_OR_RETURN(int64_t total, MulInt(static_cast<int64_t>(items.size()), n));
  BERTH_RETURN_IF_ERROR(interp.Charge(total));
  out.reserve(total);
  for (int64_t i = 0; i < n; ++i) out.insert(out.end(), items.begin(), items.end());
  return out;
}

Result<std::vector<Value>> Concat(Interpreter& interp, const std::vector<Value>& a,
                                  const std::vector<Value>& b) {
  BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(a.size() + b.size())));
  std::vector<Value> out;
  out.reserve(a.size() + b.size());
  out.insert(out.end(), a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

Result<bool> Contains(Interpreter& interp, Value container, Value x) {
  switch (container.type()) {
    case Type::kString:
      if (!x.is(Type::kString)) {
        return Status::InvalidArgument(
            fmt::format("'in <string>' requires string as left operand, not {}", TypeName(x)));
      }
      BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(container.str().size() / 16)));
      return container.str().find(x.str()) != std::string::npos;
    case Type::kList:
    case Type::kTuple: {
      const auto& items =
          container.is(Type::kList) ? container.list()->items : container.tuple()->items;
      for (size_t i = 0; i < items.size(); ++i) {
        BERTH_ASSIGN_OR_RETURN(bool eq, Equal(interp, items[i], x));
        if (eq) return true;
      }
      return false;
    }
    case Type::kDict: {
      // An unhashable value is in no dict.
      if (x.is(Type::kList) || x.is(Type::kDict)) return false;
      BERTH_ASSIGN_OR_RETURN(std::optional<Value> v, container.dict()->Get(interp, x));
      return v.has_value();
    }
    case Type::kSet:
      if (x.is(Type::kList) || x.is(Type::kDict) || x.is(Type::kSet)) return false;
      return container.set()->Has(interp, x);
    case Type::kBytes:
      if (x.is(Type::kBytes)) return container.bytes().find(x.bytes()) != std::string::npos;
      if (x.is(Type::kInt)) {
        if (x.int_value() < 0 || x.int_value() > 255) {
          return Status::InvalidArgument(
              fmt::format("int in bytes: {} out of range", x.int_value()));
        }
        return container.bytes().find(static_cast<char>(x.int_value())) != std::string::npos;
      }
      return Status::InvalidArgument(
          fmt::format("'in bytes' requires bytes or int as left operand, not {}", TypeName(x)));
    case Type::kRange: {
      if (x.is(Type::kFloat) && x.float_value() == std::trunc(x.float_value()) &&
          std::fabs(x.float_value()) < 9e18) {
        x = Value::Int(static_cast<int64_t>(x.float_value()));
      }
      if (!x.is_int() && !x.is(Type::kFloat)) {
        return Status::InvalidArgument(
            fmt::format("'in <range>' requires integer as left operand, not {}", TypeName(x)));
      }
      if (!x.is(Type::kInt)) return false;
      auto* r = static_cast<RangeObj*>(container.object());
      int64_t n = r->Length();
      if (n == 0) return false;
      __int128 off = static_cast<__int128>(x.int_value()) - r->start;
      if (off % r->step != 0) return false;
      __int128 i = off / r->step;
      return i >= 0 && i < n;
    }
    default:
      return Status::InvalidArgument(
          fmt::format("unknown binary op: {} in {}", TypeName(x), TypeName(container)));
  }
}

// Resolves a possibly negative index against a length.
Result<int64_t> ResolveIndex(Value key, int64_t len, std::string_view what) {
  if (!key.is(Type::kInt)) {
    return Status::InvalidArgument(fmt::format("{} index: got {}, want int", what, TypeName(key)));
  }
  int64_t i = key.int_value();
  int64_t orig = i;
  if (i < 0) i += len;
  if (i < 0 || i >= len) {
    if (len == 0) {
      return Status::InvalidArgument(
          fmt::format("{} index {} out of range: empty {}", what, orig, what));
    }
    return Status::InvalidArgument(
        fmt::format("{} index {} out of range [{}:{}]", what, orig, -len, len - 1));
  }
  return i;
}

Result<int64_t> SliceBound(Value v, std::string_view name) {
  if (!v.is(Type::kInt)) {
    return Status::InvalidArgument(fmt::format("invalid {}: got {}, want int", name, TypeName(v)));
  }
  return v.int_value();
}

}  // namespace

Result<int64_t> AddInt(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return Overflow();
  return r;
}

Result<int64_t> MulInt(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return Overflow();
  return r;
}

namespace {

BigInt ToBig(Value v) { return v.is(Type::kInt) ? BigInt(v.int_value()) : v.bigint(); }

// Arithmetic on two ints beyond the 64-bit fast path.
Result<Value> BigArith(Interpreter& interp, BinaryOp op, Value x, Value y) {
  BigInt a = ToBig(x), b = ToBig(y);
  // Bound the size of what is made, in proportion to the step budget.
  BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>((a.BitLength() + b.BitLength()) / 64)));
  switch (op) {
    case BinaryOp::kPlus:
      return interp.NewInt(BigInt::Add(a, b));
    case BinaryOp::kMinus:
      return interp.NewInt(BigInt::Sub(a, b));
    case BinaryOp::kStar:
      BERTH_RETURN_IF_ERROR(interp.Charge(
          static_cast<int64_t>((a.BitLength() / 32 + 1) * (b.BitLength() / 32 + 1) / 16)));
      return interp.NewInt(BigInt::Mul(a, b));
    case BinaryOp::kSlashSlash:
    case BinaryOp::kPercent: {
      if (b.is_zero()) {
        return Status::InvalidArgument(op == BinaryOp::kPercent ? "integer modulo by zero"
                                                                : "integer division by zero");
      }
      BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(a.BitLength())));
      BigInt q, r;
      BigInt::FloorDivMod(a, b, &q, &r);
      return interp.NewInt(op == BinaryOp::kPercent ? r : q);
    }
    case BinaryOp::kBitAnd:
      return interp.NewInt(BigInt::And(a, b));
    case BinaryOp::kBitOr:
      return interp.NewInt(BigInt::Or(a, b));
    case BinaryOp::kBitXor:
      return interp.NewInt(BigInt::Xor(a, b));
    case BinaryOp::kShl:
    case BinaryOp::kShr: {
      if (b.negative()) return Status::InvalidArgument("negative shift count");
      std::optional<int64_t> n = b.ToInt64();
      if (!n || *n >= kMaxShift) {
        if (op == BinaryOp::kShr) return Value::Int(a.negative() ? -1 : 0);
        if (a.is_zero()) return Value::Int(0);
        return Status::InvalidArgument(fmt::format("shift count too large: {}", b.ToString()));
      }
      return interp.NewInt(op == BinaryOp::kShl ? BigInt::Shl(a, static_cast<uint64_t>(*n))
                                                : BigInt::Shr(a, static_cast<uint64_t>(*n)));
    }
    default:
      return Status::Internal("not an int operator");
  }
}

// x op y on two ints (either representation), or nullopt for an operator ints lack.
Result<std::optional<Value>> IntArith(Interpreter& interp, BinaryOp op, Value x, Value y) {
  if (x.is(Type::kInt) && y.is(Type::kInt)) {
    int64_t a = x.int_value(), b = y.int_value(), r;
    switch (op) {
      case BinaryOp::kPlus:
        if (!__builtin_add_overflow(a, b, &r)) return std::optional<Value>(Value::Int(r));
        break;
      case BinaryOp::kMinus:
        if (!__builtin_sub_overflow(a, b, &r)) return std::optional<Value>(Value::Int(r));
        break;
      case BinaryOp::kStar:
        if (!__builtin_mul_overflow(a, b, &r)) return std::optional<Value>(Value::Int(r));
        break;
      case BinaryOp::kSlashSlash: {
        if (b == 0) return Status::InvalidArgument("integer division by zero");
        if (a == std::numeric_limits<int64_t>::min() && b == -1) break;
        BERTH_ASSIGN_OR_RETURN(int64_t q, FloorDiv(a, b));
        return std::optional<Value>(Value::Int(q));
      }
      case BinaryOp::kPercent: {
        BERTH_ASSIGN_OR_RETURN(int64_t m, FloorMod(a, b));
        return std::optional<Value>(Value::Int(m));
      }
      case BinaryOp::kBitAnd:
        return std::optional<Value>(Value::Int(a & b));
      case BinaryOp::kBitOr:
        return std::optional<Value>(Value::Int(a | b));
      case BinaryOp::kBitXor:
        return std::optional<Value>(Value::Int(a ^ b));
      case BinaryOp::kShr:
        if (b < 0) return Status::InvalidArgument("negative shift count");
        return std::optional<Value>(Value::Int(b >= 64 ? (a < 0 ? -1 : 0) : a >> b));
      case BinaryOp::kShl:
        if (b < 0) return Status::InvalidArgument("negative shift count");
        if (b < 63) {
          int64_t lim = int64_t{1} << (62 - b);
          if (a < lim && a >= -lim)
            return std::optional<Value>(
                Value::Int(static_cast<int64_t>(static_cast<uint64_t>(a) << b)));
        }
        break;
      default:
        return std::optional<Value>();
    }
  }
  switch (op) {
    case BinaryOp::kPlus:
    case BinaryOp::kMinus:
    case BinaryOp::kStar:
    case BinaryOp::kSlashSlash:
    case BinaryOp::kPercent:
    case BinaryOp::kBitAnd:
    case BinaryOp::kBitOr:
    case BinaryOp::kBitXor:
    case BinaryOp::kShl:
    case BinaryOp::kShr: {
      BERTH_ASSIGN_OR_RETURN(Value v, BigArith(interp, op, x, y));
      return std::optional<Value>(v);
    }
    default:
      return std::optional<Value>();
  }
}

// Python's floored float modulo.
double FloatMod(double a, double b) {
  double m = std::fmod(a, b);
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  if (m == 0) m = std::copysign(0.0, b);
  return m;
}

// x op y where one side is a float and the other a number, or nullopt.
Result<std::optional<Value>> FloatArith(BinaryOp op, Value x, Value y) {
  BERTH_ASSIGN_OR_RETURN(double a, ToFloat(x));
  BERTH_ASSIGN_OR_RETURN(double b, ToFloat(y));
  switch (op) {
    case BinaryOp::kPlus:
      return std::optional<Value>(Value::Float(a + b));
    case BinaryOp::kMinus:
      return std::optional<Value>(Value::Float(a - b));
    case BinaryOp::kStar:
      return std::optional<Value>(Value::Float(a * b));
    case BinaryOp::kSlash:
      if (b == 0) return Status::InvalidArgument("floating-point division by zero");
      return std::optional<Value>(Value::Float(a / b));
    case BinaryOp::kSlashSlash:
      if (b == 0) return Status::InvalidArgument("floored division by zero");
      return std::optional<Value>(Value::Float(std::floor(a / b)));
    case BinaryOp::kPercent:
      if (b == 0) return Status::InvalidArgument("floating-point modulo by zero");
      return std::optional<Value>(Value::Float(FloatMod(a, b)));
    default:
      return std::optional<Value>();
  }
}

}  // namespace

Result<double> ToFloat(Value v) {
  switch (v.type()) {
    case Type::kFloat:
      return v.float_value();
    case Type::kInt:
      return static_cast<double>(v.int_value());
    case Type::kBigInt: {
      double d = v.bigint().ToDouble();
      if (std::isinf(d)) return Status::InvalidArgument("int too large to convert to float");
      return d;
    }
    default:
      return Status::InvalidArgument(fmt::format("got {}, want float or int", TypeName(v)));
  }
}

// x | y, x & y, x ^ y, x - y on sets: a new set, in x's order then y's.
Result<Value> SetOp(Interpreter& interp, BinaryOp op, SetObj* x, SetObj* y) {
  auto* out = interp.New<SetObj>();
  BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(x->size() + y->size())));
  for (Value e : x->Elems()) {
    bool keep = true;
    if (op != BinaryOp::kBitOr) {
      BERTH_ASSIGN_OR_RETURN(bool in_y, y->Has(interp, e));
      keep = op == BinaryOp::kBitAnd ? in_y : !in_y;
    }
    if (keep) BERTH_RETURN_IF_ERROR(out->Insert(interp, e));
  }
  if (op == BinaryOp::kBitOr || op == BinaryOp::kBitXor) {
    for (Value e : y->Elems()) {
      BERTH_ASSIGN_OR_RETURN(bool in_x, x->Has(interp, e));
      if (op == BinaryOp::kBitOr || !in_x) BERTH_RETURN_IF_ERROR(out->Insert(interp, e));
    }
  }
  return Value(out);
}

// Whether every element of a is in b.
Result<bool> SubsetOf(Interpreter& interp, SetObj* a, SetObj* b) {
  if (a->size() > b->size()) return false;
  for (Value e : a->Elems()) {
    BERTH_ASSIGN_OR_RETURN(bool in, b->Has(interp, e));
    if (!in) return false;
  }
  return true;
}

// Set comparison is inclusion: x <= y is "subset", x < y "proper subset".
Result<Value> SetCompare(Interpreter& interp, BinaryOp op, SetObj* x, SetObj* y) {
  bool swap = op == BinaryOp::kGt || op == BinaryOp::kGe;
  SetObj* a = swap ? y : x;
  SetObj* b = swap ? x : y;
  BERTH_ASSIGN_OR_RETURN(bool sub, SubsetOf(interp, a, b));
  bool strict = op == BinaryOp::kLt || op == BinaryOp::kGt;
  return Value::Bool(sub && (!strict || a->size() < b->size()));
}

Result<Value> Binary(Interpreter& interp, BinaryOp op, Value x, Value y) {
  switch (op) {
    case BinaryOp::kEq:
    case BinaryOp::kNe: {
      BERTH_ASSIGN_OR_RETURN(bool eq, Equal(interp, x, y));
      return Value::Bool(op == BinaryOp::kEq ? eq : !eq);
    }
    case BinaryOp::kLt:
    case BinaryOp::kGt:
    case BinaryOp::kLe:
    case BinaryOp::kGe: {
      if (x.is(Type::kSet) && y.is(Type::kSet)) return SetCompare(interp, op, x.set(), y.set());
      Result<int> c = Compare(interp, x, y);
      if (!c.ok()) {
        const std::string& m = c.status().message();
        if (m.size() > 16 && m.compare(m.size() - 16, 16, " not implemented") == 0) {
          return Status::InvalidArgument(
              fmt::format("{} {} {} not implemented", TypeName(x), BinaryOpName(op), TypeName(y)));
        }
        return c.status();
      }
      bool r = op == BinaryOp::kLt   ? *c < 0
               : op == BinaryOp::kGt ? *c > 0
               : op == BinaryOp::kLe ? *c <= 0
                                     : *c >= 0;
      return Value::Bool(r);
    }
    case BinaryOp::kIn:
    case BinaryOp::kNotIn: {
      Result<bool> in = Contains(interp, y, x);
      if (!in.ok()) {
        if (op == BinaryOp::kNotIn && in.status().message().rfind("unknown binary op", 0) == 0) {
          return Status::InvalidArgument(
              fmt::format("unknown binary op: {} not in {}", TypeName(x), TypeName(y)));
        }
        return in.status();
      }
      return Value::Bool(op == BinaryOp::kIn ? *in : !*in);
    }
    default:
      break;
  }
  if (x.is_int() && y.is_int()) {
    if (op == BinaryOp::kSlash) {
      BERTH_ASSIGN_OR_RETURN(std::optional<Value> r, FloatArith(op, x, y));
      return *r;
    }
    BERTH_ASSIGN_OR_RETURN(std::optional<Value> r, IntArith(interp, op, x, y));
    if (r) return *r;
  } else if ((x.is(Type::kFloat) && (y.is_int() || y.is(Type::kFloat))) ||
             (y.is(Type::kFloat) && x.is_int())) {
    BERTH_ASSIGN_OR_RETURN(std::optional<Value> r, FloatArith(op, x, y));
    if (r) return *r;
  }
  switch (op) {
    case BinaryOp::kPlus:
      if (x.is(Type::kString) && y.is(Type::kString)) {
        BERTH_RETURN_IF_ERROR(
            interp.Charge(static_cast<int64_t>((x.str().size() + y.str().size()) / 16)));
        return interp.NewString(x.str() + y.str());
      }
      if (x.is(Type::kList) && y.is(Type::kList)) {
        BERTH_ASSIGN_OR_RETURN(auto items, Concat(interp, x.list()->items, y.list()->items));
        return interp.NewList(std::move(items));
      }
      if (x.is(Type::kTuple) && y.is(Type::kTuple)) {
        BERTH_ASSIGN_OR_RETURN(auto items, Concat(interp, x.tuple()->items, y.tuple()->items));
        return interp.NewTuple(std::move(items));
      }
      break;
    case BinaryOp::kStar: {
      Value seq = x, n = y;
      if (x.is(Type::kInt)) std::swap(seq, n);
      if (!n.is(Type::kInt)) break;
      if (Result<int64_t> len = Length(seq); len.ok() && *len > 0 && n.int_value() > 0) {
        // Refuse results no budget could pay for before charging for them.
        constexpr int64_t kMaxRepeat = int64_t{1} << 30;
        if (n.int_value() >= kMaxRepeat) {
          return Status::InvalidArgument(fmt::format("repeat count {} too large", n.int_value()));
        }
        if (*len * n.int_value() >= kMaxRepeat) {
          return Status::InvalidArgument(
              fmt::format("excessive repeat ({} * {} elements)", *len, n.int_value()));
        }
      }
      if (seq.is(Type::kString) || seq.is(Type::kBytes)) {
        const std::string& unit = seq.is(Type::kString) ? seq.str() : seq.bytes();
        int64_t count = n.int_value() < 0 ? 0 : n.int_value();
        BERTH_ASSIGN_OR_RETURN(int64_t total, MulInt(static_cast<int64_t>(unit.size()), count));
        BERTH_RETURN_IF_ERROR(interp.Charge(total / 16));
        std::string out;
        out.reserve(total);
        for (int64_t i = 0; i < count; ++i) out += unit;
        return seq.is(Type::kString) ? interp.NewString(std::move(out))
                                     : interp.NewBytes(std::move(out));
      }
      if (seq.is(Type::kList)) {
        BERTH_ASSIGN_OR_RETURN(auto items, Repeat(interp, seq.list()->items, n.int_value()));
        return interp.NewList(std::move(items));
      }
      if (seq.is(Type::kTuple)) {
        BERTH_ASSIGN_OR_RETURN(auto items, Repeat(interp, seq.tuple()->items, n.int_value()));
        return interp.NewTuple(std::move(items));
      }
      break;
    }
    case BinaryOp::kPercent:
      if (x.is(Type::kString)) return FormatPercent(interp, x.str(), y);
      break;
    case BinaryOp::kBitAnd:
    case BinaryOp::kBitXor:
    case BinaryOp::kMinus:
      if (x.is(Type::kSet) && y.is(Type::kSet)) return SetOp(interp, op, x.set(), y.set());
      break;
    case BinaryOp::kBitOr:
      if (x.is(Type::kSet) && y.is(Type::kSet)) return SetOp(interp, op, x.set(), y.set());
      if (x.is(Type::kDict) && y.is(Type::kDict)) {
        DictObj* d = interp.NewDict();
        for (const auto& [k, v] : x.dict()->Items()) BERTH_RETURN_IF_ERROR(d->Set(interp, k, v));
        for (const auto& [k, v] : y.dict()->Items()) BERTH_RETURN_IF_ERROR(d->Set(interp, k, v));
        return Value(d);
      }
      break;
    default:
      break;
  }
  return Unsupported(op, x, y);
}

Result<Value> Unary(Interpreter& interp, UnaryOp op, Value x) {
  switch (op) {
    case UnaryOp::kNot:
      return Value::Bool(!Truth(x));
    case UnaryOp::kMinus:
      if (x.is(Type::kInt)) {
        if (x.int_value() == std::numeric_limits<int64_t>::min()) {
          return interp.NewInt(BigInt::Neg(BigInt(x.int_value())));
        }
        return Value::Int(-x.int_value());
      }
      if (x.is(Type::kBigInt)) return interp.NewInt(BigInt::Neg(x.bigint()));
      if (x.is(Type::kFloat)) return Value::Float(-x.float_value());
      break;
    case UnaryOp::kPlus:
      if (x.is_int() || x.is(Type::kFloat)) return x;
      break;
    case UnaryOp::kInvert:
      if (x.is(Type::kInt)) return Value::Int(~x.int_value());
      if (x.is(Type::kBigInt)) return interp.NewInt(BigInt::Not(x.bigint()));
      break;
  }
  return Status::InvalidArgument(fmt::format("unsupported unary op: {}{}",
                                             op == UnaryOp::kMinus  ? "-"
                                             : op == UnaryOp::kPlus ? "+"
                                                                    : "~",
                                             TypeName(x)));
}

Result<Value> GetIndex(Interpreter& interp, Value x, Value key) {
  switch (x.type()) {
    case Type::kList: {
      BERTH_ASSIGN_OR_RETURN(
          int64_t i, ResolveIndex(key, static_cast<int64_t>(x.list()->items.size()), "list"));
      return x.list()->items[i];
    }
    case Type::kTuple: {
      BERTH_ASSIGN_OR_RETURN(
          int64_t i, ResolveIndex(key, static_cast<int64_t>(x.tuple()->items.size()), "tuple"));
      return x.tuple()->items[i];
    }
    case Type::kString: {
      BERTH_ASSIGN_OR_RETURN(int64_t i,
                             ResolveIndex(key, static_cast<int64_t>(x.str().size()), "string"));
      return interp.NewString(std::string(1, x.str()[i]));
    }
    case Type::kBytes: {
      BERTH_ASSIGN_OR_RETURN(int64_t i,
                             ResolveIndex(key, static_cast<int64_t>(x.bytes().size()), "bytes"));
      return interp.NewBytes(std::string(1, x.bytes()[i]));
    }
    case Type::kRange: {
      auto* r = static_cast<RangeObj*>(x.object());
      BERTH_ASSIGN_OR_RETURN(int64_t i, ResolveIndex(key, r->Length(), "range"));
      return Value::Int(r->At(i));
    }
    case Type::kDict: {
      BERTH_ASSIGN_OR_RETURN(std::optional<Value> v, x.dict()->Get(interp, key));
      if (!v) {
        BERTH_ASSIGN_OR_RETURN(std::string k, Repr(interp, key));
        return Status::InvalidArgument(fmt::format("key {} not in dict", k));
      }
      return *v;
    }
    case Type::kPieces: {
      // elems() and elem_ords() are indexable; codepoints() are not.
      auto* p = static_cast<PiecesObj*>(x.object());
      if (!p->Indexable()) {
        return Status::InvalidArgument(
            fmt::format("unhandled index operation {}[{}]", TypeName(x), TypeName(key)));
      }
      BERTH_ASSIGN_OR_RETURN(
          int64_t i, ResolveIndex(key, static_cast<int64_t>(p->items.size()), p->type_name));
      return p->items[i];
    }
    default:
      return Status::InvalidArgument(fmt::format("{} value is not indexable", TypeName(x)));
  }
}

Status SetIndex(Interpreter& interp, Value x, Value key, Value value) {
  if (x.is(Type::kList)) {
    BERTH_RETURN_IF_ERROR(x.list()->CheckMutable("assign to element of"));
    BERTH_ASSIGN_OR_RETURN(int64_t i,
                           ResolveIndex(key, static_cast<int64_t>(x.list()->items.size()), "list"));
    x.list()->items[i] = value;
    return Status::Ok();
  }
  if (x.is(Type::kDict)) return x.dict()->Set(interp, key, value);
  return Status::InvalidArgument(
      fmt::format("{} value does not support item assignment", TypeName(x)));
}

Result<Value> GetSlice(Interpreter& interp, Value x, Value lo_v, Value hi_v, Value step_v) {
  int64_t len;
  switch (x.type()) {
    case Type::kList:
      len = static_cast<int64_t>(x.list()->items.size());
      break;
    case Type::kTuple:
      len = static_cast<int64_t>(x.tuple()->items.size());
      break;
    case Type::kString:
      len = static_cast<int64_t>(x.str().size());
      break;
    case Type::kBytes:
      len = static_cast<int64_t>(x.bytes().size());
      break;
    case Type::kRange:
      len = static_cast<RangeObj*>(x.object())->Length();
      break;
    default:
      return Status::InvalidArgument(fmt::format("{} value cannot be sliced", TypeName(x)));
  }
  int64_t step = 1;
  if (!step_v.is_none()) {
    BERTH_ASSIGN_OR_RETURN(step, SliceBound(step_v, "slice step"));
    if (step == 0) return Status::InvalidArgument("slice step cannot be zero");
  }
  // Python's clamping rules.
  auto clamp = [&](Value v, int64_t dflt, std::string_view name) -> Result<int64_t> {
    if (v.is_none()) return dflt;
    BERTH_ASSIGN_OR_RETURN(int64_t i, SliceBound(v, name));
    if (i < 0) {
      i = i < -len ? (step < 0 ? -1 : 0) : i + len;
    } else if (i >= len) {
      i = step < 0 ? len - 1 : len;
    }
    return i;
  };
  BERTH_ASSIGN_OR_RETURN(int64_t lo, clamp(lo_v, step < 0 ? len - 1 : 0, "start index"));
  BERTH_ASSIGN_OR_RETURN(int64_t hi, clamp(hi_v, step < 0 ? -1 : len, "end index"));
  if (x.is(Type::kRange)) {
    // A slice of a range is a range.
    auto* r = static_cast<RangeObj*>(x.object());
    __int128 new_step = static_cast<__int128>(r->step) * step;
    __int128 a = r->start + static_cast<__int128>(lo) * r->step;
    __int128 b = r->start + static_cast<__int128>(hi) * r->step;
    if (new_step > INT64_MAX || new_step < INT64_MIN || a > INT64_MAX || a < INT64_MIN ||
        b > INT64_MAX || b < INT64_MIN) {
      return Status::InvalidArgument("range slice out of range");
    }
    return Value(interp.New<RangeObj>(static_cast<int64_t>(a), static_cast<int64_t>(b),
                                      static_cast<int64_t>(new_step)));
  }
  std::vector<int64_t> idx;
  if (step > 0) {
    for (int64_t i = lo; i < hi; i += step) {
      idx.push_back(i);
      if (step > len) break;
    }
  } else {
    for (int64_t i = lo; i > hi; i += step) {
      idx.push_back(i);
      if (-step > len) break;
    }
  }
  BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(idx.size())));
  if (x.is(Type::kString) || x.is(Type::kBytes)) {
    const std::string& src = x.is(Type::kString) ? x.str() : x.bytes();
    std::string out;
    for (int64_t i : idx) out += src[i];
    return x.is(Type::kString) ? interp.NewString(std::move(out)) : interp.NewBytes(std::move(out));
  }
  const auto& items = x.is(Type::kList) ? x.list()->items : x.tuple()->items;
  std::vector<Value> out;
  for (int64_t i : idx) out.push_back(items[i]);
  return x.is(Type::kList) ? interp.NewList(std::move(out)) : interp.NewTuple(std::move(out));
}

Result<std::vector<Value>> Iterate(Interpreter& interp, Value x) {
  switch (x.type()) {
    case Type::kList:
      BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(x.list()->items.size())));
      return x.list()->items;
    case Type::kTuple:
      BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(x.tuple()->items.size())));
      return x.tuple()->items;
    case Type::kDict:
      BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(x.dict()->size())));
      return x.dict()->Keys();
    case Type::kSet:
      BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(x.set()->size())));
      return x.set()->Elems();
    case Type::kPieces: {
      const auto& items = static_cast<PiecesObj*>(x.object())->items;
      BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(items.size())));
      return items;
    }
    case Type::kRange: {
      auto* r = static_cast<RangeObj*>(x.object());
      int64_t n = r->Length();
      BERTH_RETURN_IF_ERROR(interp.Charge(n));
      std::vector<Value> out;
      out.reserve(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) out.push_back(Value::Int(r->At(i)));
      return out;
    }
    default:
      return Status::InvalidArgument(fmt::format("{} value is not iterable", TypeName(x)));
  }
}

bool IsIterable(Value x) {
  switch (x.type()) {
    case Type::kList:
    case Type::kTuple:
    case Type::kDict:
    case Type::kSet:
    case Type::kPieces:
    case Type::kRange:
      return true;
    default:
      return false;
  }
}

Result<int64_t> Length(Value x) {
  switch (x.type()) {
    case Type::kString:
      return static_cast<int64_t>(x.str().size());
    case Type::kList:
      return static_cast<int64_t>(x.list()->items.size());
    case Type::kTuple:
      return static_cast<int64_t>(x.tuple()->items.size());
    case Type::kDict:
      return static_cast<int64_t>(x.dict()->size());
    case Type::kSet:
      return static_cast<int64_t>(x.set()->size());
    case Type::kBytes:
      return static_cast<int64_t>(x.bytes().size());
    case Type::kRange:
      return static_cast<RangeObj*>(x.object())->Length();
    case Type::kPieces:
      if (auto* p = static_cast<PiecesObj*>(x.object()); p->Indexable()) {
        return static_cast<int64_t>(p->items.size());
      }
      return Status::InvalidArgument(fmt::format("{} value has no len()", TypeName(x)));
    default:
      return Status::InvalidArgument(fmt::format("{} value has no len()", TypeName(x)));
  }
}

Result<Value> FormatPercent(Interpreter& interp, const std::string& format, Value args) {
  std::vector<Value> values;
  bool by_name = args.is(Type::kDict);
  if (args.is(Type::kTuple)) {
    values = args.tuple()->items;
  } else if (!by_name) {
    values.push_back(args);
  }
  size_t next = 0;
  std::string out;
  BERTH_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(format.size() / 16)));
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c != '%') {
      out += c;
      continue;
    }
    if (++i >= format.size()) return Status::InvalidArgument("incomplete format: ends with %");
    if (format[i] == '%') {
      out += '%';
      continue;
    }
    Value v;
    if (format[i] == '(') {
      size_t close = format.find(')', i);
      if (close == std::string::npos)
        return Status::InvalidArgument("incomplete format key: missing )");
      if (!by_name) return Status::InvalidArgument("format requires a dict for %(name) keys");
      std::string key = format.substr(i + 1, close - i - 1);
      BERTH_ASSIGN_OR_RETURN(std::optional<Value> found,
                             args.dict()->Get(interp, interp.NewString(key)));
      if (!found) return Status::InvalidArgument(fmt::format("key \"{}\" not in format dict", key));
      v = *found;
      i = close + 1;
      if (i >= format.size())
        return Status::InvalidArgument("incomplete format: missing conversion");
    } else {
      if (next >= values.size())
        return Status::InvalidArgument("not enough arguments for format string");
      v = values[next++];
    }
    char conv = format[i];
    switch (conv) {
      case 's': {
        BERTH_ASSIGN_OR_RETURN(std::string s, Str(interp, v));
        out += s;
        break;
      }
      case 'r': {
        BERTH_ASSIGN_OR_RETURN(std::string s, Repr(interp, v));
        out += s;
        break;
      }
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G': {
        if (!v.is_int() && !v.is(Type::kFloat)) {
          return Status::InvalidArgument(
              fmt::format("%{} format requires float, not {}", conv, TypeName(v)));
        }
        BERTH_ASSIGN_OR_RETURN(double d, ToFloat(v));
        std::string f = FormatFloat(d, conv == 'G' ? 'g' : conv);
        if (conv == 'G' || conv == 'E' || conv == 'F') {
          for (char& ch : f) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        }
        out += f;
        break;
      }
      case 'd':
      case 'i':
      case 'o':
      case 'x':
      case 'X': {
        if (v.is(Type::kFloat)) {
          if (!std::isfinite(v.float_value())) {
            return Status::InvalidArgument(std::isnan(v.float_value())
                                               ? "cannot convert float NaN to integer"
                                               : "cannot convert float infinity to integer");
          }
          v = interp.NewInt(BigInt::FromDouble(v.float_value()));
        }
        if (v.is(Type::kBigInt)) {
          int base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X') ? 16 : 10;
          std::string digits = v.bigint().ToString(base);
          if (conv == 'X') {
            for (char& ch : digits)
              ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
          }
          out += digits;
          break;
        }
        if (v.is(Type::kBool)) {
          return Status::InvalidArgument(
              fmt::format("%{} format: cannot convert bool to int", conv));
        }
        if (!v.is(Type::kInt)) {
          return Status::InvalidArgument(
              fmt::format("%{} format requires an int, not {}", conv, TypeName(v)));
        }
        int64_t n = v.int_value();
        uint64_t mag = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
        std::string sign = n < 0 ? "-" : "";
        if (conv == 'o') {
          out += sign + fmt::format("{:o}", mag);
        } else if (conv == 'x') {
          out += sign + fmt::format("{:x}", mag);
        } else if (conv == 'X') {
          out += sign + fmt::format("{:X}", mag);
        } else {
          out += std::to_string(n);
        }
        break;
      }
      case 'c':
        if (v.is(Type::kString)) {
          if (SplitUtf8(v.str()).size() != 1) {
            return Status::InvalidArgument("%c format requires a single-character string");
          }
          out += v.str();
        } else if (v.is(Type::kInt)) {
          if (v.int_value() < 0 || v.int_value() > 0x10FFFF) {
            return Status::InvalidArgument("%c format requires a valid Unicode code point");
          }
          out += EncodeUtf8(static_cast<uint32_t>(v.int_value()));
        } else {
          return Status::InvalidArgument(fmt::format(
              "%c format requires int or single-character string, not {}", TypeName(v)));
        }
        break;
      default:
        return Status::InvalidArgument(fmt::format("unsupported format character '{}'", conv));
    }
    BERTH_RETURN_IF_ERROR(interp.Charge(1 + static_cast<int64_t>(out.size() / 1024)));
  }
  if (!by_name && next < values.size()) {
    return Status::InvalidArgument("too many arguments for format string");
  }
  return interp.NewString(std::move(out));
}

}  // namespace berth::starlark
