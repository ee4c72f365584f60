// Starlark values. A Value is a small tagged word: None, a bool and an int live inline; strings,
// lists, tuples, dicts, functions and structs are objects owned by the Interpreter that made
// them (an arena), so values are copied freely and cycles cost nothing. A Value is valid as long
// as its Interpreter lives.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "appspec/starlark/bigint.h"
#include "base/status.h"

namespace berth::starlark {

class Interpreter;
class Args;
struct DefStmt;
struct Program;
struct ModuleEnv;
struct Env;

enum class Type : uint8_t {
  kNone,
  kBool,
  kInt,
  kFloat,  // an IEEE double, inline
  // Types from here on are objects.
  kString,
  kBigInt,  // an int beyond 64 bits; its Starlark type is "int" too
  kBytes,
  kRange,
  kPieces,  // s.elems(), s.codepoints() and the like: iterable, not indexable
  kList,
  kTuple,
  kDict,
  kSet,       // only with InterpreterOptions::allow_set
  kFunction,  // defined with def
  kBuiltin,   // implemented in C++
  kStruct,    // a module or a struct: named fields, immutable
};

class Object {
 public:
  explicit Object(Type type) : type_(type) {}
  virtual ~Object() = default;
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;
  Type type() const { return type_; }
  // A frozen object can't be mutated; every module's values are frozen once it has run.
  bool frozen() const { return frozen_; }
  void Freeze() { frozen_ = true; }

 private:
  Type type_;
  bool frozen_ = false;
};

class StringObj;
class ListObj;
class TupleObj;
class DictObj;
class SetObj;
class FunctionObj;
class BuiltinObj;
class StructObj;

class Value {
 public:
  Value() : type_(Type::kNone), i_(0) {}
  static Value None() { return Value(); }
  static Value Bool(bool b) {
    Value v;
    v.type_ = Type::kBool;
    v.i_ = b ? 1 : 0;
    return v;
  }
  static Value Int(int64_t i) {
    Value v;
    v.type_ = Type::kInt;
    v.i_ = i;
    return v;
  }
  static Value Float(double d) {
    Value v;
    v.type_ = Type::kFloat;
    v.f_ = d;
    return v;
  }
  explicit Value(Object* obj) : type_(obj->type()), obj_(obj) {}

  Type type() const { return type_; }
  bool is_none() const { return type_ == Type::kNone; }
  bool is(Type t) const { return type_ == t; }

  // Accessors; each requires the matching type().
  bool bool_value() const { return i_ != 0; }
  int64_t int_value() const { return i_; }
  double float_value() const { return f_; }
  // An int of either representation (kInt or kBigInt).
  bool is_int() const { return type_ == Type::kInt || type_ == Type::kBigInt; }
  const BigInt& bigint() const;
  const std::string& bytes() const;
  const std::string& str() const;
  Object* object() const { return type_ >= Type::kString ? obj_ : nullptr; }
  ListObj* list() const;
  TupleObj* tuple() const;
  DictObj* dict() const;
  SetObj* set() const;
  FunctionObj* function() const;
  BuiltinObj* builtin() const;
  StructObj* struct_value() const;

