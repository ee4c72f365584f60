// The operators of the language on values: arithmetic, comparison, membership, indexing,
// slicing, iteration and printf-style string formatting. Errors are plain messages; the
// evaluator adds the position.
#pragma once

#include <vector>

#include "appspec/starlark/ast.h"
#include "appspec/starlark/value.h"
#include "base/status.h"

namespace berth::starlark {

class Interpreter;

// x op y for every binary operator except `and` and `or` (which short-circuit in the evaluator).
Result<Value> Binary(Interpreter& interp, BinaryOp op, Value x, Value y);

// -x, +x, not x.
Result<Value> Unary(Interpreter& interp, UnaryOp op, Value x);

// x[key] for lists, tuples, strings (by int, negative from the end) and dicts (by key).
Result<Value> GetIndex(Interpreter& interp, Value x, Value key);
// x[key] = value for lists and dicts.
Status SetIndex(Interpreter& interp, Value x, Value key, Value value);
// x[lo:hi:step] for lists, tuples and strings; absent bounds are None.
Result<Value> GetSlice(Interpreter& interp, Value x, Value lo, Value hi, Value step);

// The elements of an iterable (list, tuple, dict keys) as a snapshot, charging their count.
// Strings are not iterable.
Result<std::vector<Value>> Iterate(Interpreter& interp, Value x);
// Whether Iterate accepts x's type.
bool IsIterable(Value x);

// The length of a string, list, tuple or dict.
Result<int64_t> Length(Value x);

// "fmt" % args: %s %r %d %i %o %x %X %c %% and %(name)s with a dict.
Result<Value> FormatPercent(Interpreter& interp, const std::string& format, Value args);

// A number as a double; fails for other types and for ints too large for a float.
Result<double> ToFloat(Value v);

// Checked 64-bit arithmetic.
Result<int64_t> AddInt(int64_t a, int64_t b);
Result<int64_t> MulInt(int64_t a, int64_t b);

}  // namespace berth::starlark
