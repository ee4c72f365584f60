// The universal builtins (len, str, range, sorted, ...) and the methods of strings, lists and
// dicts, reached through attribute access.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "appspec/starlark/value.h"
#include "base/status.h"

namespace berth::starlark {

class Interpreter;

// Makes the builtin function values every file sees.
std::map<std::string, Value> MakeUniverse(Interpreter& interp);

// x.name: a struct's field or a bound method. The error suggests the closest attribute.
Result<Value> GetAttr(Interpreter& interp, Value x, const std::string& name);

// The attributes GetAttr accepts for x (fields or method names).
std::vector<std::string> AttrNames(Value x);

}  // namespace berth::starlark