 private:
  Type type_;
  union {
    int64_t i_;
    double f_;
    Object* obj_;
  };
};

using NamedValues = std::vector<std::pair<std::string, Value>>;

class StringObj : public Object {
 public:
  explicit StringObj(std::string s) : Object(Type::kString), value(std::move(s)) {}
  const std::string value;
};

class BigIntObj : public Object {
 public:
  explicit BigIntObj(BigInt v) : Object(Type::kBigInt), value(std::move(v)) {}
  const BigInt value;
};

class BytesObj : public Object {
 public:
  explicit BytesObj(std::string s) : Object(Type::kBytes), value(std::move(s)) {}
  const std::string value;
};

// range(start, stop, step): an immutable, lazy sequence of ints.
class RangeObj : public Object {
 public:
  RangeObj(int64_t start, int64_t stop, int64_t step)
      : Object(Type::kRange), start(start), stop(stop), step(step) {}
  int64_t Length() const;
  int64_t At(int64_t i) const { return start + i * step; }
  const int64_t start, stop, step;
};

// The result of elems(), elem_ords(), codepoints() or codepoint_ords(): an iterable over the
// pieces of a string or bytes. The elements (one per byte) have len() and indexing; the code
// points do not.
class PiecesObj : public Object {
 public:
  PiecesObj(Value src, std::string m, std::string t, std::vector<Value> v)
      : Object(Type::kPieces),
        source(src),
        method(std::move(m)),
        type_name(std::move(t)),
        items(std::move(v)) {}
  const Value source;
  const std::string method;     // as repr shows it: "elems", "codepoint_ords", ...
  const std::string type_name;  // "string.elems", "string.codepoints", "bytes.elems"
  const std::vector<Value> items;
  bool Indexable() const { return type_name.size() > 6 && type_name.ends_with(".elems"); }
};

class ListObj : public Object {
 public:
  explicit ListObj(std::vector<Value> v) : Object(Type::kList), items(std::move(v)) {}
  // Fails when the list is frozen or being iterated over; `op` names the mutation for the
  // message ("append to", "assign to element of", ...).
  Status CheckMutable(std::string_view op = "modify") const;
  std::vector<Value> items;
  int iterating = 0;  // loops over this list in progress
};

class TupleObj : public Object {
 public:
  explicit TupleObj(std::vector<Value> v) : Object(Type::kTuple), items(std::move(v)) {}
  const std::vector<Value> items;
  // Cached hash; tuples are immutable.
  mutable std::optional<uint64_t> hash;
};

// An insertion-ordered hash map.
class DictObj : public Object {
 public:
  DictObj() : Object(Type::kDict) {}
  size_t size() const { return live_; }
  // The value for key, or nullopt. Fails only for an unhashable key.
  Result<std::optional<Value>> Get(Interpreter& interp, Value key) const;
  // Inserts or replaces. Fails for an unhashable key or a frozen dict.
  Status Set(Interpreter& interp, Value key, Value value);
  // Removes key and returns its value, or nullopt when absent.
  Result<std::optional<Value>> Pop(Interpreter& interp, Value key);
  Status Clear();
  // A snapshot of the entries in insertion order.
  std::vector<std::pair<Value, Value>> Items() const;
  std::vector<Value> Keys() const;
  // Fails when the dict is frozen or being iterated over; `op` as for ListObj.
  Status CheckMutable(std::string_view op = "modify") const;
  int iterating = 0;  // loops over this dict in progress

 private:
  struct Entry {
    Value key, value;
    uint64_t hash;
    bool live;
  };
  Result<std::optional<size_t>> Find(Interpreter& interp, Value key, uint64_t hash) const;
  void Compact();

  std::vector<Entry> entries_;
  std::unordered_multimap<uint64_t, size_t> index_;
  size_t live_ = 0;
};

// An insertion-ordered set of hashable values (a dict's keys, with starlark-go's messages).
class SetObj : public Object {
 public:
  SetObj() : Object(Type::kSet) {}
  size_t size() const { return table_.size(); }
  // Whether x is an element. Fails only for an unhashable x.
  Result<bool> Has(Interpreter& interp, Value x) const;
  // Adds x (no-op when present). Fails for an unhashable x, a frozen set or one being iterated.
  Status Insert(Interpreter& interp, Value x);
  // Removes x; returns whether it was there.
  Result<bool> Remove(Interpreter& interp, Value x);
  Status Clear();
  // The elements in insertion order.
  std::vector<Value> Elems() const { return table_.Keys(); }
  // Fails when the set is frozen or being iterated over; `op` as for ListObj.
  Status CheckMutable(std::string_view op) const;
  int iterating = 0;  // loops over this set in progress

