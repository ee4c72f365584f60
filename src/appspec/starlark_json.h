// Conversions between Starlark values and JSON, for param values and defaults.
#pragma once

#include <nlohmann/json.hpp>

#include "appspec/starlark/interpreter.h"
#include "base/status.h"

namespace berth::appspec {

// None, bool, int, float, string, bytes, list/tuple and dict (with string keys) to JSON;
// anything else fails. A float must be finite (JSON has no NaN or infinity); an int must fit in
// 64 bits (signed, or unsigned when positive); bytes become a string of their text, with each
// invalid UTF-8 sequence as U+FFFD (what str() gives).
Result<nlohmann::json> ToJson(starlark::Value v);

// JSON to a Starlark value: integers to ints (those beyond int64 to big ints), other numbers to
// floats, strings to strings (JSON has no bytes).
Result<starlark::Value> FromJson(starlark::Interpreter& interp, const nlohmann::json& j);

}  // namespace berth::appspec
