// The universal builtins (len, str, range, sorted, ...) and the methods of strings, lists and
// dicts, reached through attribute access.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "appspec/starlark/value.h"
#include "base/status.h"

namespace berth::starlark {

class Interpreter;
class Args;

// The elements of a native function's index-th argument x. A value that is not iterable fails
// as starlark-go words it: "list: for parameter 1: got int, want iterable" (with `param` in
// place of the number when given).
Result<std::vector<Value>> Elements(Interpreter& interp, const Args& args, int index, Value x,
                                    std::string_view param = {});

// The (key, value) pairs of dict(x) or d.update(x) for an x that is not a dict: an iterable of
// 2-element iterables.
Result<std::vector<std::pair<Value, Value>>> UpdatePairs(Interpreter& interp, const Args& args,
                                                         Value x);

// The universal builtin functions every file sees (len, str, range, ...; `set` is among them,
// the interpreter hides it unless allowed): the one named `name`, or null.
using UniversalFn = Result<Value> (*)(Interpreter&, const Args&);
UniversalFn FindUniversal(std::string_view name);
// Their names, sorted.
const std::vector<std::string>& UniversalNames();

// x.name: a struct's field or a bound method. The error suggests the closest attribute.
Result<Value> GetAttr(Interpreter& interp, Value x, const std::string& name);

// x.name = v: only a settable struct accepts it ("can't assign to .f field of int").
Status SetAttr(Value x, const std::string& name, Value v);

// The attributes GetAttr accepts for x (fields or method names).
std::vector<std::string> AttrNames(Value x);

}  // namespace berth::starlark