 private:
  DictObj table_;  // elements as keys, values None; never frozen itself
};

class FunctionObj : public Object {
 public:
  FunctionObj(const DefStmt* d, ModuleEnv* m, std::vector<Value> defs, std::shared_ptr<Env> e)
      : Object(Type::kFunction), def(d), module(m), defaults(std::move(defs)), env(std::move(e)) {}
  const DefStmt* def;
  ModuleEnv* module;            // globals of the defining file
  std::vector<Value> defaults;  // one per parameter; None where there is no default
  std::shared_ptr<Env> env;     // the enclosing function's variables (a closure), or null
  const std::string& name() const;
};

// A native function's implementation. `args` carries the positional and keyword arguments and,
// for a method, the receiver.
using NativeFn = std::function<Result<Value>(Interpreter& interp, const Args& args)>;

class BuiltinObj : public Object {
 public:
  BuiltinObj(std::string n, NativeFn f, Value s)
      : Object(Type::kBuiltin), name(std::move(n)), fn(std::move(f)), self(s) {}
  const std::string name;  // as shown in messages, e.g. "container.config"
  const NativeFn fn;
  const Value self;  // the receiver of a bound method, else None
};

// Named fields, immutable unless made settable. Modules (predeclared, loaded or native) are
// structs too; type_name is what type() returns and messages show ("module", "proxy_config",
// ...). A settable struct (an embedder's native type with assignable attributes) accepts
// `x.f = v`, adding the field when new, until it is frozen.
class StructObj : public Object {
 public:
  StructObj(std::string type_name, std::string name, NamedValues fields, bool settable = false)
      : Object(Type::kStruct),
        type_name(std::move(type_name)),
        name(std::move(name)),
        settable(settable),
        fields_(std::move(fields)) {}
  // The field's value, or nullptr.
  const Value* Get(std::string_view field) const;
  std::vector<std::string> FieldNames() const;
  const NamedValues& fields() const { return fields_; }
  // x.field = v: fails for a struct that is not settable, or is frozen.
  Status SetField(const std::string& field, Value v);
  const std::string type_name;
  const std::string name;  // for messages: `module "param" has no field ...`
  const bool settable;

 private:
  NamedValues fields_;
};

// The Starlark type name: "NoneType", "bool", "int", "string", "list", "tuple", "dict",
// "function", "builtin_function_or_method", or a struct's type_name.
std::string TypeName(Value v);

// Truthiness: None, False, 0, "" and empty collections are false.
bool Truth(Value v);

// Structural equality. Values of different types are unequal. Charges the interpreter's step
// budget, so comparing huge or deeply shared structures fails rather than hangs.
Result<bool> Equal(Interpreter& interp, Value a, Value b);

// Ordering for <, sorted, min, max: <0, 0, >0. Fails for values that have no order between them.
Result<int> Compare(Interpreter& interp, Value a, Value b);

// A hash consistent with Equal, for dict keys. Fails for unhashable values (list, dict, struct).
Result<uint64_t> Hash(Interpreter& interp, Value v);

// repr(): strings quoted. Fails when the text would exceed the step budget or nesting limit;
// a value containing itself prints as [...].
Result<std::string> Repr(Interpreter& interp, Value v);
// str(): like Repr but a string is its own text.
Result<std::string> Str(Interpreter& interp, Value v);
// A string quoted the way repr shows it.
std::string Quote(std::string_view s);
// s with every invalid UTF-8 sequence replaced by U+FFFD (what str(bytes) gives).
std::string ValidUtf8(std::string_view s);
// A bytes value as repr shows it: b"..." with non-printable bytes as \x escapes.
std::string QuoteBytes(std::string_view s);

// A float as Starlark prints it. conv 'g' (str and repr): the shortest digits that round-trip,
// exponent form below 1e-4 and from 1e6 on, and always a '.' or an 'e' ("1.0", "1e+20");
// 'e', 'f' (and upper case): six digits after the point, as printf does.
std::string FormatFloat(double d, char conv = 'g');

// Exact comparison of an int (either representation) with a float: <0, 0, >0. NaN is greater
// than every number, as Starlark orders it.
int CompareIntFloat(Value i, double f);

}  // namespace berth::starlark
